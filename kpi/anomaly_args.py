"""`anomalies [METRIC] [PERIOD]`: the arguments shared by the CLI and `/kpi anomalies`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kpi.anomalies import default_period
from kpi.answer import Period
from kpi.periods import is_period, parse_period, resolve
from kpi.query import QueryError, closest, find_metric
from kpi.watch import WATCHED


def parse_anomaly_args(words: Sequence[str], as_of: date) -> tuple[list[str] | None, Period]:
    metrics: list[str] | None = None
    period = default_period(as_of)
    for word in words:
        if is_period(word):
            period = resolve(parse_period(word), as_of)
            continue
        metric = find_metric(word)
        if metric is None:
            raise QueryError(f"`{word[:40]}` is neither a KPI nor a period", closest(word, list(WATCHED)),
                             "anomalies sessions last-90d")
        metrics = [metric.name]
    return metrics, period
