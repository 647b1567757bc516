"""Answering a query: value, comparison, breakdown, target status and caveats."""

from __future__ import annotations

from datetime import date, timedelta

from kpi.answer import Answer, Comparison, KpiLine, Period
from kpi.catalogue import BY_NAME
from kpi.caveats import Caveat
from kpi.compute import breakdown, metric_value, one_sided_keys, part_sums, relative_change
from kpi.marketing import marketing_caveats, metric_leaves
from kpi.metric import Metric, leaves
from kpi.orders.measures import order_caveats
from kpi.orders.shop import PRODUCT_SPLITS, currency_caveats
from kpi.periods import last_year, previous_period, resolve
from kpi.query.parser import Query
from kpi.reader import KpiReader
from kpi.series import provisional_days
from kpi.settings import StoreSettings
from kpi.targets import check_target

AVERAGE_DAYS = 28
GA4_SOURCES = frozenset({"sessions", "users", "ads"})
ORDER_SOURCES = frozenset({"orders", "shop"})  # read from the shop's orders, not from GA4
BLEND_KEYS_SHOWN = 6


def answer(db: KpiReader, store: StoreSettings, query: Query, as_of: date) -> Answer:
    period = resolve(query.period, as_of)
    value = metric_value(db, store, query.metric, period)
    compare_period = comparison_period(query, period, as_of)
    compare_value = metric_value(db, store, query.metric, compare_period)
    rows = breakdown(db, store, query.metric, period, query.by) if query.by else None
    target = store.target_for(query.metric.name)
    status = check_target(db, store, target, period, as_of).status if target else None
    uncovered = compare_caveats(db, store, query.metric, compare_period)
    change = None if uncovered else relative_change(value, compare_value)  # never a change against part of a period
    return Answer(
        store=store.name, metric=query.metric.name, period=period, value=value, unit=query.metric.unit,
        currency=store.currency, compare=Comparison(compare_period, compare_value, change),
        breakdown=tuple(rows) if rows is not None else None, target=status, by=query.by,
        caveats=caveats_for(db, store, query.metric, period, as_of, value) + uncovered
        + (blend_caveats(db, store, query.metric, period, query.by) if query.by else ())
        + ((Caveat("product_lines"),) if query.by in PRODUCT_SPLITS else ()),
    )


def headline(db: KpiReader, store: StoreSettings, day: date, names: tuple[str, ...]) -> list[KpiLine]:
    """Each KPI on ``day`` vs the same weekday a week earlier and the 28-day average: one for every surface."""
    return [_kpi_line(db, store, BY_NAME[name], day) for name in names]


def _kpi_line(db: KpiReader, store: StoreSettings, metric: Metric, day: date) -> KpiLine:
    value = metric_value(db, store, metric, Period(day, day))
    week = metric_value(db, store, metric, Period(day - timedelta(days=7), day - timedelta(days=7)))
    window = Period(day - timedelta(days=AVERAGE_DAYS), day - timedelta(days=1))
    average = metric_value(db, store, metric, window)
    if average is not None and not metric.is_ratio:
        average /= AVERAGE_DAYS
    return KpiLine(metric.name, value, week, relative_change(value, week), average, relative_change(value, average))


def comparison_period(query: Query, period: Period, as_of: date) -> Period:
    if query.compare == "ly":
        return last_year(period)
    if query.compare == "prev":
        return previous_period(query.period, period)
    assert not isinstance(query.compare, str)
    return resolve(query.compare, as_of)


def caveats_for(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, as_of: date,
                value: float | None) -> tuple[Caveat, ...]:
    found: list[Caveat] = []
    sources = {leaf.source for leaf in metric_leaves(db, store, metric)}
    if sources & GA4_SOURCES:
        pending = {d for d in provisional_days(as_of) | {as_of} if period.start <= d <= period.end}
        if pending:
            found.append(Caveat("provisional", {"days": len(pending)}))
        flags = db.quality_flags(store.name, period.start, period.end)
        found.extend(Caveat(code) for code in ("thresholded", "other_row", "sampled") if code in flags)
        last_closed = min(period.end, as_of - timedelta(days=1))
        expected_days = (last_closed - period.start).days + 1
        missing = expected_days - len(db.days_with_data(store.name, "sessions", period.start, last_closed))
        if value is None and expected_days > 0 and missing == expected_days:
            found.append(Caveat("no_data"))
        elif missing > 0:
            found.append(Caveat("missing_days", {"days": missing}))
    if value is None and metric.denominator and any(v for v in part_sums(db, store, metric.numerator, period).values()):
        found.append(Caveat("zero_denominator", {"part": leaves(metric.denominator)[0].measure.replace("_", " ")}))
    target = store.target_for(metric.name)
    if target is not None and target.is_default:
        found.append(Caveat("default_target"))
    if "orders" in sources:
        found.extend(order_caveats(db, store, metric, period, as_of))
    elif "shop" in sources and db.data_span(store.name, "shop") is None:
        found.append(Caveat("no_orders"))
    if sources & ORDER_SOURCES:
        found.extend(currency_caveats(db, store, period.start, period.end))
    found.extend(marketing_caveats(db, store, metric, period, as_of, value))
    return tuple(found)


def blend_caveats(db: KpiReader, store: StoreSettings, metric: Metric, period: Period, by: str
                  ) -> tuple[Caveat, ...]:
    """Say what a cross-source ratio's total counts when some rows have only one of its parts."""
    keys, missing = one_sided_keys(db, store, metric, period, by)
    if not keys or missing is None:
        return ()
    shown = ", ".join(keys[:BLEND_KEYS_SHOWN]) + (", …" if len(keys) > BLEND_KEYS_SHOWN else "")
    denominator = leaves(metric.denominator)[0].measure if metric.denominator else ""
    return (Caveat("blended_total", {"numerator": leaves(metric.numerator)[0].measure, "denominator": denominator,
                                     "keys": shown, "missing": missing}),)


def compare_caveats(db: KpiReader, store: StoreSettings, metric: Metric, compare: Period) -> tuple[Caveat, ...]:
    """When the comparison period starts before the data does, there is no like-for-like change: the answer
    shows none, and says why in one line."""
    first = data_start(db, store, metric)
    if first is not None and compare.start < first:
        return (Caveat("compare_gap", {"start": compare.start.isoformat(), "end": compare.end.isoformat(),
                                       "first": first.isoformat()}),)
    return ()


def data_start(db: KpiReader, store: StoreSettings, metric: Metric) -> date | None:
    """The first day for which every source ``metric`` reads for this store has data."""
    sources = {leaf.source for leaf in metric_leaves(db, store, metric)}
    spans = [db.data_span(store.name, source) for source in sorted(sources)]
    starts = [span[0] for span in spans if span is not None]
    return max(starts) if starts else None
