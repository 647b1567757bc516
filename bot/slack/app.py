"""The Slack Bolt app: `/kpi`, answer buttons, App Home. Listeners stay thin.

Every listener acks first and queues its work on a bounded pool (``bot.slack.work``), and
every button and App Home view passes the access rule (``bot.slack.access``) before it reads or
changes a store's data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.render.blocks import fit, more
from bot.render.targets import edit_button
from bot.replies import split_public
from bot.slack.access import Access, Membership, Refusal
from bot.slack.actions import register_alert_actions
from bot.slack.home import home_for
from bot.slack.locale import Locales
from bot.slack.payloads import button_value, channel_of, refuse, store_for_button, user_of
from bot.slack.posters import upload_chart
from bot.slack.replies import SlackReplies, payload
from bot.slack.self_service.reports import ReportCommands, register_report_actions
from bot.slack.self_service.targets import register_target_forms
from bot.slack.work import WORK_THREADS, deferred, work_pool
from connectors.warehouse import Warehouse
from kpi.query.schedule import is_schedule, is_schedule_list
from kpi.settings import Settings, StoreSettings

log = logging.getLogger("kpibot.slack")
ANSWER_ACTIONS = {"kpi_by_channel": ("by", "channel"), "kpi_by_device": ("by", "device"), "kpi_vs_ly": ("vs", "ly")}


def rewrite_query(text: str, keyword: str, value: str) -> str:
    """``text`` with its ``by X`` (or ``vs X``) replaced by ``keyword value``, and no ``store:``."""
    kept: list[str] = []
    skip = False
    for word in text.split():
        if skip:
            skip = False
            continue
        if word.lower() == keyword:
            skip = True
            continue
        if not word.lower().startswith("store:"):  # the store is the one access was checked for
            kept.append(word)
    return " ".join([*kept, keyword, value])


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(settings: Settings, warehouse: Callable[[], Warehouse], client: WebClient, signing_secret: str,
              today: Callable[[StoreSettings], date], verify: bool = True, membership: Membership | None = None,
              workers: int = WORK_THREADS, locales: Locales | None = None,
              clock: Callable[[], datetime] = utc_now) -> App:
    """``verify=False`` only for Socket Mode, where Slack's requests arrive over our own socket.
    ``clock`` stamps what people set from Slack (who set a target, when)."""
    pool = work_pool(workers)
    app = App(client=client, signing_secret=signing_secret or None, token_verification_enabled=False,
              request_verification_enabled=verify, process_before_response=True, listener_executor=pool,
              logger=logging.getLogger("kpibot.bolt"))
    # Bolt logs a refused request's body at INFO; our HTTP layer refuses those first, and this
    # keeps a body from ever reaching the log if one slips past (e.g. a timestamp expiring in between).
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    access = Access(settings, membership or Membership(client))
    locales = locales or Locales(client)
    replies = SlackReplies(settings, warehouse, today, locales)
    reports = ReportCommands(settings, warehouse, access, replies, clock)

    def kpi_command(command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        text, channel, user = command.get("text", ""), command.get("channel_id", ""), command.get("user_id", "")
        if is_schedule(text) or is_schedule_list(text):
            respond(**(reports.schedule(text, channel, user) if is_schedule(text) else reports.listing(channel, user)))
            return
        reply = replies.for_command(text, channel, user)
        if reply.command == "targets" and not reply.public and reply.store and user in settings.admins:
            language = replies.language_of(user, reply.store.language)  # admins may edit; the others read
            reply.blocks = fit([*reply.blocks, edit_button(reply.store.name, language)], more(language))
        respond(**payload(reply))
        upload_chart(client, warehouse(), reply, channel)

    def answer_action(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        value, channel, user = button_value(action), channel_of(body), user_of(body)
        store = store_for_button(settings, value.get("store"), channel)
        refusal = access.check(user, store, channel)
        if refusal is not None or store is None:
            refuse(settings, respond, user, action.get("action_id", ""), refusal or Refusal("no such store"),
                   replies.language_of(user, store.language if store else settings.language))
            return
        keyword, word = ANSWER_ACTIONS[action["action_id"]]
        query = value.get("q") if isinstance(value.get("q"), str) else ""
        text = rewrite_query(split_public(str(query))[0], keyword, word) + f" store:{store.name}"
        respond(**payload(replies.for_command(text, channel, user)))

    def open_dashboard(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        channel, user = channel_of(body), user_of(body)
        store = store_for_button(settings, button_value(action).get("store"), channel)
        language = replies.language_of(user, store.language if store else settings.language)
        refusal = access.check(user, store, channel)
        if refusal is not None:
            refuse(settings, respond, user, "open_dashboard", refusal, language)
            return
        client.views_publish(user_id=user, view=home_for(settings, access, user, warehouse, today))
        respond(text=t("dashboard_opened", language), response_type="ephemeral", replace_original=False)

    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            user = str(event.get("user") or "")
            client.views_publish(user_id=user, view=home_for(settings, access, user, warehouse, today))

    app.command("/kpi")(deferred(pool, kpi_command))
    for action_id in ANSWER_ACTIONS:
        app.action(action_id)(deferred(pool, answer_action))
    app.action("open_dashboard")(deferred(pool, open_dashboard))
    app.event("app_home_opened")(deferred(pool, home_opened))

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack listener failed: %s: %r", type(error).__name__, str(error)[:200])

    register_alert_actions(app, pool, settings, warehouse, today, access, replies.language_of)
    register_target_forms(app, pool, settings, warehouse, access, clock)
    register_report_actions(app, pool, reports)
    return app
