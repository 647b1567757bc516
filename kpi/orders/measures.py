"""Order-based measures (SPEC §5.2, §7): customers, repurchase, LTV, new vs returning, RFM.

All measures are sums or counts over the period, so the catalogue's ratios stay ratios of
sums. The store's counted orders are read once and cached until they change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from kpi.answer import Period
from kpi.caveats import Caveat
from kpi.metric import Metric, leaves
from kpi.orders.rfm import rfm_scores
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

_CACHE: OrderedDict[tuple[object, ...], pd.DataFrame] = OrderedDict()
_LOCK = threading.Lock()
LTV_MEASURES = ("ltv_revenue",)


def cached(key: tuple[object, ...], build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    frame = build()
    with _LOCK:
        _CACHE[key] = frame
        while len(_CACHE) > 32:
            _CACHE.popitem(last=False)
    return frame


def order_history(db: KpiReader, store: str, ltv_months: int = 12) -> pd.DataFrame:
    """Counted orders with each customer's first-order date, the order's rank (1 = first)
    and the end of the customer's LTV window. Cached until the orders change."""
    return cached(("history", db.orders_version(store), ltv_months),
                   lambda: _history(db, store, ltv_months))


def _history(db: KpiReader, store: str, ltv_months: int) -> pd.DataFrame:
    frame = db.counted_orders(store)
    frame["customer"] = pd.factorize(frame["customer"])[0].astype(np.int32)  # ints group far faster than hashes
    frame["date"] = pd.to_datetime(frame["date"])
    frame["rank"] = frame.groupby("customer").cumcount() + 1
    frame["first_date"] = frame.groupby("customer")["date"].transform("min")
    frame["ltv_end"] = add_months(frame["first_date"], ltv_months)
    return frame


def add_months(days: pd.Series, months: int) -> pd.Series:
    """``days`` plus whole months, clipped to the month's end (vectorised DateOffset)."""
    if days.empty:
        return days
    index = days.dt.year * 12 + days.dt.month - 1 + months
    first = pd.to_datetime(pd.DataFrame({"year": index // 12, "month": index % 12 + 1, "day": 1}))
    last_day = first.dt.days_in_month
    return first + pd.to_timedelta(np.minimum(days.dt.day, last_day) - 1, unit="D")


def order_measures(db: KpiReader, store: StoreSettings, period: Period, by: str | None) -> pd.DataFrame:
    """Every order measure for ``period`` per key of ``by``; a ratio's two parts share one computation."""
    key = ("measures", db.orders_version(store.name), store.ltv_months, period.start, period.end, by)
    return cached(key, lambda: _order_measures(db, store, period, by))


def _order_measures(db: KpiReader, store: StoreSettings, period: Period, by: str | None) -> pd.DataFrame:
    history = order_history(db, store.name, store.ltv_months)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    inside = history[(history["date"] >= start) & (history["date"] <= end)].copy()
    cohort = history[(history["first_date"] >= start) & (history["first_date"] <= end)]
    cohort = cohort[cohort["date"] < cohort["ltv_end"]]
    if by is None:
        inside["key"], cohort = "total", cohort.assign(key="total")
    elif by == "visitor":
        # Per customer, not per order, so new + returning = customers: a customer whose first order falls
        # in the period is new for all of it (their second order too), anyone who bought before is returning.
        inside["key"] = np.where(inside["first_date"] >= start, "new", "returning")
        cohort = cohort.assign(key="new")
    else:  # segment
        segments = customer_segments(db, store, period.end)
        inside["key"] = inside["customer"].map(segments)
        cohort = cohort.assign(key=cohort["customer"].map(segments))
    return _measures(inside, cohort)


def _measures(inside: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    inside = inside.assign(key=inside["key"].astype("category"))
    groups = inside.groupby("key", observed=True)
    first = inside[inside["rank"] == 1].groupby("key", observed=True)
    later = inside[inside["rank"] > 1].groupby("key", observed=True)
    per_customer = inside.groupby(["key", "customer"], observed=True, sort=False).size()
    frame = pd.DataFrame({
        "orders": groups.size(), "revenue": groups["total"].sum(), "customers": groups["customer"].nunique(),
        "repeat_customers": (per_customer >= 2).groupby(level="key").sum(),
        "first_orders": first.size(), "first_order_revenue": first["total"].sum(),
        "returning_orders": later.size(), "returning_revenue": later["total"].sum(),
        "new_customers": first["customer"].nunique(),
        "ltv_revenue": cohort.groupby("key")["total"].sum(),
    })
    frame.index = frame.index.astype(str)
    return frame.fillna(0.0).astype(float)


def customer_segments(db: KpiReader, store: StoreSettings, as_of: date) -> pd.Series:
    """Each customer's RFM segment from their orders up to ``as_of`` (cached)."""
    def build() -> pd.DataFrame:
        history = order_history(db, store.name, store.ltv_months)
        return rfm_scores(history[history["date"] <= pd.Timestamp(as_of)], as_of)

    return cached(("rfm", db.orders_version(store.name), store.ltv_months, as_of), build)["segment"]


def order_caveats(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, as_of: date) -> list[Caveat]:
    if order_history(db, store.name, store.ltv_months).empty:
        return [Caveat("no_orders")]
    measures = {leaf.measure for part in metric.parts for leaf in leaves(part)}
    if measures & set(LTV_MEASURES):
        since = (pd.Timestamp(as_of) - pd.DateOffset(months=store.ltv_months)).date()
        if period.end >= since:
            return [Caveat("young_cohort", {"since": since.isoformat(), "months": store.ltv_months})]
    return []
