"""One rule for every order source (CSV, Shopify, WooCommerce): which orders count, and for how much.

Cancelled, voided, test and fully refunded orders count for nothing (they stay in the
table). A partially refunded order counts with its net revenue, total − refunded. An
order in another currency than the store's is kept and flagged, and left out of sums.
A guest (no customer id, no email) is its own customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CENT = 0.005  # amounts closer than half a cent are equal


@dataclass(frozen=True)
class OrderLine:
    line: str  # the source's own line-item id, stable across syncs
    quantity: int
    sku: str | None
    title: str | None
    product_id: str | None
    product_type: str | None
    vendor: str | None
    net_amount: float


@dataclass(frozen=True)
class ShopOrder:
    """An order as every live source hands it to the warehouse (amounts in the order's currency)."""

    order_id: str
    name: str
    created_at: datetime  # timezone-aware
    updated_at: datetime | None
    total: float  # gross, before refunds
    refunded: float
    currency: str
    status: str  # the source's own word: paid, partially_refunded, completed, cancelled...
    live: bool  # the source's status counts (not cancelled, voided, unpaid...)
    customer_id: str | None = None
    email: str | None = None
    test: bool = False
    subtotal: float | None = None
    discounts: float | None = None
    shipping: float | None = None
    tax: float | None = None
    sales_channel: str | None = None
    lines: tuple[OrderLine, ...] = field(default_factory=tuple)


def order_currency(given: str | None, store_currency: str) -> str:
    """An order that names no currency is in the store's; one in another is kept but never summed."""
    return given.strip().upper() if given and given.strip() else store_currency


def fully_refunded(total: float, refunded: float) -> bool:
    return refunded > CENT and refunded >= total - CENT


def counts(live: bool, test: bool, total: float, refunded: float, same_currency: bool) -> bool:
    """Whether an order counts in orders, customers and revenue."""
    return live and not test and same_currency and not fully_refunded(total, refunded)


def net_revenue(total: float, refunded: float) -> float:
    return max(total - refunded, 0.0)


def customer_key(source: str, order_id: str, customer_id: str | None, email: str | None) -> str:
    """Who bought: the email when there is one (as the CSV import does), else the shop's customer
    id, else the order itself (a guest is its own customer)."""
    if email and email.strip():
        return email.strip().lower()
    if customer_id:
        return f"{source}-customer:{customer_id}"
    return f"guest:{source}:{order_id}"
