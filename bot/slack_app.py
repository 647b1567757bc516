"""The Slack Bolt app: `/kpi`, answer buttons, App Home. Listeners stay thin."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlite_utils import Database

from bot.slack_replies import SlackReplies, split_public
from kpi.settings import Settings, StoreSettings

log = logging.getLogger("kpibot.slack")
CHART_MIN_DAYS = 7
ANSWER_ACTIONS = {"kpi_by_channel": ("by", "channel"), "kpi_by_device": ("by", "device"), "kpi_vs_ly": ("vs", "ly")}


def never_raise(listener: Callable[..., None]) -> Callable[..., None]:
    """Log a listener's failure instead of raising it.

    Bolt turns an exception raised after ``ack()`` into a missing acknowledgement (the
    request then looks unhandled to Slack), so listeners catch and log their own errors.
    """

    @functools.wraps(listener)
    def guarded(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except Exception as error:  # noqa: BLE001 - see the docstring
            log.error("Slack listener %s failed: %s: %s", listener.__name__, type(error).__name__, error)

    return guarded


def rewrite_query(text: str, keyword: str, value: str) -> str:
    """``text`` with its ``by X`` (or ``vs X``) replaced by ``keyword value``."""
    words = text.split()
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.lower() == keyword:
            skip = True
            continue
        kept.append(word)
    return " ".join([*kept, keyword, value])


def build_app(settings: Settings, warehouse: Callable[[], Database], client: WebClient, signing_secret: str,
              today: Callable[[StoreSettings], date], verify: bool = True) -> App:
    """``verify=False`` only for Socket Mode, where Slack's requests arrive over our own socket."""
    app = App(client=client, signing_secret=signing_secret or None, token_verification_enabled=False,
              request_verification_enabled=verify, logger=logging.getLogger("kpibot.bolt"))
    replies = SlackReplies(settings, warehouse, today)

    @app.command("/kpi")
    @never_raise
    def kpi_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        reply = replies.for_command(command.get("text", ""), command.get("channel_id", ""))
        respond(**reply.payload())
        if reply.public and reply.answer and reply.store and reply.answer.period.days >= CHART_MIN_DAYS:
            upload_chart(client, warehouse(), reply, command["channel_id"])

    def answer_action(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        value = json.loads(action.get("value") or "{}")
        keyword, word = ANSWER_ACTIONS[action["action_id"]]
        text = rewrite_query(split_public(value.get("q", ""))[0], keyword, word)
        if value.get("store") and "store:" not in text:
            text += f" store:{value['store']}"
        channel = (body.get("channel") or {}).get("id", "")
        respond(**replies.for_command(text, channel).payload())

    for action_id in ANSWER_ACTIONS:
        app.action(action_id)(never_raise(answer_action))

    @app.action("open_dashboard")
    @never_raise
    def open_dashboard(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        from bot.home import home_view

        ack()
        client.views_publish(user_id=body["user"]["id"], view=home_view(settings, warehouse(), today))
        respond(text=":bar_chart: kpibot → Home", response_type="ephemeral", replace_original=False)

    @app.event("app_home_opened")
    @never_raise
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        from bot.home import home_view

        if event.get("tab", "home") == "home":
            client.views_publish(user_id=event["user"], view=home_view(settings, warehouse(), today))

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack listener failed: %s: %s", type(error).__name__, error)

    from bot.alert_actions import register_alert_actions

    register_alert_actions(app, settings, warehouse, today)
    return app


def upload_chart(client: WebClient, db: Database, reply: Any, channel: str) -> None:
    """Post the answer's chart; any failure leaves the text answer as it is."""
    from bot.chart_data import answer_chart

    try:
        png = answer_chart(db, reply.store, reply.answer)
        client.files_upload_v2(channel=channel, content=png, filename=f"{reply.answer.metric}.png",
                               title=reply.text.splitlines()[0].replace("*", ""))
    except Exception as error:  # noqa: BLE001 - the chart is an extra; the text answer stands
        log.warning("chart upload failed, answered with text only: %s", type(error).__name__)
