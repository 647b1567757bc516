"""The alert buttons: Acknowledge, Snooze 1 day, Snooze 7 days, Expected.

The episode id in the button is only a claim: the store is read from the episode row,
and the click is honoured only when the access rule lets this person, in this channel,
act on that store. Nothing is changed, and nothing of the episode is shown, before that check.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from datetime import date
from typing import Any

from slack_bolt import App, Respond

from bot.render.alert_blocks import alert_message
from bot.slack.access import Access, Refusal
from connectors.warehouse import Warehouse
from kpi.settings import Settings, StoreSettings
from schedules.episodes import apply_action

ACTION_IDS = {"alert_acknowledge": "acknowledge", "alert_snooze_1d": "snooze_1d",
              "alert_snooze_7d": "snooze_7d", "alert_expected": "expected"}
GONE = {"it": "Questo avviso non esiste più.", "en": "This alert no longer exists."}
EPISODE_ID_DIGITS = 18  # fits SQLite's 64-bit integers


def register_alert_actions(app: App, pool: Executor, settings: Settings, warehouse: Callable[[], Warehouse],
                           today: Callable[[StoreSettings], date], access: Access) -> None:
    from bot.cli.context import resolve_store_for_channel
    from bot.slack.app import channel_of, refuse, user_of
    from bot.slack.work import deferred
    from connectors.episodes_store import episode

    def on_alert_button(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        db = warehouse()
        value, channel, user = str(action.get("value") or ""), channel_of(body), user_of(body)
        valid = value.isascii() and value.isdigit() and len(value) <= EPISODE_ID_DIGITS
        current = episode(db, int(value)) if valid else None
        if current is None:
            here = resolve_store_for_channel(settings, channel)
            language = here.language if here else settings.language
            respond(text=GONE.get(language, GONE["en"]), response_type="ephemeral", replace_original=False)
            return
        store = next((s for s in settings.stores if s.name == current["store"]), None)
        refusal = access.check(user, store, channel)
        if refusal is not None or store is None:
            refuse(settings, respond, user, action.get("action_id", ""), refusal or Refusal("no such store"))
            return
        row = apply_action(db, current["id"], ACTION_IDS[action["action_id"]], today(store), user)
        blocks, text = alert_message(row, store)
        respond(blocks=blocks, text=text, replace_original=True)

    for action_id in ACTION_IDS:
        app.action(action_id)(deferred(pool, on_alert_button))
