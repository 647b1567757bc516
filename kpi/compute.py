"""Computing a KPI from stored sums: values, breakdowns and the formula-magica totals.

Ratios are always ratios of sums over the whole period (never averages of daily ratios),
and a zero denominator gives ``None``, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kpi.answer import BreakdownRow, Period
from kpi.metric import Metric, Sum
from kpi.orders.measures import order_measures
from kpi.orders.shop import PRODUCT_SPLITS, shop_part_sums
from kpi.query.parser import QueryError
from kpi.reader import KpiReader
from kpi.series import DAILY_SOURCES
from kpi.settings import StoreSettings

# What each source's sums can be split by (`by`): GA4's dimensions, and the order-side splits.
BREAKDOWNS = {"sessions": {"channel", "device", "visitor"}, "ads": {"channel", "campaign"},
              "users": set(), "orders": {"segment", "visitor"}, "shop": set(PRODUCT_SPLITS)}
TOTAL = ""


def splits_for(metric: Metric) -> set[str]:
    """The dimensions every part of ``metric`` can be split by (what `by` and the answer buttons offer)."""
    parts = [metric.numerator, *([metric.denominator] if metric.denominator else [])]
    return set.intersection(*(BREAKDOWNS.get(part.source, set()) for part in parts))


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


def part_sums(db: KpiReader, store: StoreSettings, part: Sum, period: Period, by: str | None = None
              ) -> dict[str, float]:
    """Σ of one formula part over ``period``, per breakdown key (or under ``TOTAL``)."""
    if by is not None and by not in BREAKDOWNS[part.source]:
        raise _cannot_split(part, by)
    if part.source == "orders":
        frame = order_measures(db, store, period, by)
        if part.measure not in frame.columns:
            return {}
        return {TOTAL if by is None else str(key): float(value) for key, value in frame[part.measure].items()}
    if part.source == "shop":
        return shop_part_sums(db, store, part, period, by)
    return db.sums(store.name, part.source, part.measure, period.start, period.end, by=by, where=dict(part.where))


def _cannot_split(part: Sum, by: str) -> QueryError:
    if part.source == "users":
        return QueryError("users_cannot_split", suggestion="sessions last-30d by " + by,
                          example="sessions last-30d by channel")
    code = f"cannot_split_{by}" if by in ("campaign", "segment", "visitor", *PRODUCT_SPLITS) else "cannot_split"
    examples = {"campaign": "ad_cost last-30d by campaign", "product": "shop_revenue last-30d by product",
                "product_type": "shop_revenue last-30d by product_type"}
    return QueryError(code, {"by": by}, example=examples.get(by, "revenue last-30d by channel"))


def combine(metric: Metric, numerator: float | None, denominator: float | None, store: StoreSettings
            ) -> float | None:
    """Apply the KPI's formula to its summed parts."""
    if numerator is None:
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
    if not metric.sources <= set(DAILY_SOURCES):
        raise ValueError(f"{metric.name} is counted over a period: it has no daily values")
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    numerator = _sums_by_day(db, store, metric.numerator, period)
    denominator = _sums_by_day(db, store, metric.denominator, period) if metric.denominator else {}
    values: list[float | None] = []
    for day in (d.isoformat() for d in days):
        present = day in numerator or day in denominator
        values.append(combine(metric, numerator.get(day, 0.0), denominator.get(day, 0.0), store) if present else None)
    return values


def daily_values_by(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str
                    ) -> dict[str, list[float | None]]:
    """The KPI for each day of ``period`` per key of ``by`` (a chart's lines), one grouped read per part."""
    days = [(period.start + timedelta(days=i)).isoformat() for i in range(period.days)]
    numerator = _sums_by_day_and(db, store, metric.numerator, period, by)
    denominator = _sums_by_day_and(db, store, metric.denominator, period, by) if metric.denominator else {}
    lines: dict[str, list[float | None]] = {}
    for key in set(numerator) | set(denominator):
        top, bottom = numerator.get(key, {}), denominator.get(key, {})
        lines[key] = [combine(metric, top.get(day, 0.0), bottom.get(day, 0.0), store)
                      if day in top or day in bottom else None for day in days]
    return lines


def _sums_by_day_and(db: KpiReader, store: StoreSettings, part: Sum, period: Period, by: str
                     ) -> dict[str, dict[str, float]]:
    if by not in BREAKDOWNS.get(part.source, set()):
        raise _cannot_split(part, by)
    frame = db.daily(store.name, part.source, part.measure, period.start, period.end, by=[by],
                     where=dict(part.where))
    out: dict[str, dict[str, float]] = {}
    for day, key, value in frame[["date", by, "value"]].itertuples(index=False):
        out.setdefault(str(key), {})[str(day)] = float(value)
    return out


def _sums_by_day(db: KpiReader, store: StoreSettings, part: Sum, period: Period) -> dict[str, float]:
    if part.source == "shop":
        return shop_part_sums(db, store, part, period, "date")
    return db.sums(store.name, part.source, part.measure, period.start, period.end, by="date",
                   where=dict(part.where))


def one_sided_keys(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str
                   ) -> tuple[list[str], str | None]:
    """The keys of a breakdown that have only one part of a cross-source ratio (revenue but no ad cost),
    and the measure they lack: the total then blends them in (it is Σ revenue / Σ ad cost over all keys)."""
    if metric.denominator is None or metric.numerator.source == metric.denominator.source:
        return [], None
    numerator = part_sums(db, store, metric.numerator, period, by)
    denominator = part_sums(db, store, metric.denominator, period, by)
    no_denominator = sorted(k for k in numerator if numerator[k] and not denominator.get(k))
    no_numerator = sorted(k for k in denominator if denominator[k] and not numerator.get(k))
    if no_denominator:
        return no_denominator, metric.denominator.measure
    return no_numerator, (metric.numerator.measure if no_numerator else None)


def breakdown(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str) -> list[BreakdownRow]:
    """The KPI per value of ``by``, largest first; keys as the source names them."""
    numerator = part_sums(db, store, metric.numerator, period, by)
    denominator = part_sums(db, store, metric.denominator, period, by) if metric.denominator else {}
    keys = sorted(set(numerator) | set(denominator))
    rows = [BreakdownRow(key, combine(metric, numerator.get(key, 0.0), denominator.get(key, 0.0), store))
            for key in keys]
    return sorted(rows, key=lambda row: (row.value is None, -(row.value or 0.0), row.key))


def period_totals(db: KpiReader, store: StoreSettings, period: Period, by: str | None = None
                  ) -> dict[str, Totals]:
    """Sessions, orders and revenue per key of ``by`` (or under ``TOTAL``)."""
    sums = {measure: db.sums(store.name, "sessions", measure, period.start, period.end, by=by)
            for measure in ("sessions", "orders", "revenue")}
    keys = set().union(*sums.values())
    return {key: Totals(sums["sessions"].get(key, 0.0), sums["orders"].get(key, 0.0), sums["revenue"].get(key, 0.0))
            for key in keys}
