"""The shop's own sales, summed in SQL for the KPI maths: orders by day, line items by product.

What counts follows ``connectors.orders.rules``: a *counted* order (not cancelled, voided,
test, fully refunded or in another currency) brings its net revenue (total − refunded),
one order and its units. Refund and discount rates look at every *sold* order: the
counted ones plus the fully refunded ones, whose refund is their whole total, so that
gross − refunded over the sold orders is exactly the net revenue of the counted ones.
Every sum is grouped in SQL, so a ratio over a period is a ratio of sums.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from connectors.engine.database import Database
from connectors.orders.rules import CENT
from connectors.reader import SUM_DECIMALS
from connectors.tables import SHOP_SPLITS

# Statuses that were never a sale, whatever their amounts say (every source's own words).
NEVER_SOLD = ("cancelled", "canceled", "voided", "void", "annullato", "failed", "trash", "checkout-draft",
              "pending", "expired")
# Sold: counted, or fully refunded (the source says so, or the refunds reach the total) and otherwise a sale.
SOLD = (f"(o.counted = 1 OR (o.test = 0 AND o.other_currency = 0 "
        f"AND o.status NOT IN ({', '.join(repr(status) for status in NEVER_SOLD)}) "
        f"AND (o.status IN ('refunded', 'rimborsato') OR (o.refunded > {CENT} AND o.refunded >= o.total - {CENT}))))")

ORDER_MEASURES = f"""
    SUM(o.counted) AS orders,
    SUM(CASE WHEN o.counted = 1 THEN o.total - o.refunded ELSE 0 END) AS net_revenue,
    SUM(CASE WHEN {SOLD} THEN o.total ELSE 0 END) AS gross,
    SUM(CASE WHEN o.counted = 1 THEN o.refunded WHEN {SOLD} THEN o.total ELSE 0 END) AS refunded,
    SUM(CASE WHEN {SOLD} THEN COALESCE(o.discounts, 0) ELSE 0 END) AS discounts,
    SUM(CASE WHEN {SOLD} AND o.discounts IS NOT NULL THEN o.total + o.discounts ELSE 0 END) AS list_value,
    SUM(CASE WHEN o.counted = 1 THEN o.units ELSE 0 END) AS units,
    SUM(CASE WHEN o.counted = 1 AND o.units IS NOT NULL THEN 1 ELSE 0 END) AS orders_with_lines"""

# The period's orders, each with its units from its line items (NULL when it has none, as a CSV import);
# one step down the line items' primary key per order.
ORDERS_WITH_UNITS = ("(SELECT o.*, (SELECT SUM(l.quantity) FROM order_lines l WHERE l.store = o.store "
                     "AND l.source = o.source AND l.order_id = o.order_id) AS units FROM orders o "
                     "WHERE o.store = ? AND o.date BETWEEN ? AND ?) o")


def shop_sales(db: Database, store: str, start: date, end: date, by: str | None = None) -> pd.DataFrame:
    """Sums of the store's orders placed in [start, end], per ``by`` (None: one row keyed ``""``;
    ``date``; or a product split of ``connectors.tables.SHOP_SPLITS``). Columns: ``key`` and the
    measures; a product split has ``orders``, ``net_revenue``, ``units`` and ``orders_with_lines``."""
    params = [store, start.isoformat(), end.isoformat()]  # each query names them once, in this order
    if by in SHOP_SPLITS:
        products = _frame(db, _product_sql(SHOP_SPLITS[by]), params)
        # code-point order, whatever the PostgreSQL database's collation does with product names
        return products.sort_values("key", kind="stable", ignore_index=True)
    if by not in (None, "date"):
        raise ValueError(f"the shop's sales have no split {by!r}")
    if by == "date":
        return _frame(db, f"SELECT o.date AS key, {ORDER_MEASURES} FROM {ORDERS_WITH_UNITS} GROUP BY o.date "
                      "ORDER BY o.date", params)
    total = _frame(db, f"SELECT '' AS key, {ORDER_MEASURES} FROM {ORDERS_WITH_UNITS}", params)
    return total[total["orders"].notna()]  # no orders at all: no row, as a split gives


def _product_sql(column: str) -> str:
    key = f"COALESCE(NULLIF(l.{column}, ''), '(not set)')"
    return (f"SELECT {key} AS key, COUNT(DISTINCT o.source || ':' || o.order_id) AS orders, "
            "SUM(l.net_amount) AS net_revenue, SUM(l.quantity) AS units, "
            "COUNT(DISTINCT o.source || ':' || o.order_id) AS orders_with_lines "
            "FROM orders o JOIN order_lines l ON l.store = o.store AND l.source = o.source "
            "AND l.order_id = o.order_id WHERE o.store = ? AND o.date BETWEEN ? AND ? "
            f"AND o.counted = 1 GROUP BY {key} ORDER BY {key}")


def _frame(db: Database, sql: str, params: list[Any]) -> pd.DataFrame:
    """The rows as a frame; money sums rounded as ``connectors.reader`` rounds them (the engines add
    floats in different orders, and must answer alike to the last decimal)."""
    cursor = db.execute(sql, params)
    frame = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    return frame.round(SUM_DECIMALS)


def other_currency_orders(db: Database, store: str, start: date, end: date) -> dict[str, int]:
    """Orders of [start, end] kept but left out of every sum for their currency, per currency."""
    rows = db.execute("SELECT currency, COUNT(*) FROM orders WHERE store = ? AND date BETWEEN ? AND ? "
                      "AND other_currency = 1 GROUP BY currency ORDER BY currency",
                      [store, start.isoformat(), end.isoformat()]).fetchall()
    return {str(currency): int(count) for currency, count in rows}
