"""What a question gets back: the value, its comparison, breakdown, target and caveats.

``Answer.to_json()`` is exactly the shape of SPEC §6 (``kpibot ask --json``).
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
            out.update(period=self.period, expected_to_date=self.expected_to_date, pace=self.pace)
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

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "store": self.store,
            "metric": self.metric,
            "period": self.period.to_json(),
            "value": self.value,
            "unit": self.unit,
            "currency": self.currency,
            "compare": self.compare.to_json() if self.compare else None,
        }
        if self.breakdown is not None:
            out["breakdown"] = [row.to_json() for row in self.breakdown]
        out["target"] = self.target.to_json() if self.target else None
        out["caveats"] = [caveat.text("en") for caveat in self.caveats]
        return out
