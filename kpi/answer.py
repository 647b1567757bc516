"""What the KPI maths gives back, as typed values: answers, their parts, headline lines, chart series.

The bot words them (``bot/render``); ``bot.render.json`` gives an answer the shape of
SPEC §6 (``kpibot ask --json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kpi.caveats import Caveat


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Comparison:
    period: Period
    value: float | None
    change: float | None  # (value - compare) / compare, None when compare is 0 or missing

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period.to_json(), "value": self.value, "change": self.change}


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    value: float | None

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value}


@dataclass(frozen=True)
class TargetStatus:
    min: float | None
    max: float | None
    status: str  # ok | below | above | on_pace | behind_pace | ahead_of_pace | no_data
    is_default: bool = False
    period: str | None = None
    expected_to_date: float | None = None  # paced goal so far, for period targets
    pace: float | None = None  # value / expected_to_date
    judged: Period | None = None  # the period judged (a monthly goal: its month to date)
    judged_value: float | None = None  # the KPI over ``judged``

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        out["status"] = self.status
        if self.is_default:
            out["default"] = True
        if self.period:
            out.update(period=self.period, expected_to_date=self.expected_to_date, pace=self.pace,
                       judged_period=self.judged.to_json() if self.judged else None, value_to_date=self.judged_value)
        return out


@dataclass(frozen=True)
class Answer:
    store: str
    metric: str
    period: Period
    value: float | None
    unit: str
    currency: str
    compare: Comparison | None = None
    breakdown: tuple[BreakdownRow, ...] | None = None
    target: TargetStatus | None = None
    caveats: tuple[Caveat, ...] = field(default_factory=tuple)
    by: str | None = None  # the dimension of ``breakdown``


@dataclass(frozen=True)
class KpiLine:
    """One KPI on one day, against the same weekday a week earlier and the 28 days before."""

    metric: str
    value: float | None
    last_week: float | None  # the same weekday a week earlier
    change_week: float | None
    average: float | None  # the 28 days before: daily mean for sums, ratio of sums for ratios
    change_average: float | None


@dataclass(frozen=True)
class ChartSeries:
    """The daily values behind an answer's chart: the KPI (with its comparison period's when they
    line up), or one line per breakdown key for an answer split ``by`` a dimension."""

    metric: str
    period: Period
    days: tuple[date, ...]
    values: tuple[float | None, ...]
    compare_period: Period | None = None
    compare: tuple[float | None, ...] | None = None
    band: tuple[float | None, float | None] | None = None  # the target's min and max, drawn as a band
    by: str | None = None
    lines: tuple[tuple[str, tuple[float | None, ...]], ...] = ()  # (key, daily values), largest key first


@dataclass(frozen=True)
class BarSeries:
    """A period chart: one bar per breakdown key, for KPIs that have no daily meaning (order-based ratios)."""

    metric: str
    period: Period
    by: str
    rows: tuple[BreakdownRow, ...]
