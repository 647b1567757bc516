"""The alert buttons: Acknowledge, Snooze 1 day, Snooze 7 days, Expected, on an episode or an incident.

The id in the button is only a claim: the store is read from the episode's (or incident's)
row, and the click is honoured only when the access rule lets this person, in this channel,
act on that store. Nothing is changed, and nothing of it is shown, before that check. On an
incident, a button acts on all of its KPIs.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from datetime import date
from typing import Any

from slack_bolt import App, Respond

from bot.i18n import t
from bot.render.alerts import alert_message
from bot.render.blocks import Block
from bot.render.incidents import incident_message
from bot.slack.access import Access, Refusal, language_for, store_of_channel
from bot.slack.payloads import channel_of, refuse, user_of
from bot.slack.work import deferred
from connectors.warehouse import Warehouse
from kpi.settings import Settings, StoreSettings
from schedules.episodes import apply_action, find_episode
from schedules.incident_actions import apply_incident_action
from schedules.incidents import find_incident

ACTION_IDS = {"alert_acknowledge": "acknowledge", "alert_snooze_1d": "snooze_1d",
              "alert_snooze_7d": "snooze_7d", "alert_expected": "expected"}
INCIDENT_ACTION_IDS = {f"incident_{action}": action for action in ACTION_IDS.values()}
EPISODE_ID_DIGITS = 18  # fits SQLite's 64-bit integers


def register_alert_actions(app: App, pool: Executor, settings: Settings, warehouse: Callable[[], Warehouse],
                           today: Callable[[StoreSettings], date], access: Access) -> None:
    def on_alert_button(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        db = warehouse()
        value, channel, user = str(action.get("value") or ""), channel_of(body), user_of(body)
        valid = value.isascii() and value.isdigit() and len(value) <= EPISODE_ID_DIGITS
        action_id = str(action.get("action_id", ""))
        on_incident = action_id in INCIDENT_ACTION_IDS
        current = (find_incident if on_incident else find_episode)(db, int(value)) if valid else None
        if current is None:
            language = language_for(settings, store_of_channel(settings, channel))
            respond(text=t("alert_gone", language), response_type="ephemeral", replace_original=False)
            return
        store = next((s for s in settings.stores if s.name == current.store), None)
        refusal = access.check(user, store, channel)
        if refusal is not None or store is None:
            refuse(settings, respond, user, action_id, refusal or Refusal("no such store"))
            return
        blocks: list[Block]
        if on_incident:
            blocks, text = incident_message(apply_incident_action(db, current.id, INCIDENT_ACTION_IDS[action_id],
                                                                  today(store), user), store)
        else:
            blocks, text = alert_message(apply_action(db, current.id, ACTION_IDS[action_id], today(store), user),
                                         store)
        respond(blocks=blocks, text=text, replace_original=True)

    for action_id in (*ACTION_IDS, *INCIDENT_ACTION_IDS):
        app.action(action_id)(deferred(pool, on_alert_button))
