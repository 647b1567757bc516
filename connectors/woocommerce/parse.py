"""Pure parsing of WooCommerce REST v3 order JSON into plain orders (tested on saved files).

``completed``, ``processing`` and ``on-hold`` are orders; ``pending`` (unpaid), ``failed``,
``cancelled``, ``refunded``, ``trash`` and ``checkout-draft`` are kept but count for
nothing. Refunds come from the order's ``refunds`` list, whose totals are negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.orders.rules import OrderLine, ShopOrder

LIVE_STATUSES = {"completed", "processing", "on-hold"}


class BadOrder(ValueError):
    pass


def gmt(value: Any, field: str) -> datetime | None:
    """WooCommerce's ``*_gmt`` dates carry no offset: they are UTC."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadOrder(f"{field} is not a date: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def amount(value: Any, field: str) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        raise BadOrder(f"{field} is not an amount: {value!r}") from None


def parse_order(data: Mapping[str, Any]) -> ShopOrder:
    if "id" not in data:
        raise BadOrder("an order without an id")
    order_id = str(data["id"])
    created = gmt(data.get("date_created_gmt"), "date_created_gmt")
    if created is None:
        raise BadOrder(f"order {order_id} has no date_created_gmt")
    lines = tuple(parse_line(item) for item in data.get("line_items") or [])
    billing = data.get("billing") if isinstance(data.get("billing"), Mapping) else {}
    assert isinstance(billing, Mapping)
    status = str(data.get("status") or "unknown")
    return ShopOrder(
        order_id=order_id, name=f"#{data.get('number') or order_id}", created_at=created,
        updated_at=gmt(data.get("date_modified_gmt"), "date_modified_gmt"),
        total=amount(data.get("total"), "total"),
        refunded=round(sum(abs(amount(r.get("total"), "refunds.total")) for r in data.get("refunds") or []), 2),
        currency=str(data.get("currency") or ""), status=status, live=status in LIVE_STATUSES,
        customer_id=str(data["customer_id"]) if data.get("customer_id") else None,
        email=billing.get("email") or None,
        subtotal=round(sum(amount(item.get("subtotal"), "subtotal") for item in data.get("line_items") or []), 2),
        discounts=amount(data.get("discount_total"), "discount_total"),
        shipping=amount(data.get("shipping_total"), "shipping_total"),
        tax=amount(data.get("total_tax"), "total_tax"), sales_channel=data.get("created_via") or None, lines=lines,
    )


def parse_line(item: Mapping[str, Any]) -> OrderLine:
    if "id" not in item:
        raise BadOrder("a line item without an id")
    return OrderLine(
        line=str(item["id"]), quantity=int(item.get("quantity") or 0), sku=item.get("sku") or None,
        title=item.get("name"), product_id=str(item["product_id"]) if item.get("product_id") else None,
        product_type=None, vendor=None, net_amount=amount(item.get("total"), "line_items.total"),
    )
