"""Daily sums behind a KPI, read through the ``KpiReader``, and which days GA4 may still change.

One function serves the KPI answers, the anomaly detector and the charts, so a KPI's
numerator and denominator are read the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from kpi.metric import Sum
from kpi.reader import KpiReader

DAILY_SOURCES = ("sessions", "users", "ads")  # orders have no daily sums: they are counted per period

# GA4 keeps processing a day for 24 to 48 hours: yesterday and the day before are provisional.
PROCESSING_DAYS = 2


def provisional_days(as_of: date) -> set[date]:
    """The days GA4 may still change when running on ``as_of`` (never judged as final)."""
    return {as_of - timedelta(days=offset) for offset in range(1, PROCESSING_DAYS + 1)}


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
