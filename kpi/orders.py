"""Order-based measures (SPEC §5.2, §7): customers, repurchase, LTV, new vs returning, RFM.

All measures are sums or counts over the period, so the catalogue's ratios stay ratios of
sums. The store's counted orders are read once and cached until they change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import pandas as pd
from sqlite_utils import Database

from connectors.orders_store import counted_orders, orders_version
from kpi.answer import Period
from kpi.caveats import Caveat
from kpi.metric import Metric
from kpi.rfm import rfm_scores
from kpi.settings import StoreSettings

_CACHE: OrderedDict[tuple[str, str, tuple[int, int, str]], pd.DataFrame] = OrderedDict()
_LOCK = threading.Lock()
LTV_MEASURES = ("ltv_revenue",)


def order_history(db: Database, store: str) -> pd.DataFrame:
    """Counted orders with each customer's first-order date and the order's rank (1 = first)."""
    key = (str(db.conn.execute("PRAGMA database_list").fetchone()[2]), store, orders_version(db, store))
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    frame = counted_orders(db, store)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["rank"] = frame.groupby("customer").cumcount() + 1
    frame["first_date"] = frame.groupby("customer")["date"].transform("min")
    with _LOCK:
        _CACHE[key] = frame
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    return frame


def order_measures(db: Database, store: StoreSettings, period: Period, by: str | None) -> pd.DataFrame:
    history = order_history(db, store.name)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    inside = history[(history["date"] >= start) & (history["date"] <= end)].copy()
    cohort = history[(history["first_date"] >= start) & (history["first_date"] <= end)]
    window = cohort["first_date"] + pd.DateOffset(months=store.ltv_months)
    cohort = cohort[cohort["date"] < window]
    if by is None:
        inside["key"], cohort = "total", cohort.assign(key="total")
    elif by == "visitor":
        inside["key"] = inside["rank"].map(lambda rank: "new" if rank == 1 else "returning")
        cohort = cohort.assign(key="new")
    else:  # segment
        segments = rfm_scores(history[history["date"] <= end], period.end)["segment"]
        inside["key"] = inside["customer"].map(segments)
        cohort = cohort.assign(key=cohort["customer"].map(segments))
    return _measures(inside, cohort)


def _measures(inside: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    groups = inside.groupby("key")
    first = inside[inside["rank"] == 1].groupby("key")
    later = inside[inside["rank"] > 1].groupby("key")
    per_customer = inside.groupby(["key", "customer"]).size()
    frame = pd.DataFrame({
        "orders": groups.size(), "revenue": groups["total"].sum(), "customers": groups["customer"].nunique(),
        "repeat_customers": (per_customer >= 2).groupby(level="key").sum(),
        "first_orders": first.size(), "first_order_revenue": first["total"].sum(),
        "returning_orders": later.size(), "returning_revenue": later["total"].sum(),
        "new_customers": first["customer"].nunique(),
        "ltv_revenue": cohort.groupby("key")["total"].sum(),
    })
    return frame.fillna(0.0).astype(float)


def order_caveats(db: Database, store: StoreSettings, metric: Metric, period: Period, as_of: date) -> list[Caveat]:
    if order_history(db, store.name).empty:
        return [Caveat("no_orders")]
    measures = {part.measure for part in (metric.numerator, metric.denominator) if part}
    if measures & set(LTV_MEASURES):
        since = (pd.Timestamp(as_of) - pd.DateOffset(months=store.ltv_months)).date()
        if period.end >= since:
            return [Caveat("young_cohort", {"since": since.isoformat(), "months": store.ltv_months})]
    return []
