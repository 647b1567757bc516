"""The alert buttons: Acknowledge, Snooze 1 day, Snooze 7 days, Expected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlite_utils import Database

from bot.alert_blocks import alert_message
from kpi.settings import Settings, StoreSettings
from schedules.episodes import apply_action

ACTION_IDS = {"alert_acknowledge": "acknowledge", "alert_snooze_1d": "snooze_1d",
              "alert_snooze_7d": "snooze_7d", "alert_expected": "expected"}


def register_alert_actions(app: App, settings: Settings, warehouse: Callable[[], Database],
                           today: Callable[[StoreSettings], date]) -> None:
    from bot.slack_app import never_raise

    def on_alert_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        db = warehouse()
        from connectors.schedule_store import episode

        value = action.get("value", "")
        current = episode(db, int(value)) if value.isdigit() else None
        if current is None:
            respond(text="This alert no longer exists.", response_type="ephemeral", replace_original=False)
            return
        store = settings.store(current["store"])
        row = apply_action(db, current["id"], ACTION_IDS[action["action_id"]], today(store), body["user"]["id"])
        blocks, text = alert_message(row, store)
        respond(blocks=blocks, text=text, replace_original=True)

    for action_id in ACTION_IDS:
        app.action(action_id)(never_raise(on_alert_button))
