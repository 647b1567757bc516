"""Computing a KPI from stored sums: values, breakdowns and the formula-magica totals.

Ratios are always ratios of sums over the whole period (never averages of daily ratios),
and a zero denominator gives ``None``, not an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from kpi.answer import BreakdownRow, Period
from kpi.metric import EntrySum, FirstOf, Formula, Metric, Total, leaves
from kpi.parts import (
    BREAKDOWNS,
    DAY,
    TOTAL,
    can_split,
    cannot_split,
    choose,
    entry_sums,
    part_sums,
    resolved_leaves,
    where_of,
)
from kpi.reader import KpiReader
from kpi.series import has_daily_values
from kpi.settings import StoreSettings

__all__ = ["BREAKDOWNS", "TOTAL", "Totals", "breakdown", "combine", "daily_values", "metric_value", "part_sums",
           "period_totals"]


def splits_for(metric: Metric) -> set[str]:
    """The dimensions every part of ``metric`` can be split by (what `by` and the answer buttons offer)."""
    return set.intersection(*(_splits(part) for part in metric.parts))


def _splits(part: Formula) -> set[str]:
    """What a part splits by whichever source a store has: a ``Total`` by what any of its parts has,
    ``FirstOf`` by what every alternative has."""
    if isinstance(part, Total):
        return set().union(*(_splits(p) for p in part.parts))
    if isinstance(part, FirstOf):
        return set.intersection(*(_splits(p) for p in part.parts))
    return set(BREAKDOWNS.get(part.source, set()))


@dataclass(frozen=True)
class Totals:
    """The three factors of the formula magica for one period."""

    sessions: float
    orders: float
    revenue: float


def relative_change(value: float | None, compare: float | None) -> float | None:
    """(value − compare) / compare, or None when compare is 0 or missing: the one formula for a change."""
    if value is None or compare is None or compare == 0:
        return None
    return (value - compare) / compare


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
    if not has_daily_values(metric):
        raise ValueError(f"{metric.name} is counted over a period: it has no daily values")
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    numerator = _sums_by_day(db, store, metric.numerator, period)
    denominator = _sums_by_day(db, store, metric.denominator, period) if metric.denominator else {}
    values: list[float | None] = []
    for day in (d.isoformat() for d in days):
        present = day in numerator or day in denominator
        values.append(combine(metric, numerator.get(day, 0.0), denominator.get(day, 0.0), store) if present else None)
    return values


def _sums_by_day(db: KpiReader, store: StoreSettings, part: Formula, period: Period) -> dict[str, float]:
    return part_sums(db, store, part, period, DAY)


def daily_values_by(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str
                    ) -> dict[str, list[float | None]]:
    """The KPI for each day of ``period`` per key of ``by`` (a chart's lines), one grouped read per sum.

    When only the numerator has the dimension, each key's part is over the whole denominator of
    the day, as in ``breakdown``."""
    days = [(period.start + timedelta(days=i)).isoformat() for i in range(period.days)]
    numerator = _sums_by_day_and(db, store, metric.numerator, period, by)
    denominator: dict[str, dict[str, float]] = {}
    if metric.denominator is not None and can_split(db, store, metric.denominator, by):
        denominator = _sums_by_day_and(db, store, metric.denominator, period, by)
    elif metric.denominator is not None:
        whole = _sums_by_day(db, store, metric.denominator, period)
        denominator = {key: whole for key in numerator}
    lines: dict[str, list[float | None]] = {}
    for key in set(numerator) | set(denominator):
        top, bottom = numerator.get(key, {}), denominator.get(key, {})
        lines[key] = [combine(metric, top.get(day, 0.0), bottom.get(day, 0.0), store)
                      if day in top or day in bottom else None for day in days]
    return lines


def _sums_by_day_and(db: KpiReader, store: StoreSettings, part: Formula, period: Period, by: str
                     ) -> dict[str, dict[str, float]]:
    """Σ of a formula part per key of ``by`` and per day: {key: {ISO day: value}}."""
    if isinstance(part, FirstOf):
        return _sums_by_day_and(db, store, choose(db, store, part), period, by)
    if not can_split(db, store, part, by):
        raise cannot_split(part, by)
    out: dict[str, dict[str, float]] = {}
    if isinstance(part, Total):
        for sums in (_sums_by_day_and(db, store, p, period, by) for p in part.parts if can_split(db, store, p, by)):
            for key, by_day in sums.items():
                mine = out.setdefault(key, {})
                for day, value in by_day.items():
                    mine[day] = mine.get(day, 0.0) + value
        return out
    if isinstance(part, EntrySum):  # an entry message is a day's own: read day by day
        for offset in range(period.days):
            one = period.start + timedelta(days=offset)
            for key, value in entry_sums(db, store, part, Period(one, one), by).items():
                out.setdefault(key, {})[one.isoformat()] = value
        return out
    frame = db.daily(store.name, part.source, part.measure, period.start, period.end, by=[by],
                     where=where_of(store, part, by))
    for day, key, value in frame[["date", by, "value"]].itertuples(index=False):
        out.setdefault(str(key), {})[str(day)] = float(value)
    return out


def one_sided_keys(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str
                   ) -> tuple[list[str], str | None]:
    """The keys of a breakdown that have only one part of a cross-source ratio (revenue but no ad cost),
    and the measure they lack: the total then blends them in (it is Σ revenue / Σ ad cost over all keys)."""
    if metric.denominator is None or _sources(db, store, metric.numerator) == _sources(db, store, metric.denominator):
        return [], None
    if not can_split(db, store, metric.denominator, by):
        return [], None  # each row is its part over the whole denominator: no row lacks one
    numerator = part_sums(db, store, metric.numerator, period, by)
    denominator = part_sums(db, store, metric.denominator, period, by)
    no_denominator = sorted(k for k in numerator if numerator[k] and not denominator.get(k))
    no_numerator = sorted(k for k in denominator if denominator[k] and not numerator.get(k))
    if no_denominator:
        return no_denominator, leaves(metric.denominator)[0].measure
    return no_numerator, (leaves(metric.numerator)[0].measure if no_numerator else None)


def _sources(db: KpiReader, store: StoreSettings, part: Formula) -> set[str]:
    return {leaf.source for leaf in resolved_leaves(db, store, part)}


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
