"""Computing a KPI from stored sums: values, breakdowns and the formula-magica totals.

Ratios are always ratios of sums over the whole period (never averages of daily ratios),
and a zero denominator gives ``None``, not an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from kpi.answer import BreakdownRow, Period
from kpi.metric import Formula, Metric
from kpi.parts import BREAKDOWNS, DAY, TOTAL, can_split, part_sums, resolved_leaves
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

__all__ = ["BREAKDOWNS", "TOTAL", "Totals", "breakdown", "combine", "daily_values", "metric_value", "part_sums",
           "period_totals"]


@dataclass(frozen=True)
class Totals:
    """The three factors of the formula magica for one period."""

    sessions: float
    orders: float
    revenue: float


def combine(metric: Metric, numerator: float | None, denominator: float | None, store: StoreSettings
            ) -> float | None:
    """Apply the KPI's formula to its summed parts (an unknown part, NaN, makes the value unknown)."""
    if numerator is None or math.isnan(numerator) or (denominator is not None and math.isnan(denominator)):
        return None
    if metric.denominator is None:
        value = numerator
    elif not denominator:
        return None
    else:
        value = numerator / denominator
    if metric.transform == "one_minus":
        return 1.0 - value
    if metric.transform == "minus_one":
        return value - 1.0
    if metric.transform == "times_margin":
        return value * store.margin
    return value


def metric_value(db: KpiReader, store: StoreSettings, metric: Metric, period: Period) -> float | None:
    numerator = part_sums(db, store, metric.numerator, period)
    denominator = part_sums(db, store, metric.denominator, period) if metric.denominator else {}
    if not numerator and not denominator:
        return None
    return combine(metric, numerator.get(TOTAL, 0.0), denominator.get(TOTAL, 0.0), store)


def daily_values(db: KpiReader, store: StoreSettings, metric: Metric, period: Period) -> list[float | None]:
    """The KPI for each day of ``period``, from one grouped read per formula part (for charts)."""
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    if not all(_every_part_by_day(db, store, part) for part in metric.parts):
        return [metric_value(db, store, metric, Period(day, day)) for day in days]
    numerator = _sums_by_day(db, store, metric.numerator, period)
    denominator = _sums_by_day(db, store, metric.denominator, period) if metric.denominator else {}
    values: list[float | None] = []
    for day in (d.isoformat() for d in days):
        present = day in numerator or day in denominator
        values.append(combine(metric, numerator.get(day, 0.0), denominator.get(day, 0.0), store) if present else None)
    return values


def _sums_by_day(db: KpiReader, store: StoreSettings, part: Formula, period: Period) -> dict[str, float]:
    return part_sums(db, store, part, period, DAY)


def _every_part_by_day(db: KpiReader, store: StoreSettings, part: Formula) -> bool:
    """Whether each sum of the part reads per day in one go (orders are counted per period instead)."""
    return all(can_split(db, store, leaf, DAY) for leaf in resolved_leaves(db, store, part))


def breakdown(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str) -> list[BreakdownRow]:
    """The KPI per value of ``by``, largest first; keys as the source names them.

    When only the numerator has the dimension (ad cost by platform over all orders, a flow's
    revenue over the shop's), each row is its part over the whole denominator, and the rows
    add up to the KPI.
    """
    numerator = part_sums(db, store, metric.numerator, period, by)
    denominator = _denominator_by(db, store, metric, period, by, numerator)
    keys = sorted(set(numerator) | set(denominator))
    rows = [BreakdownRow(key, combine(metric, numerator.get(key, 0.0), denominator.get(key, 0.0), store))
            for key in keys]
    return sorted(rows, key=lambda row: (row.value is None, -(row.value or 0.0), row.key))


def _denominator_by(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str,
                    numerator: dict[str, float]) -> dict[str, float]:
    if metric.denominator is None:
        return {}
    if can_split(db, store, metric.denominator, by):
        return part_sums(db, store, metric.denominator, period, by)
    whole = part_sums(db, store, metric.denominator, period).get(TOTAL, 0.0)
    return {key: whole for key in numerator}


def period_totals(db: KpiReader, store: StoreSettings, period: Period, by: str | None = None
                  ) -> dict[str, Totals]:
    """Sessions, orders and revenue per key of ``by`` (or under ``TOTAL``)."""
    sums = {measure: db.sums(store.name, "sessions", measure, period.start, period.end, by=by)
            for measure in ("sessions", "orders", "revenue")}
    keys = set().union(*sums.values())
    return {key: Totals(sums["sessions"].get(key, 0.0), sums["orders"].get(key, 0.0), sums["revenue"].get(key, 0.0))
            for key in keys}
