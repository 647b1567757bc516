"""`anomalies [METRIC] [PERIOD]`: the arguments shared by the CLI and `/kpi anomalies`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kpi.anomalies.detect import default_period
from kpi.anomalies.watch import WATCHED
from kpi.answer import Period
from kpi.periods import PeriodError, is_period, parse_period, resolve
from kpi.query.grammar import canonical_words
from kpi.query.parser import QueryError, closest, find_metric
from kpi.series import has_daily_values


def parse_anomaly_args(words: Sequence[str], as_of: date) -> tuple[list[str] | None, Period]:
    """Words in any wording the query language reads: ``fatturato ultimi 90 giorni`` too."""
    metrics: list[str] | None = None
    period = default_period(as_of)
    try:
        words = canonical_words(words)
    except PeriodError as error:
        raise QueryError(code=error.code, params=error.params, suggestion=error.suggestion,
                         example="anomalies sessions last-90d") from None
    for word in words:
        if is_period(word):
            period = resolve(parse_period(word), as_of)
            continue
        metric = find_metric(word)
        if metric is None:
            raise QueryError(code="not_kpi_nor_period", params={"word": word[:40]},
                             suggestion=closest(word, list(WATCHED)), example="anomalies sessions last-90d")
        if not has_daily_values(metric):
            # a repurchase rate or an LTV has no daily value to judge a day by: say what is watched instead
            raise QueryError(code="not_watched", params={"metric": metric.name, "watched": tuple(WATCHED)},
                             example="anomalies revenue last-90d")
        metrics = [metric.name]
    return metrics, period
