"""Anomalies as text lines in the store's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import format_day, label
from bot.render.formatting import format_value
from kpi.anomalies.detect import Anomaly
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings

WORDS = {
    "it": {"none": "Nessuna anomalia nel periodo.", "expected": "atteso", "range": "intervallo",
           "critical": "critica", "warning": "avviso", "up": "sopra", "down": "sotto", "mainly": "soprattutto"},
    "en": {"none": "No anomalies in the period.", "expected": "expected", "range": "range",
           "critical": "critical", "warning": "warning", "up": "above", "down": "below", "mainly": "mainly"},
}


def anomaly_line(anomaly: Anomaly, store: StoreSettings) -> str:
    words = WORDS.get(store.language, WORDS["en"])
    metric = BY_NAME[anomaly.metric]

    def money(value: float) -> str:
        return format_value(value, metric.unit, store.currency, store.language)

    icon = ":red_circle:" if anomaly.severity == "critical" else ":large_orange_circle:"
    who = f" · {words['mainly']} {anomaly.contributor}" if anomaly.contributor else ""
    return (f"{icon} {format_day(anomaly.date, store.language)} · {label(metric, store.language)} "
            f"{money(anomaly.value)} ({words[anomaly.direction]} {words['expected']} {money(anomaly.expected)}, "
            f"{words['range']} {money(anomaly.low)}–{money(anomaly.high)}) · {words[anomaly.severity]}{who}")


def anomaly_lines(anomalies: Sequence[Anomaly], store: StoreSettings) -> list[str]:
    if not anomalies:
        return [WORDS.get(store.language, WORDS["en"])["none"]]
    return [anomaly_line(anomaly, store) for anomaly in anomalies]
