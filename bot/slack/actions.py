"""The alert buttons: Acknowledge, Snooze 1 day, Snooze 7 days, Expected, on an episode or an incident.

The id in the button is only a claim: the store is read from the episode's (or incident's)
row, and the click is honoured only when the access rule lets this person, in this channel,
act on that store. Nothing is changed, and nothing of it is shown, before that check. On an
incident, a button acts on all of its KPIs.
The snooze lengths are the action ids themselves (1 or 7 days): any other ``alert_…`` or
``incident_…`` action, such as a crafted ``alert_snooze_10000d``, is answered with a polite
"no" and changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import date
from typing import Any

from slack_bolt import App, Respond

from bot.i18n import t
from bot.render.alerts import alert_message
from bot.render.alerts.incidents import incident_message
from bot.render.blocks import Block
from bot.slack.access import Access, Refusal, language_for, log_refusal, store_of_channel
from bot.slack.payloads import channel_of, refuse, user_of
from bot.slack.work import deferred
from connectors.warehouse import Warehouse
from kpi.settings import Settings, StoreSettings
from schedules.episodes import apply_action, find_episode
from schedules.incidents import find_incident
from schedules.incidents.actions import apply_incident_action

ACTION_IDS = {"alert_acknowledge": "acknowledge", "alert_snooze_1d": "snooze_1d",
              "alert_snooze_7d": "snooze_7d", "alert_expected": "expected"}
INCIDENT_ACTION_IDS = {f"incident_{action}": action for action in ACTION_IDS.values()}
EPISODE_ID_DIGITS = 18  # fits SQLite's 64-bit integers
OTHER_ALERT_ACTIONS = re.compile(r"^(alert|incident)_(?!(acknowledge|snooze_1d|snooze_7d|expected)$)")


def register_alert_actions(app: App, pool: Executor, settings: Settings, warehouse: Callable[[], Warehouse],
                           today: Callable[[StoreSettings], date], access: Access,
                           language_of: Callable[[str, str], str] = lambda user, default: default) -> None:
    def language(user: str, channel: str) -> str:
        return language_of(user, language_for(settings, store_of_channel(settings, channel)))

    def on_alert_button(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        db = warehouse()
        value, channel, user = str(action.get("value") or ""), channel_of(body), user_of(body)
        valid = value.isascii() and value.isdigit() and len(value) <= EPISODE_ID_DIGITS
        action_id = str(action.get("action_id", ""))
        on_incident = action_id in INCIDENT_ACTION_IDS
        current = (find_incident if on_incident else find_episode)(db, int(value)) if valid else None
        if current is None:  # gone, or never was: a crafted value ("5|10000") finds nothing either
            log_refusal(user, action_id, Refusal("no such alert incident" if on_incident else "no such alert episode"),
                        level=logging.INFO)
            respond(text=t("alert_gone", language(user, channel)), response_type="ephemeral", replace_original=False)
            return
        store = next((s for s in settings.stores if s.name == current.store), None)
        refusal = access.check(user, store, channel)
        if refusal is not None or store is None:
            refuse(settings, respond, user, action_id, refusal or Refusal("no such store"),
                   language_of(user, store.language if store else settings.language))
            return
        blocks: list[Block]
        if on_incident:
            blocks, text = incident_message(apply_incident_action(db, current.id, INCIDENT_ACTION_IDS[action_id],
                                                                  today(store), user), store)
        else:
            blocks, text = alert_message(apply_action(db, current.id, ACTION_IDS[action_id], today(store), user),
                                         store)
        respond(blocks=blocks, text=text, replace_original=True)

    def on_unknown_alert_button(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        channel, user = channel_of(body), user_of(body)
        log_refusal(user, action.get("action_id", ""), Refusal("not an alert action kpibot offers"))
        respond(text=t("action_unknown", language(user, channel)), response_type="ephemeral", replace_original=False)

    for action_id in (*ACTION_IDS, *INCIDENT_ACTION_IDS):
        app.action(action_id)(deferred(pool, on_alert_button))
    app.action(OTHER_ALERT_ACTIONS)(deferred(pool, on_unknown_alert_button))
