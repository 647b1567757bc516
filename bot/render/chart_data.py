"""The numbers behind a KPI chart: daily values for a period and its comparison."""

from __future__ import annotations

from datetime import date, timedelta

from bot.i18n import label
from bot.render.charts import kpi_chart
from connectors.warehouse import Warehouse
from kpi.answer import Answer, Period
from kpi.catalogue import BY_NAME
from kpi.compute import daily_values
from kpi.settings import StoreSettings


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=i) for i in range(period.days)]


def answer_chart(db: Warehouse, store: StoreSettings, answer: Answer, marked: list[date] | None = None) -> bytes:
    metric = BY_NAME[answer.metric]
    compare = None
    if answer.compare is not None and answer.compare.period.days == answer.period.days:
        compare = daily_values(db, store, metric, answer.compare.period)
    band = (answer.target.min, answer.target.max) if answer.target and not answer.target.period else None
    return kpi_chart(label(metric, store.language), _days(answer.period),
                     daily_values(db, store, metric, answer.period), compare,
                     "vs " + str(answer.compare.period.start) if answer.compare else "", band, marked or [],
                     metric.unit, store.currency, store.language)
