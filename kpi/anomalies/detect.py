"""Anomaly detection over the warehouse (SPEC §8): the judgement the daily alert check uses.

Each series is read once for the whole range plus the history it needs, then every day is
judged on the days before it only (``kpi.anomalies.baselines``), so ``detect`` over a range is an
honest backtest of what the daily check said. Days GA4 is still processing are never
judged, and days marked Expected stay out of every baseline. The store's calendar (holidays,
seasons, planned events) is built from its settings unless one is passed in; event days are
judged against the same event last year, or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from kpi.anomalies.baselines import judge_additive, judge_ratio
from kpi.anomalies.calendar import Calendar, event_for, store_calendar
from kpi.anomalies.contributors import Segments, main_contributor, read_segments
from kpi.anomalies.watch import COUNTS, WATCHED
from kpi.anomalies.yearly import event_days
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.metric import Formula, Metric, Sum
from kpi.reader import KpiReader
from kpi.series import formula_daily, provisional_days
from kpi.settings import StoreSettings

# A year plus how far Easter moves plus 8 weeks of paired days: enough for last year's twin
# of any day and the level ratio behind it.
HISTORY_DAYS = 364 + 36 + 56
SEGMENT_HISTORY_DAYS = 84  # enough for six weeks of same-weekday medians and 28 days of residuals


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
    event: str | None = None  # the holiday or event the day fell on, in the store's language

    @property
    def direction(self) -> str:
        return "up" if self.value > self.expected else "down"

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "metric": self.metric, "value": self.value,
                "expected": self.expected, "low": self.low, "high": self.high, "severity": self.severity,
                "contributor": self.contributor}


def default_period(as_of: date) -> Period:
    return Period(as_of - timedelta(days=90), as_of - timedelta(days=1))


def detect(db: KpiReader, store: StoreSettings, as_of: date, metrics: Sequence[str] | None = None,
           period: Period | None = None, excluded_days: Mapping[str, set[date]] | None = None,
           calendar: Calendar | None = None) -> list[Anomaly]:
    """Every flagged day in ``period`` (default last-90d) for ``metrics`` (default: watched)."""
    judged = judged_period(period or default_period(as_of), as_of)
    if judged.start > judged.end:
        return []
    span = Period(judged.start - timedelta(days=HISTORY_DAYS), judged.end)
    calendar = calendar if calendar is not None else store_calendar(store, span.start, span.end)
    context = _Context(db, store, span, calendar, event_days(calendar, pd.date_range(span.start, span.end)))
    found: list[Anomaly] = []
    for name in metrics or list(WATCHED):
        found.extend(_detect_metric(context, BY_NAME[name], judged, _excluded(excluded_days, name)))
    return sorted(found, key=lambda a: (a.date, a.metric))


def judged_period(period: Period, as_of: date) -> Period:
    """``period`` without the days GA4 is still processing on ``as_of`` (never judged as final)."""
    last_final = as_of - timedelta(days=1 + len(provisional_days(as_of)))
    return Period(period.start, min(period.end, last_final))


def judge_day(db: KpiReader, store: StoreSettings, metric: str, day: date, as_of: date,
              excluded_days: Mapping[str, set[date]] | None = None,
              calendar: Calendar | None = None) -> Anomaly | None:
    """The daily alert check's verdict on one day: the same judgement as ``detect``."""
    flagged = detect(db, store, as_of, [metric], Period(day, day), excluded_days, calendar)
    return flagged[0] if flagged else None


@dataclass(frozen=True)
class _Context:
    """What every metric of one ``detect`` call shares: the store, the span read, its calendar.

    Each daily sum is read once per call (sessions, for one, serve four KPIs).
    """

    db: KpiReader
    store: StoreSettings
    span: Period
    calendar: Calendar
    days: pd.DataFrame
    sums: dict[Formula, pd.Series] = field(default_factory=dict)

    def read(self, part: Formula) -> pd.Series:
        if part not in self.sums:
            self.sums[part] = _read(self.db, self.store, part, self.span)
        return self.sums[part]

    def missing_days(self) -> pd.Series:
        """Days with no GA4 rows at all are gaps in the data, not zeros to learn from."""
        present = formula_daily(self.db, self.store, Sum("sessions"), self.span.start, self.span.end)["date"]
        index = pd.date_range(self.span.start, self.span.end)
        return pd.Series(~index.isin(pd.to_datetime(present)), index=index)


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


def _read(db: KpiReader, store: StoreSettings, part: Formula, span: Period, by: str | None = None) -> Any:
    index = pd.date_range(span.start, span.end, freq="D")
    return _dense(formula_daily(db, store, part, span.start, span.end, [by] if by else []), index, by)


def _detect_metric(context: _Context, metric: Metric, period: Period, excluded: set[date]) -> list[Anomaly]:
    span = context.span
    thresholds = WATCHED.get(metric.name) or WATCHED["revenue"]
    mask = pd.Series(pd.date_range(span.start, span.end).isin(pd.to_datetime(sorted(excluded))),
                     index=pd.date_range(span.start, span.end))
    numerator = context.read(metric.numerator)
    if metric.denominator is None:
        mask |= context.missing_days()
        counts = context.read(BY_NAME[COUNTS[metric.name]].numerator) if metric.name in COUNTS else None
        judged = judge_additive(numerator, thresholds, mask, counts, context.days)
    else:
        judged = judge_ratio(numerator, context.read(metric.denominator), thresholds, mask, context.days,
                             proportion=is_proportion(metric))
    judged = judged.loc[pd.Timestamp(period.start):pd.Timestamp(period.end)]
    flagged = judged[(judged["severity"] != "") & ~judged.index.isin(mask[mask].index)]
    found: list[Anomaly] = []
    for stretch in _stretches([day.date() for day in flagged.index]):
        segments = read_segments(context.db, context.store, metric, stretch)
        days = flagged.loc[pd.Timestamp(stretch.start):pd.Timestamp(stretch.end)]
        found.extend(_anomaly(segments, metric, day, row, context.calendar) for day, row in days.iterrows())
    return found


def is_proportion(metric: Metric) -> bool:
    """A share of its denominator (CvR, bounce rate, email share), not a mean per unit (AOV, CPC, ROAS)."""
    return metric.unit == "ratio" and metric.transform != "minus_one"


def _stretches(days: list[date]) -> list[Period]:
    """Flagged days grouped into stretches, each with the history its segments' baselines need.

    Segments are read per stretch rather than over a whole multi-year backtest.
    """
    stretches: list[Period] = []
    for day in sorted(days):
        start = day - timedelta(days=SEGMENT_HISTORY_DAYS)
        if stretches and start <= stretches[-1].end:
            stretches[-1] = Period(stretches[-1].start, day)
        else:
            stretches.append(Period(start, day))
    return stretches


def _anomaly(segments: Segments, metric: Metric, day: pd.Timestamp, row: pd.Series, calendar: Calendar) -> Anomaly:
    value, expected, low, high = (float(row[c]) for c in ("value", "expected", "low", "high"))
    if metric.transform == "one_minus":
        value, expected, low, high = 1 - value, 1 - expected, 1 - high, 1 - low
    elif metric.transform == "minus_one":  # ROI is ROAS − 1: judged as the ratio, shown as the KPI
        value, expected, low, high = value - 1, expected - 1, low - 1, high - 1
    contributor = main_contributor(segments, day.date(), float(row["value"]) > float(row["expected"]))
    event = event_for(day.date(), calendar)
    return Anomaly(day.date(), metric.name, value, expected, low, high, str(row["severity"]), contributor,
                   float(row["z"]), event.name if event else None)


def backtest(db: KpiReader, store: StoreSettings, start: date, end: date,
             metrics: Sequence[str] | None = None, calendar: Calendar | None = None) -> dict[str, Any]:
    """``detect`` over ``start..end`` as the daily check would have judged each day then.

    Judged as of the day after ``end`` plus the processing window, so every day in the range is final.
    """
    as_of = end + timedelta(days=1 + len(provisional_days(end)))
    found = detect(db, store, as_of, metrics, Period(start, end), calendar=calendar)
    names = list(metrics or WATCHED)
    days = (end - start).days + 1
    per_metric = {name: sum(1 for a in found if a.metric == name) for name in names}
    return {"start": start.isoformat(), "end": end.isoformat(), "days": days, "flagged": per_metric,
            "per_100_days": {name: 100 * count / days for name, count in per_metric.items()},
            "anomalies": [a.to_json() for a in found]}
