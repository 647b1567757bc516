"""The shop's own sales as KPI parts: net revenue, orders, refunds, discounts, units, by product.

The sums come from ``KpiReader.shop_sales`` (grouped in the warehouse), so every ratio
over a period is a ratio of sums. A period's frame is cached until the orders change:
a ratio's two parts, and the digest's three windows per KPI, share one read.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kpi.answer import Period
from kpi.caveats import Caveat
from kpi.metric import Sum
from kpi.orders.measures import cached
from kpi.query.errors import QueryError
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

SOURCE = "shop"
PRODUCT_SPLITS = ("product", "product_type")
# What a product split can say: line items know their amount, units and order, not the order's refunds.
PRODUCT_MEASURES = frozenset({"orders", "net_revenue", "units", "orders_with_lines"})
TOTAL = ""


def shop_frame(db: KpiReader, store: str, period: Period, by: str | None) -> pd.DataFrame:
    """The store's sales over ``period`` per key of ``by``, indexed by key (cached until the orders change)."""
    key = ("shop", db.orders_version(store), store, period.start, period.end, by)
    return cached(key, lambda: db.shop_sales(store, period.start, period.end, by=by).set_index("key"))


def shop_part_sums(db: KpiReader, store: StoreSettings, part: Sum, period: Period, by: str | None = None
                   ) -> dict[str, float]:
    """Σ of one shop measure over ``period``, per key of ``by`` (``date``, a product split) or under ``""``."""
    if by in PRODUCT_SPLITS and part.measure not in PRODUCT_MEASURES:
        raise QueryError(f"cannot_split_{by}", {"by": by}, example=f"shop_revenue last-30d by {by}")
    frame = shop_frame(db, store.name, period, by)
    if part.measure not in frame.columns:
        return {}
    return {str(key): float(value) for key, value in frame[part.measure].items() if pd.notna(value)}


def currency_caveats(db: KpiReader, store: StoreSettings, start: date, end: date) -> list[Caveat]:
    """One caveat per other currency whose orders of the period are left out of every sum."""
    return [Caveat("other_currency", {"currency": code, "count": count, "store_currency": store.currency})
            for code, count in db.other_currency_orders(store.name, start, end).items()]
