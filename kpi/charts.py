"""What an answer's chart shows, as data: a chart shows what its answer says, or there is none.

- a KPI with daily values over two days or more: its days, the comparison period's beside them
  when it has as many days, and a plain target as a band;
- the same split ``by`` a dimension: one line per key (the largest first), no total;
- a KPI counted from orders over a period (customers, repurchase rate, LTV...): a day of it means
  nothing (a daily repurchase rate sits near 0%), so a bar per key when split, else no chart.
"""

from __future__ import annotations

from datetime import timedelta

from kpi.answer import Answer, BarSeries, ChartSeries
from kpi.catalogue import BY_NAME
from kpi.compute import daily_values, daily_values_by
from kpi.reader import KpiReader
from kpi.series import has_daily_values
from kpi.settings import StoreSettings

MAX_LINES = 8  # more lines than this is a tangle: the largest keys only


def chart_series(db: KpiReader, store: StoreSettings, answer: Answer) -> ChartSeries | BarSeries | None:
    metric = BY_NAME[answer.metric]
    if not has_daily_values(metric):
        if answer.breakdown and answer.by:
            return BarSeries(metric.name, answer.period, answer.by, answer.breakdown)
        return None
    if answer.period.days < 2:
        return None
    days = tuple(answer.period.start + timedelta(days=i) for i in range(answer.period.days))
    band = (answer.target.min, answer.target.max) if answer.target and not answer.target.period else None
    if answer.breakdown and answer.by:
        keys = [row.key for row in answer.breakdown if row.value is not None][:MAX_LINES]
        by_key = daily_values_by(db, store, metric, answer.period, answer.by)
        lines = tuple((key, tuple(by_key.get(key, [None] * len(days)))) for key in keys)
        return ChartSeries(metric.name, answer.period, days, (), band=band, by=answer.by, lines=lines)
    compare = answer.compare if answer.compare and answer.compare.period.days == answer.period.days else None
    return ChartSeries(metric.name, answer.period, days, tuple(daily_values(db, store, metric, answer.period)),
                       compare.period if compare else None,
                       tuple(daily_values(db, store, metric, compare.period)) if compare else None, band)
