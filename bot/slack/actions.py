"""The alert buttons: Acknowledge, Snooze 1 day, Snooze 7 days, Expected.

The episode id in the button is only a claim: the store is read from the episode row,
and the click is honoured only when the access rule lets this person, in this channel,
act on that store. Nothing is changed, and nothing of the episode is shown, before that check.
The snooze lengths are the action ids themselves (1 or 7 days): any other ``alert_…`` action,
such as a crafted ``alert_snooze_10000d``, is answered with a polite "no" and changes nothing.
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
from bot.slack.access import Access, Refusal, language_for, log_refusal, store_of_channel
from bot.slack.payloads import channel_of, refuse, user_of
from bot.slack.work import deferred
from connectors.warehouse import Warehouse
from kpi.settings import Settings, StoreSettings
from schedules.episodes import apply_action, find_episode

ACTION_IDS = {"alert_acknowledge": "acknowledge", "alert_snooze_1d": "snooze_1d",
              "alert_snooze_7d": "snooze_7d", "alert_expected": "expected"}
EPISODE_ID_DIGITS = 18  # fits SQLite's 64-bit integers
OTHER_ALERT_ACTIONS = re.compile(r"^alert_(?!(acknowledge|snooze_1d|snooze_7d|expected)$)")


def register_alert_actions(app: App, pool: Executor, settings: Settings, warehouse: Callable[[], Warehouse],
                           today: Callable[[StoreSettings], date], access: Access,
                           language_of: Callable[[str, str], str] = lambda user, default: default) -> None:
    def language(user: str, channel: str) -> str:
        return language_of(user, language_for(settings, store_of_channel(settings, channel)))

    def on_alert_button(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        db = warehouse()
        value, channel, user = str(action.get("value") or ""), channel_of(body), user_of(body)
        valid = value.isascii() and value.isdigit() and len(value) <= EPISODE_ID_DIGITS
        current = find_episode(db, int(value)) if valid else None
        if current is None:  # gone, or never was: a crafted value ("5|10000") finds nothing either
            log_refusal(user, action.get("action_id", ""), Refusal("no such alert episode"), level=logging.INFO)
            respond(text=t("alert_gone", language(user, channel)), response_type="ephemeral", replace_original=False)
            return
        store = next((s for s in settings.stores if s.name == current.store), None)
        refusal = access.check(user, store, channel)
        if refusal is not None or store is None:
            refuse(settings, respond, user, action.get("action_id", ""), refusal or Refusal("no such store"),
                   language_of(user, store.language if store else settings.language))
            return
        updated = apply_action(db, current.id, ACTION_IDS[action["action_id"]], today(store), user)
        blocks, text = alert_message(updated, store)
        respond(blocks=blocks, text=text, replace_original=True)

    def on_unknown_alert_button(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        channel, user = channel_of(body), user_of(body)
        log_refusal(user, action.get("action_id", ""), Refusal("not an alert action kpibot offers"))
        respond(text=t("action_unknown", language(user, channel)), response_type="ephemeral", replace_original=False)

    for action_id in ACTION_IDS:
        app.action(action_id)(deferred(pool, on_alert_button))
    app.action(OTHER_ALERT_ACTIONS)(deferred(pool, on_unknown_alert_button))
