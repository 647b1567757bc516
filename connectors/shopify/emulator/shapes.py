"""Emulated orders in the Admin GraphQL API's JSON: Order and LineItem nodes, and bulk JSONL lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from connectors.emulation.shop_model import EmulatedLine, EmulatedOrder


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z" if moment else None


def money(amount: float, currency: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": f"{amount:.2f}", "currencyCode": currency}}


def order_node(order: EmulatedOrder) -> dict[str, Any]:
    """An Order node, without its line items."""
    currency = order.currency
    return {
        "id": gid("Order", order.id), "name": f"#{order.number}", "createdAt": iso(order.created_at),
        "updatedAt": iso(order.updated_at), "processedAt": iso(order.created_at),
        "cancelledAt": iso(order.cancelled_at), "test": order.test,
        "displayFinancialStatus": order.financial_status.upper(), "currencyCode": currency,
        "email": order.email, "sourceName": order.source_name,
        "customer": {"id": gid("Customer", order.customer_id)} if order.customer_id else None,
        "totalPriceSet": money(order.total, currency), "subtotalPriceSet": money(order.subtotal, currency),
        "totalDiscountsSet": money(order.discounts, currency),
        "totalShippingPriceSet": money(order.shipping, currency), "totalTaxSet": money(order.tax, currency),
        "totalRefundedSet": money(order.refunded, currency),
    }


def line_node(line: EmulatedLine, currency: str) -> dict[str, Any]:
    return {
        "id": gid("LineItem", line.id), "quantity": line.quantity, "sku": line.sku, "title": line.title,
        "vendor": line.vendor, "product": {"id": gid("Product", line.product_id), "productType": line.product_type},
        "discountedTotalSet": money(line.discounted_total, currency),
    }


def connection(nodes: list[dict[str, Any]], has_next: bool, end_cursor: str | None) -> dict[str, Any]:
    return {"pageInfo": {"hasNextPage": has_next, "endCursor": end_cursor},
            "edges": [{"node": node} for node in nodes]}


@lru_cache(maxsize=8192)
def _text(value: str | None) -> str:
    return json.dumps(value)


def _money_json(amount: float, currency: str) -> str:
    return f'{{"shopMoney":{{"amount":"{amount:.2f}","currencyCode":{_text(currency)}}}}}'


def order_json(order: EmulatedOrder) -> str:
    """``order_node`` as compact JSON text, written directly: a 100,000-order export stays quick."""
    c, created, amounts = order.currency, iso(order.created_at), order.amounts()
    customer = f'{{"id":"{gid("Customer", order.customer_id)}"}}' if order.customer_id else "null"
    return (f'{{"id":"{gid("Order", order.id)}","name":"#{order.number}","createdAt":"{created}",'
            f'"updatedAt":"{iso(order.updated_at)}","processedAt":"{created}",'
            f'"cancelledAt":{_text(iso(order.cancelled_at))},"test":{"true" if order.test else "false"},'
            f'"displayFinancialStatus":"{order.financial_status.upper()}","currencyCode":{_text(c)},'
            f'"email":{_text(order.email)},"sourceName":{_text(order.source_name)},"customer":{customer},'
            f'"totalPriceSet":{_money_json(amounts.total, c)},"subtotalPriceSet":{_money_json(amounts.subtotal, c)},'
            f'"totalDiscountsSet":{_money_json(amounts.discounts, c)},'
            f'"totalShippingPriceSet":{_money_json(order.shipping, c)},"totalTaxSet":{_money_json(amounts.tax, c)},'
            f'"totalRefundedSet":{_money_json(amounts.refunded, c)}}}')


def line_json(line: EmulatedLine, currency: str, parent: int) -> str:
    """``line_node`` plus ``__parentId`` as compact JSON text."""
    return (f'{{"id":"{gid("LineItem", line.id)}","quantity":{line.quantity},"sku":{_text(line.sku)},'
            f'"title":{_text(line.title)},"vendor":{_text(line.vendor)},'
            f'"product":{{"id":"{gid("Product", line.product_id)}","productType":{_text(line.product_type)}}},'
            f'"discountedTotalSet":{_money_json(line.discounted_total, currency)},'
            f'"__parentId":"{gid("Order", parent)}"}}')


def jsonl_lines(orders: Iterable[EmulatedOrder], children_first: bool = False,
                corrupt: frozenset[int] = frozenset()) -> Iterator[bytes]:
    """The bulk export: one line per order and per line item (with ``__parentId``).

    As on Shopify, a line item does not always follow its order: here each order's line
    items come after the next order's line, or, with ``children_first``, before their order.
    Line numbers in ``corrupt`` are cut in half, as a broken download would be.
    """
    number = 0

    def emit(text: str) -> bytes:
        nonlocal number
        number += 1
        return (text[: len(text) // 2] if number in corrupt else text).encode() + b"\n"

    pending: list[str] = []
    for order in orders:
        children = [line_json(line, order.currency, order.id) for line in order.lines]
        if children_first:
            yield from (emit(child) for child in children)
            yield emit(order_json(order))
            continue
        yield emit(order_json(order))
        yield from (emit(child) for child in pending)
        pending = children
    yield from (emit(child) for child in pending)
