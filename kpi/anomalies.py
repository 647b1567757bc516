"""Anomaly detection over the warehouse (SPEC §8): the judgement the daily alert check uses.

Each series is read once for the whole range plus the history it needs, then every day is
judged on the days before it only (``kpi.baselines``), so ``detect`` over a range is an
honest backtest of what the daily check said. Days GA4 is still processing are never
judged, and days marked Expected stay out of every baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlite_utils import Database

from kpi.answer import Period
from kpi.baselines import judge_additive, judge_ratio
from kpi.catalogue import BY_NAME
from kpi.contributors import Segments, main_contributor, read_segments
from kpi.metric import Metric, Sum
from kpi.series import daily_sums, provisional_days
from kpi.settings import StoreSettings
from kpi.watch import COUNTS, WATCHED

HISTORY_DAYS = 84  # enough for six weeks of same-weekday medians and 28 days of residuals


@dataclass(frozen=True)
class Anomaly:
    date: date
    metric: str
    value: float
    expected: float
    low: float
    high: float
    severity: str  # warning | critical
    contributor: str | None
    z: float

    @property
    def direction(self) -> str:
        return "up" if self.value > self.expected else "down"

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "metric": self.metric, "value": self.value,
                "expected": self.expected, "low": self.low, "high": self.high, "severity": self.severity,
                "contributor": self.contributor}


def default_period(as_of: date) -> Period:
    return Period(as_of - timedelta(days=90), as_of - timedelta(days=1))


def detect(db: Database, store: StoreSettings, as_of: date, metrics: Sequence[str] | None = None,
           period: Period | None = None, excluded_days: Mapping[str, set[date]] | None = None) -> list[Anomaly]:
    """Every flagged day in ``period`` (default last-90d) for ``metrics`` (default: watched)."""
    period = period or default_period(as_of)
    last_final = as_of - timedelta(days=1 + len(provisional_days(as_of)))
    end = min(period.end, last_final)
    found: list[Anomaly] = []
    for name in metrics or list(WATCHED):
        if period.start > end:
            break
        excluded = _excluded(excluded_days, name)
        found.extend(_detect_metric(db, store, BY_NAME[name], Period(period.start, end), excluded))
    return sorted(found, key=lambda a: (a.date, a.metric))


def judge_day(db: Database, store: StoreSettings, metric: str, day: date, as_of: date,
              excluded_days: Mapping[str, set[date]] | None = None) -> Anomaly | None:
    """The daily alert check's verdict on one day: the same judgement as ``detect``."""
    flagged = detect(db, store, as_of, [metric], Period(day, day), excluded_days)
    return flagged[0] if flagged else None


def _excluded(excluded_days: Mapping[str, set[date]] | None, metric: str) -> set[date]:
    if not excluded_days:
        return set()
    return set(excluded_days.get(metric, set())) | set(excluded_days.get("*", set()))


def _dense(frame: pd.DataFrame, index: pd.DatetimeIndex, by: str | None = None) -> pd.DataFrame | pd.Series:
    if frame.empty:
        return pd.Series(0.0, index=index) if by is None else pd.DataFrame(index=index)
    frame = frame.assign(date=pd.to_datetime(frame["date"]))
    if by is None:
        return frame.set_index("date")["value"].reindex(index, fill_value=0.0)
    return frame.pivot_table(index="date", columns=by, values="value", aggfunc="sum").reindex(index).fillna(0.0)


def _read(db: Database, store: StoreSettings, part: Sum, span: Period, by: str | None = None) -> Any:
    index = pd.date_range(span.start, span.end, freq="D")
    return _dense(daily_sums(db, store.name, part, span.start, span.end, [by] if by else []), index, by)


def _detect_metric(db: Database, store: StoreSettings, metric: Metric, period: Period,
                   excluded: set[date]) -> list[Anomaly]:
    span = Period(period.start - timedelta(days=HISTORY_DAYS), period.end)
    thresholds = WATCHED.get(metric.name) or WATCHED["revenue"]
    mask = pd.Series(pd.date_range(span.start, span.end).isin(pd.to_datetime(sorted(excluded))),
                     index=pd.date_range(span.start, span.end))
    numerator = _read(db, store, metric.numerator, span)
    if metric.denominator is None:
        mask |= _missing_days(db, store, span)
        counts = _read(db, store, BY_NAME[COUNTS[metric.name]].numerator, span) if metric.name in COUNTS else None
        judged = judge_additive(numerator, thresholds, mask, counts)
    else:
        judged = judge_ratio(numerator, _read(db, store, metric.denominator, span), thresholds, mask)
    judged = judged.loc[pd.Timestamp(period.start):pd.Timestamp(period.end)]
    flagged = judged[(judged["severity"] != "") & ~judged.index.isin(mask[mask].index)]
    if flagged.empty:
        return []
    segments = read_segments(db, store, metric, span)
    return [_anomaly(segments, metric, day, row) for day, row in flagged.iterrows()]


def _missing_days(db: Database, store: StoreSettings, span: Period) -> pd.Series:
    """Days with no GA4 rows at all are gaps in the data, not zeros to learn from."""
    present = daily_sums(db, store.name, Sum("sessions"), span.start, span.end)["date"]
    index = pd.date_range(span.start, span.end)
    return pd.Series(~index.isin(pd.to_datetime(present)), index=index)


def _anomaly(segments: Segments, metric: Metric, day: pd.Timestamp, row: pd.Series) -> Anomaly:
    value, expected, low, high = (float(row[c]) for c in ("value", "expected", "low", "high"))
    if metric.transform == "one_minus":
        value, expected, low, high = 1 - value, 1 - expected, 1 - high, 1 - low
    contributor = main_contributor(segments, day.date(), float(row["value"]) > float(row["expected"]))
    return Anomaly(day.date(), metric.name, value, expected, low, high, str(row["severity"]), contributor,
                   float(row["z"]))


def backtest(db: Database, store: StoreSettings, start: date, end: date,
             metrics: Sequence[str] | None = None) -> dict[str, Any]:
    """``detect`` over ``start..end`` as the daily check would have judged each day then.

    Judged as of the day after ``end`` plus the processing window, so every day in the range is final.
    """
    as_of = end + timedelta(days=1 + len(provisional_days(end)))
    found = detect(db, store, as_of, metrics, Period(start, end))
    names = list(metrics or WATCHED)
    days = (end - start).days + 1
    per_metric = {name: sum(1 for a in found if a.metric == name) for name in names}
    return {"start": start.isoformat(), "end": end.isoformat(), "days": days, "flagged": per_metric,
            "per_100_days": {name: 100 * count / days for name, count in per_metric.items()},
            "anomalies": [a.to_json() for a in found]}
