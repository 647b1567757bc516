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
from kpi.settings import StoreSettings

# What each source's sums can be split by (`by`): GA4's dimensions, and the order-side splits.
BREAKDOWNS = {"sessions": {"channel", "device", "visitor"}, "ads": {"channel", "campaign"},
              "users": set(), "orders": {"segment", "visitor"}, "shop": set(PRODUCT_SPLITS)}
TOTAL = ""


@dataclass(frozen=True)
class Totals:
    """The three factors of the formula magica for one period."""

    sessions: float
    orders: float
    revenue: float


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
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    parts = [metric.numerator, *([metric.denominator] if metric.denominator else [])]
    if any(part.source == "orders" for part in parts):
        return [metric_value(db, store, metric, Period(day, day)) for day in days]
    numerator = _sums_by_day(db, store, metric.numerator, period)
    denominator = _sums_by_day(db, store, metric.denominator, period) if metric.denominator else {}
    values: list[float | None] = []
    for day in (d.isoformat() for d in days):
        present = day in numerator or day in denominator
        values.append(combine(metric, numerator.get(day, 0.0), denominator.get(day, 0.0), store) if present else None)
    return values


def _sums_by_day(db: KpiReader, store: StoreSettings, part: Sum, period: Period) -> dict[str, float]:
    if part.source == "shop":
        return shop_part_sums(db, store, part, period, "date")
    return db.sums(store.name, part.source, part.measure, period.start, period.end, by="date",
                   where=dict(part.where))


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
