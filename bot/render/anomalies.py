"""Anomalies as text lines in the store's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import label, t
from bot.render.formatting import format_day, format_value
from kpi.anomalies.detect import Anomaly
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings


def anomaly_line(anomaly: Anomaly, store: StoreSettings) -> str:
    language = store.language
    metric = BY_NAME[anomaly.metric]

    def show(value: float) -> str:
        return format_value(value, metric.unit, store.currency, language)

    icon = ":red_circle:" if anomaly.severity == "critical" else ":large_orange_circle:"
    who = f" · {t('mainly', language)} {anomaly.contributor}" if anomaly.contributor else ""
    who += f" · :date: {anomaly.event}" if anomaly.event else ""
    return (f"{icon} {format_day(anomaly.date, language)} · {label(metric, language)} {show(anomaly.value)} "
            f"({t('anomaly_' + anomaly.direction, language)} {t('anomaly_expected', language)} "
            f"{show(anomaly.expected)}, {t('anomaly_range', language)} {show(anomaly.low)}–{show(anomaly.high)}) · "
            f"{t('anomaly_' + anomaly.severity, language)}{who}")


def anomaly_lines(anomalies: Sequence[Anomaly], store: StoreSettings) -> list[str]:
    if not anomalies:
        return [t("anomalies_none", store.language)]
    return [anomaly_line(anomaly, store) for anomaly in anomalies]
