"""The targets form: the Edit button of `/kpi targets` opens it (``views.open``), admins submit it.

Only ``[kpibot] admins`` may open or submit it, and only from (or for) a channel of the
store it edits. The submission is answered in the ack itself, as Slack wants for a modal:
problems go back under their inputs (``response_action: errors``), a refusal replaces the
form with the reason (``response_action: update``), success closes it and a private note
follows in the channel. The ``private_metadata`` (store, channel) is our own, but Slack
delivers it back from the client, so it is checked again like any other claim.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.render.targets import CALLBACK, EDIT_ACTION, notice_modal, targets_modal
from bot.slack.access import Access, Refusal, log_refusal, refusal_text
from bot.slack.payloads import button_value, channel_of, refuse, store_for_button, user_of
from bot.slack.self_service.form import NotOurForm, read_form
from bot.slack.work import deferred
from connectors.warehouse import Warehouse
from kpi.settings import Settings, StoreSettings
from schedules.targets import save_targets, target_settings

log = logging.getLogger("kpibot.slack")


def admin_refusal(settings: Settings, access: Access, user: str, store: StoreSettings | None,
                  channel: str) -> Refusal | None:
    """None when ``user`` is an admin acting for ``store`` from one of its channels."""
    refusal = access.check(user, store, channel)
    if refusal is None and user not in settings.admins:
        return Refusal("not an admin", store)
    return refusal


def refusal_words(settings: Settings, refusal: Refusal) -> str:
    if refusal.reason == "not an admin" and refusal.store is not None:
        return t("admins_only", refusal.store.language)
    return refusal_text(settings, refusal)


def register_target_forms(app: App, pool: Executor, settings: Settings, warehouse: Callable[[], Warehouse],
                          access: Access, clock: Callable[[], datetime]) -> None:
    def open_form(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        channel, user = channel_of(body), user_of(body)
        store = store_for_button(settings, button_value(action).get("store"), channel)
        refusal = admin_refusal(settings, access, user, store, channel)
        if refusal is not None or store is None:
            refusal = refusal or Refusal("no such store")
            refuse(settings, respond, user, EDIT_ACTION, refusal, text=refusal_words(settings, refusal))
            return
        view = targets_modal(target_settings(warehouse(), store), store.language, channel)
        client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)

    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = user_of(body)
        claimed = _metadata(view)
        store = next((s for s in settings.stores if s.name == claimed.get("store")), None)
        channel = str(claimed.get("channel") or "")
        refusal = admin_refusal(settings, access, user, store, channel)
        if refusal is not None or store is None:
            refusal = refusal or Refusal("no such store")
            log_refusal(user, "view_submission", refusal)
            language = store.language if store else settings.language
            ack(response_action="update", view=notice_modal(refusal_words(settings, refusal), language))
            return
        try:
            form = read_form((view.get("state") or {}).get("values"), store.language)
        except NotOurForm as error:
            log_refusal(user, "view_submission", Refusal(str(error), store))
            ack(response_action="update", view=notice_modal(t("action_unknown", store.language), store.language))
            return
        if form.errors:
            ack(response_action="errors", errors=form.errors)
            return
        changed = save_targets(warehouse(), store, form.targets, form.rules, user, clock())
        ack()
        log.info("targets of %s set from Slack by %s: %s", store.name, user, ", ".join(changed) or "no change")
        pool.submit(_confirm, client, channel, user, t("targets_saved", store.language, store=store.name))

    app.action(EDIT_ACTION)(deferred(pool, open_form))
    app.view(CALLBACK)(submitted)


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _confirm(client: WebClient, channel: str, user: str, text: str) -> None:
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except Exception as error:  # noqa: BLE001 - the targets are saved; the note is a courtesy
        log.warning("could not confirm saved targets: %s", type(error).__name__)
