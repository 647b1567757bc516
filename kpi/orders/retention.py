"""Customers who come back: a repurchase within 30 days, and lapsed customers won back.

Both follow each customer's orders across the period's edges, so they are counted from the
order history rather than summed per day: ``repurchased_30d`` looks up to 30 days past the
period's end, ``lapsed_customers`` and ``won_back`` up to 180 days before its start.
"""

from __future__ import annotations

import pandas as pd

from kpi.answer import Period
from kpi.orders.measures import order_history
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

REPURCHASE_DAYS = 30
LAPSED_DAYS = 180
RETENTION_MEASURES = frozenset({"repurchased_30d", "lapsed_customers", "won_back"})


def retention_sums(db: KpiReader, store: StoreSettings, period: Period) -> dict[str, float]:
    """The three retention counts for ``period``."""
    history = order_history(db, store.name, store.ltv_months)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    lapsed = lapsed_at(history, start)
    ordered = history.loc[(history["date"] >= start) & (history["date"] <= end), "customer"].unique()
    return {"repurchased_30d": float(repurchased(history, start, end)), "lapsed_customers": float(len(lapsed)),
            "won_back": float(lapsed.isin(ordered).sum())}


def repurchased(history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Customers with an order in [start, end] followed by another on a later day, at most 30 days later."""
    days = history[["customer", "date"]].drop_duplicates().sort_values(["customer", "date"])
    following = days.groupby("customer")["date"].shift(-1)
    inside = (days["date"] >= start) & (days["date"] <= end)
    back = inside & ((following - days["date"]) <= pd.Timedelta(days=REPURCHASE_DAYS))
    return int(days.loc[back, "customer"].nunique())


def lapsed_at(history: pd.DataFrame, start: pd.Timestamp) -> pd.Index:
    """Customers who had ordered before ``start``, but not in the 180 days before it."""
    last = history[history["date"] < start].groupby("customer")["date"].max()
    return last.index[last < start - pd.Timedelta(days=LAPSED_DAYS)]
