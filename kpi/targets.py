"""Targets: min and/or max per KPI, and period goals paced through the month.

A monthly goal is paced by the store's weekday pattern (the last 8 weeks of revenue),
falling back to linear pacing when there is not enough history.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from kpi.answer import Period, TargetStatus
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.metric import sum_of
from kpi.periods import parse_period, resolve
from kpi.reader import KpiReader
from kpi.series import daily_sums
from kpi.settings import StoreSettings, Target

LINEAR = (1.0,) * 7
PATTERN_WEEKS = 8


def weekday_weights(db: KpiReader, store: StoreSettings, before: date) -> tuple[float, ...]:
    """Mean revenue per weekday over the 8 weeks before ``before``, normalised to mean 1."""
    start = before - timedelta(weeks=PATTERN_WEEKS)
    frame = daily_sums(db, store.name, sum_of("revenue"), start, before - timedelta(days=1))
    if len(frame) < 7 * PATTERN_WEEKS - 7 or frame["value"].sum() <= 0:
        return LINEAR
    weekdays = [date.fromisoformat(day).weekday() for day in frame["date"]]
    means = frame.assign(weekday=weekdays).groupby("weekday")["value"].mean()
    if len(means) < 7 or (means <= 0).any():
        return LINEAR
    return tuple(float(means[d] / means.mean()) for d in range(7))


def paced_goal(target: Target, goal: float, period: Period, weights: tuple[float, ...]) -> float:
    """The share of a monthly goal that falls in ``period``, day by day."""
    total = 0.0
    day = period.start
    while day <= period.end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        month_weight = sum(weights[date(day.year, day.month, d).weekday()] for d in range(1, days_in_month + 1))
        total += goal * weights[day.weekday()] / month_weight
        day += timedelta(days=1)
    return total


def evaluate(target: Target | None, value: float | None, period: Period,
             weights: tuple[float, ...] = LINEAR) -> TargetStatus | None:
    if target is None:
        return None
    if value is None:
        return TargetStatus(target.min, target.max, "no_data", target.is_default, target.period)
    low, high = target.min, target.max
    expected = pace = None
    if target.period == "month":
        low = paced_goal(target, low, period, weights) if low is not None else None
        high = paced_goal(target, high, period, weights) if high is not None else None
        expected = low if low is not None else high
        pace = value / expected if expected else None
    status = "below" if low is not None and value < low else "above" if high is not None and value > high else "ok"
    return TargetStatus(target.min, target.max, status, target.is_default, target.period, expected, pace)


@dataclass(frozen=True)
class TargetCheck:
    metric: str
    period: Period
    value: float | None
    status: TargetStatus


def judged_period(target: Target, asked: Period, as_of: date) -> Period:
    """The period a target is judged over when someone asks about ``asked``.

    A plain target (min/max) judges the asked period itself. A monthly goal is about its month, so
    it is judged month to date through the asked period's last closed day (yesterday at the
    latest): ``revenue yesterday``, the digest, the alert check and App Home all judge the same
    1st–yesterday, and ``revenue 2025-10`` judges the whole of October 2025.
    """
    if target.period != "month":
        return asked
    through = min(asked.end, as_of - timedelta(days=1))
    return Period(through.replace(day=1), through)


def check_target(db: KpiReader, store: StoreSettings, target: Target, asked: Period, as_of: date) -> TargetCheck:
    """A target's status and pace for a question about ``asked``: the one function every surface calls
    (answers, digest, alerts, App Home), so the same day reads the same everywhere."""
    period = judged_period(target, asked, as_of)
    value = metric_value(db, store, BY_NAME[target.metric], period)
    weights = weekday_weights(db, store, period.end + timedelta(days=1)) if target.period else LINEAR
    status = evaluate(target, value, period, weights)
    assert status is not None
    return TargetCheck(target.metric, period, value, replace(status, judged=period, judged_value=value))


def all_targets(store: StoreSettings) -> list[Target]:
    """The configured targets, then the defaults of the KPIs not configured; one with no bound is off."""
    configured = {t.metric for t in store.targets}
    bounded = [t for t in store.targets if t.min is not None or t.max is not None]
    return [*bounded, *(t for t in store.default_targets() if t.metric not in configured)]


def evaluate_all(db: KpiReader, store: StoreSettings, as_of: date) -> list[TargetCheck]:
    """Every target as of ``as_of``: plain ones over the last 7 days, monthly goals month to date."""
    last_week = resolve(parse_period("last-7d"), as_of)
    return [check_target(db, store, target, last_week, as_of) for target in all_targets(store)]
