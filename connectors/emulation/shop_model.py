"""The orders a shop emulator serves, in neutral terms; each emulator renders them in its platform's JSON.

Tests build their own orders, or take the demo shop's, and change them between syncs
(a refund arriving late, a cancellation) with ``refund`` and ``cancel``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Shopify's displayFinancialStatus, lower case; the WooCommerce emulator maps them to its statuses
FINANCIAL_STATUSES = ("paid", "pending", "authorized", "partially_paid", "partially_refunded", "refunded",
                      "voided", "expired")


@dataclass
class EmulatedLine:
    id: int
    quantity: int
    sku: str
    title: str
    product_id: int
    product_type: str
    vendor: str
    unit_price: float
    discount: float = 0.0

    @property
    def subtotal(self) -> float:
        return round(self.quantity * self.unit_price, 2)

    @property
    def discounted_total(self) -> float:
        return round(self.subtotal - self.discount, 2)


@dataclass
class EmulatedOrder:
    id: int
    number: int
    created_at: datetime  # UTC
    updated_at: datetime
    lines: list[EmulatedLine]
    financial_status: str = "paid"
    currency: str = "EUR"
    shipping: float = 0.0
    tax_rate: float = 0.22  # prices include VAT, as in Italy
    customer_id: int | None = None
    email: str | None = None
    cancelled_at: datetime | None = None
    test: bool = False
    source_name: str = "web"
    refunds: list[float] = field(default_factory=list)

    @property
    def subtotal(self) -> float:
        return self.amounts().subtotal

    @property
    def discounts(self) -> float:
        return self.amounts().discounts

    @property
    def total(self) -> float:
        return self.amounts().total

    @property
    def tax(self) -> float:
        return self.amounts().tax

    @property
    def refunded(self) -> float:
        return round(sum(self.refunds), 2)

    def amounts(self) -> OrderAmounts:
        """Every amount of the order from one pass over its lines (an export renders them all)."""
        subtotal = round(sum(line.subtotal for line in self.lines), 2)
        discounts = round(sum(line.discount for line in self.lines), 2)
        total = round(subtotal - discounts + self.shipping, 2)
        return OrderAmounts(subtotal, discounts, total, round(total - total / (1 + self.tax_rate), 2),
                            round(sum(self.refunds), 2))


@dataclass(frozen=True)
class OrderAmounts:
    subtotal: float  # the lines at full price
    discounts: float
    total: float  # subtotal − discounts + shipping, tax included
    tax: float
    refunded: float


def refund(order: EmulatedOrder, amount: float, at: datetime) -> None:
    """A refund arriving at ``at``: partial, or full when it reaches the total."""
    order.refunds.append(round(amount, 2))
    order.financial_status = "refunded" if order.refunded >= order.total - 0.005 else "partially_refunded"
    order.updated_at = at


def cancel(order: EmulatedOrder, at: datetime) -> None:
    order.cancelled_at = at
    order.updated_at = at
