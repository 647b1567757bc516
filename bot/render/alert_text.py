"""Alert episodes as words, in the store's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import format_day, label
from bot.render.formatting import format_value
from connectors.episodes_store import live_episodes
from connectors.warehouse import Warehouse
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings

WORDS = {
    "it": {"anomaly": "anomalia", "target": "obiettivo mancato", "relative": "calo", "expected": "atteso",
           "open": "aperto", "acknowledged": "preso in carico", "snoozed": "posticipato fino al {until}",
           "resolved": "risolto", "expected_state": "segnato come atteso", "none": "Nessun avviso aperto.",
           "mainly": "soprattutto", "since": "dal", "below": "sotto l'obiettivo", "above": "sopra l'obiettivo"},
    "en": {"anomaly": "anomaly", "target": "target missed", "relative": "drop", "expected": "expected",
           "open": "open", "acknowledged": "acknowledged", "snoozed": "snoozed until {until}",
           "resolved": "resolved", "expected_state": "marked as expected", "none": "No open alerts.",
           "mainly": "mainly", "since": "since", "below": "below target", "above": "above target"},
}


def words_for(store: StoreSettings) -> dict[str, str]:
    return WORDS.get(store.language, WORDS["en"])


def state_text(row: dict[str, Any], store: StoreSettings) -> str:
    words = words_for(store)
    state = row["state"]
    if state == "snoozed":
        return words["snoozed"].format(until=row["snoozed_until"])
    return words["expected_state"] if state == "expected" else words[state]


def episode_summary(row: dict[str, Any], store: StoreSettings) -> str:
    """One line: KPI, kind, value vs expected, since when, main contributor."""
    words = words_for(store)
    metric = BY_NAME[row["metric"]]

    def show(value: float | None) -> str:
        return format_value(value, metric.unit, store.currency, store.language)

    kind = words.get(row["detail"], words[row["kind"]]) if row["kind"] == "target" else words[row["kind"]]
    since = format_day(date.fromisoformat(row["opened_on"]), store.language)
    who = f" · {words['mainly']} {row['contributor']}" if row.get("contributor") else ""
    return (f"*{label(metric, store.language)}* · {kind}: {show(row['value'])} "
            f"({words['expected']} {show(row['expected'])}) · {words['since']} {since}{who}")


def open_alert_lines(db: Warehouse, store: StoreSettings) -> list[str]:
    return [f"• {episode_summary(row, store)} · _{state_text(row, store)}_" for row in live_episodes(db, store.name)]


def open_alerts_text(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    return "\n".join(open_alert_lines(db, store)) or words_for(store)["none"]
