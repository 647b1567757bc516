"""Pure parsing of Shopify Admin GraphQL order nodes and bulk JSONL records into plain orders.

No network and no database: every function here is tested on saved JSON files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from connectors.orders.rules import OrderLine, ShopOrder

# displayFinancialStatus values that count, as in Shopify's own sales reports
LIVE_STATUSES = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "PENDING", "AUTHORIZED"}


class BadRecord(ValueError):
    """A node without what every order must have (an id, a date, a total)."""


def gid_tail(gid: Any) -> str:
    """``gid://shopify/Order/5100000001`` -> ``5100000001``."""
    if not isinstance(gid, str) or "/" not in gid:
        raise BadRecord(f"not a Shopify id: {gid!r}")
    return gid.rsplit("/", 1)[1]


def gid_kind(gid: Any) -> str | None:
    """``gid://shopify/LineItem/1`` -> ``LineItem``."""
    return gid.split("/")[-2] if isinstance(gid, str) and gid.count("/") >= 4 else None


def money(node: Mapping[str, Any], field: str) -> tuple[float, str] | None:
    """A MoneyBag's shop money as (amount, currency), or None when the field is absent."""
    bag = node.get(field)
    shop_money = bag.get("shopMoney") if isinstance(bag, dict) else None
    if not isinstance(shop_money, dict):
        return None
    try:
        return float(shop_money["amount"]), str(shop_money.get("currencyCode") or "")
    except (KeyError, TypeError, ValueError):
        raise BadRecord(f"{field} has no readable amount: {shop_money!r}") from None


def timestamp(node: Mapping[str, Any], field: str) -> datetime | None:
    value = node.get(field)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRecord(f"{field} is not a date: {value!r}") from None
    if moment.tzinfo is None:
        raise BadRecord(f"{field} has no time zone: {value!r}")
    return moment


def parse_order(node: Mapping[str, Any]) -> ShopOrder:
    """One ``Order`` node (without its line items) as a plain order."""
    order_id = gid_tail(node.get("id"))
    created = timestamp(node, "createdAt")
    total = money(node, "totalPriceSet")
    if created is None or total is None:
        raise BadRecord(f"order {order_id} has no createdAt or totalPriceSet")
    financial = str(node.get("displayFinancialStatus") or "").upper()
    cancelled = node.get("cancelledAt") is not None
    customer = node.get("customer")
    return ShopOrder(
        order_id=order_id, name=str(node.get("name") or order_id), created_at=created,
        updated_at=timestamp(node, "updatedAt"), total=total[0], refunded=_amount(node, "totalRefundedSet"),
        currency=total[1] or str(node.get("currencyCode") or ""),
        status="cancelled" if cancelled else financial.lower() or "unknown",
        live=not cancelled and financial in LIVE_STATUSES,
        customer_id=gid_tail(customer["id"]) if isinstance(customer, dict) and customer.get("id") else None,
        email=node.get("email") or None, test=bool(node.get("test")),
        subtotal=_optional(node, "subtotalPriceSet"), discounts=_optional(node, "totalDiscountsSet"),
        shipping=_optional(node, "totalShippingPriceSet"), tax=_optional(node, "totalTaxSet"),
        sales_channel=node.get("sourceName"),
    )


def _amount(node: Mapping[str, Any], field: str) -> float:
    found = money(node, field)
    return found[0] if found else 0.0


def _optional(node: Mapping[str, Any], field: str) -> float | None:
    found = money(node, field)
    return found[0] if found else None


def parse_line(node: Mapping[str, Any]) -> OrderLine:
    product = node.get("product") if isinstance(node.get("product"), dict) else {}
    assert isinstance(product, Mapping)
    return OrderLine(
        line=gid_tail(node.get("id")), quantity=int(node.get("quantity") or 0), sku=node.get("sku") or None,
        title=node.get("title"), product_id=gid_tail(product["id"]) if product.get("id") else None,
        product_type=product.get("productType") or None, vendor=node.get("vendor") or None,
        net_amount=_amount(node, "discountedTotalSet"),
    )


def parse_connection_order(node: Mapping[str, Any]) -> tuple[ShopOrder, str | None]:
    """An order node of the ``orders`` connection with its first line items, and the cursor
    to fetch the rest from (None when it has them all)."""
    order = parse_order(node)
    items = node.get("lineItems") or {}
    lines = tuple(parse_line(edge["node"]) for edge in items.get("edges", []))
    page = items.get("pageInfo") or {}
    return replace(order, lines=lines), page.get("endCursor") if page.get("hasNextPage") else None


def parse_line_page(connection: Mapping[str, Any]) -> tuple[list[OrderLine], str | None]:
    lines = [parse_line(edge["node"]) for edge in connection.get("edges", [])]
    page = connection.get("pageInfo") or {}
    return lines, page.get("endCursor") if page.get("hasNextPage") else None


def parse_bulk_record(record: Mapping[str, Any]) -> ShopOrder | tuple[str, OrderLine] | None:
    """One JSONL line of a bulk export: an order, a (parent order id, line item), or None for
    anything else. A line item names its order in ``__parentId`` and may come before it."""
    kind = gid_kind(record.get("id"))
    if kind == "Order":
        return parse_order(record)
    if kind == "LineItem":
        return gid_tail(record.get("__parentId")), parse_line(record)
    return None
