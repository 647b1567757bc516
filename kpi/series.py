"""Daily sums behind a KPI, read through the ``KpiReader``, and which days GA4 may still change.

One function serves the KPI answers, the anomaly detector and the charts, so a KPI's
numerator and denominator are read the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from kpi.metric import EntrySum, FirstOf, Formula, Metric, Sum, Total, leaves
from kpi.parts import choose, where_of
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

# Orders have no daily sums: they are counted per period. GA4's reports and the marketing sources are stored per day.
DAILY_SOURCES = ("sessions", "users", "ads", "klaviyo_flows", "klaviyo_campaigns", "meta_ads")

# GA4 keeps processing a day for 24 to 48 hours: yesterday and the day before are provisional.
PROCESSING_DAYS = 2


def provisional_days(as_of: date) -> set[date]:
    """The days GA4 may still change when running on ``as_of`` (never judged as final)."""
    return {as_of - timedelta(days=offset) for offset in range(1, PROCESSING_DAYS + 1)}


def has_daily_values(metric: Metric) -> bool:
    """Whether a day of the KPI means something: every sum it may read is stored per day and additive
    (an entry message, like the KPIs counted from orders, is a period's own)."""
    return all(leaf.source in DAILY_SOURCES and not isinstance(leaf, EntrySum)
               for part in metric.parts for leaf in leaves(part))


def daily_sums(
    db: KpiReader, store: str, part: Sum, start: date, end: date, by: Sequence[str] = ()
) -> pd.DataFrame:
    """Σ ``part.measure`` per day (and per ``by`` column) with ``part.where`` applied.

    Columns: ``date`` (ISO string), the ``by`` columns, and ``value``. Days without rows
    are absent; callers reindex when they need a dense series.
    """
    if part.source not in DAILY_SOURCES:
        raise ValueError(f"daily sums are not defined for source {part.source!r}")
    return db.daily(store, part.source, part.measure, start, end, by=by, where=dict(part.where))


def formula_daily(db: KpiReader, store: StoreSettings, part: Formula, start: date, end: date,
                  by: Sequence[str] = ()) -> pd.DataFrame:
    """``daily_sums`` of any additive formula: a ``Total`` adds its parts per day (and ``by`` value),
    ``FirstOf`` reads the store's choice. Columns ``date``, the ``by`` columns, ``value``."""
    if isinstance(part, FirstOf):
        return formula_daily(db, store, choose(db, store, part), start, end, by)
    if isinstance(part, Total):
        frames = [frame for p in part.parts if not (frame := formula_daily(db, store, p, start, end, by)).empty]
        if not frames:
            return pd.DataFrame(columns=["date", *by, "value"])
        return pd.concat(frames).groupby(["date", *by], as_index=False, sort=True)["value"].sum(min_count=1)
    if isinstance(part, EntrySum) or part.source == "orders":
        raise ValueError(f"daily sums are not defined for {part!r}")
    return db.daily(store.name, part.source, part.measure, start, end, by=by, where=where_of(store, part, None))
