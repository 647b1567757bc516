"""An alert episode's Slack message: the live version with its buttons, and the ended one."""

from __future__ import annotations

from typing import Any

from bot.render.alert_text import episode_summary, state_text
from bot.render.blocks import button, context, section
from kpi.settings import StoreSettings

BUTTONS = {"it": (("Preso in carico", "alert_acknowledge"), ("Posticipa 1 giorno", "alert_snooze_1d"),
                  ("Posticipa 7 giorni", "alert_snooze_7d"), ("Atteso", "alert_expected")),
           "en": (("Acknowledge", "alert_acknowledge"), ("Snooze 1 day", "alert_snooze_1d"),
                  ("Snooze 7 days", "alert_snooze_7d"), ("Expected", "alert_expected"))}
ICONS = {"critical": ":red_circle:", "warning": ":large_orange_circle:"}


def alert_message(row: dict[str, Any], store: StoreSettings) -> tuple[list[dict[str, Any]], str]:
    summary = episode_summary(row, store)
    ended = row["state"] in ("resolved", "expected")
    icon = ":white_check_mark:" if ended else ICONS.get(row["severity"] or "", ":large_orange_circle:")
    text = f"{icon} {store.name} · {summary}"
    blocks = [section(text), context(f"_{state_text(row, store)}_")]
    if not ended:
        value = str(row["id"])
        blocks.append({"type": "actions", "elements": [
            button(label, action_id, url=None) | {"value": value} for label, action_id in BUTTONS.get(
                store.language, BUTTONS["en"])]})
    return blocks, text
