"""What an answer built on the marketing sources must say about its data, as caveat codes.

A statistic Klaviyo refused is unknown, so the KPI is too, and the caveat names it. Meta spend
in another currency than the store's is left out of every sum in the store's currency, and the
caveat names the currency and the account. A repurchase window that has not closed yet
undercounts, and says so.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from kpi.answer import Period
from kpi.caveats import Caveat
from kpi.metric import Leaf, Metric
from kpi.orders.retention import REPURCHASE_DAYS
from kpi.parts import resolved_leaves, where_of
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

MARKETING_SOURCES = frozenset({"klaviyo_flows", "klaviyo_campaigns", "meta_ads"})


def metric_leaves(db: KpiReader, store: StoreSettings, metric: Metric) -> tuple[Leaf, ...]:
    """The sums the KPI reads for this store (each choice between sources made)."""
    return tuple(leaf for part in metric.parts for leaf in resolved_leaves(db, store, part))


def marketing_caveats(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, as_of: date,
                      value: float | None) -> list[Caveat]:
    read = metric_leaves(db, store, metric)
    found: list[Caveat] = []
    unknown = sorted({leaf.measure for leaf in read if leaf.source in MARKETING_SOURCES
                      and _unknown(db, store, leaf, period)})
    if unknown:
        found.append(Caveat("unknown_statistic", {"statistics": ", ".join(m.replace("_", " ") for m in unknown)}))
    if any(leaf.source == "meta_ads" for leaf in read):
        found.extend(foreign_currency(db, store, period))
    sources = {leaf.source for leaf in read}
    if value is None and sources <= MARKETING_SOURCES and not any(
            db.days_with_data(store.name, source, period.start, period.end) for source in sources):
        found.append(Caveat("no_data"))
    if any(leaf.measure == "repurchased_30d" for leaf in read):
        found.extend(_open_window(period, as_of))
    return found


def foreign_currency(db: KpiReader, store: StoreSettings, period: Period) -> list[Caveat]:
    """One caveat per Meta account whose spend in the period is in another currency than the store's."""
    frame = db.daily(store.name, "meta_ads", "spend", period.start, period.end, by=("account_id", "currency"))
    foreign = frame[frame["currency"].notna() & (frame["currency"] != store.currency)]
    return [Caveat("meta_currency", {"account": str(account), "currency": str(currency),
                                     "store_currency": store.currency})
            for account, currency in sorted(set(zip(foreign["account_id"], foreign["currency"], strict=True)))]


def _unknown(db: KpiReader, store: StoreSettings, leaf: Leaf, period: Period) -> bool:
    sums = db.sums(store.name, leaf.source, leaf.measure, period.start, period.end, where=where_of(store, leaf, None))
    return any(math.isnan(value) for value in sums.values())


def _open_window(period: Period, as_of: date) -> list[Caveat]:
    """Customers who ordered in the last 30 days of data have not had 30 days to come back yet."""
    last_closed = as_of - timedelta(days=REPURCHASE_DAYS + 1)
    if period.end <= last_closed:
        return []
    return [Caveat("repurchase_window_open", {"since": last_closed.isoformat(), "days": REPURCHASE_DAYS})]
