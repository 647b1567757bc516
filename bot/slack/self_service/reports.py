"""`/kpi schedule "QUERY" every monday 09:00`, `/kpi schedules`, and their Cancel buttons.

Only someone the access rule lets act on a store, in one of its channels, may schedule a
report there; a Cancel click passes the same rule, and must come from the channel the report
posts to. The scheduler posts each report (``schedules.reports``); this only adds, lists and
cancels them. Replies go to the asker only, in their Slack language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from slack_bolt import App, Respond

from bot.i18n import query_error_text, t
from bot.render.reports import CANCEL_ACTION, reports_message, scheduled_text
from bot.slack.access import (
    Access,
    Refusal,
    language_for,
    log_refusal,
    refusal_text,
    store_of_channel,
    stores_for_channel,
)
from bot.slack.payloads import channel_of, refuse, user_of
from bot.slack.replies import SlackReplies, error_reply
from bot.slack.work import deferred
from connectors.team_settings.reports import add_report, cancel_report, channel_reports, report
from connectors.warehouse import Warehouse
from kpi.query.parser import QueryError, parse
from kpi.query.schedule import parse_schedule
from kpi.settings import Settings, StoreSettings
from schedules.reports import PER_CHANNEL, ScheduledReport

log = logging.getLogger("kpibot.slack")
ID_DIGITS = 18


class ReportCommands:
    def __init__(self, settings: Settings, warehouse: Callable[[], Warehouse], access: Access,
                 replies: SlackReplies, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.warehouse = warehouse
        self.access = access
        self.replies = replies
        self.clock = clock

    def language(self, user: str, channel: str) -> str:
        return self.replies.language_of(user, language_for(self.settings, store_of_channel(self.settings, channel)))

    def schedule(self, text: str, channel: str, user: str) -> dict[str, Any]:
        """Store a new report for this channel; the reply (ephemeral) says when it runs, or what is wrong."""
        language = self.language(user, channel)
        allowed = stores_for_channel(self.settings, channel)
        if not allowed:
            return private(t("channel_refused", language, channel=channel))
        try:
            plan = parse_schedule(text, language)
            query = parse(plan.query, language)
        except QueryError as error:
            return private(f"{t('error', language)}: {query_error_text(error, language)}")
        store = next((s for s in allowed if s.name == query.store), None) if query.store else \
            (allowed[0] if len(allowed) == 1 else None)
        if store is None:
            names = ", ".join(f"`{s.name}`" for s in allowed)
            return private(t("which_store", language, names=names, example=f"{plan.query} store:{allowed[0].name}"))
        refusal = self.access.check(user, store, channel)
        if refusal is not None:
            return self._refused(user, "schedule", refusal, language)
        fields = {"store": store.name, "channel": channel, "query": plan.query[:500], "weekday": plan.weekday,
                  "at_time": plan.at.strftime("%H:%M"), "created_by": user,
                  "created_at": self.clock().isoformat(timespec="seconds")}
        report_id = add_report(self.warehouse(), fields, PER_CHANNEL)
        if report_id is None:
            return private(t("report_limit", language, max=PER_CHANNEL))
        scheduled = ScheduledReport(report_id, store.name, channel, plan.query, plan.weekday, plan.at, user,
                                    self.clock())
        log.info("report %d scheduled in %s for %s", report_id, channel, store.name)
        return private(scheduled_text(scheduled, store.timezone, language))

    def listing(self, channel: str, user: str, note: str | None = None) -> dict[str, Any]:
        """The channel's reports this person may see, each with its Cancel button."""
        language = self.language(user, channel)
        if not stores_for_channel(self.settings, channel):
            return private(t("channel_refused", language, channel=channel))
        shown = [ScheduledReport.from_row(row) for row in channel_reports(self.warehouse(), channel)
                 if self.access.check(user, self._store(row["store"]), channel) is None]
        blocks, text = reports_message(shown, language, note)
        return {"response_type": "ephemeral", "blocks": blocks, "text": text, "replace_original": False}

    def cancel(self, value: str, channel: str, user: str, respond: Respond) -> None:
        language = self.language(user, channel)
        valid = value.isascii() and value.isdigit() and len(value) <= ID_DIGITS
        found = report(self.warehouse(), int(value)) if valid else None
        if found is None or found["cancelled_at"]:
            log_refusal(user, CANCEL_ACTION, Refusal("no such scheduled report"), level=logging.INFO)
            respond(text=t("report_gone", language), response_type="ephemeral", replace_original=False)
            return
        store = self._store(found["store"])
        refusal = Refusal("report of another channel", store) if found["channel"] != channel else \
            self.access.check(user, store, channel)
        if refusal is not None:
            refuse(self.settings, respond, user, CANCEL_ACTION, refusal, language)
            return
        cancel_report(self.warehouse(), int(value), user, self.clock().isoformat(timespec="seconds"))
        log.info("report %s cancelled in %s", value, channel)
        listing = self.listing(channel, user, t("report_cancelled", language, id=int(value)))
        respond(**(listing | {"replace_original": True}))

    def _store(self, name: str) -> StoreSettings | None:
        return next((s for s in self.settings.stores if s.name == name), None)

    def _refused(self, user: str, action: str, refusal: Refusal, language: str) -> dict[str, Any]:
        log_refusal(user, action, refusal)
        return private(refusal_text(self.settings, refusal, language))


def private(text: str) -> dict[str, Any]:
    reply = error_reply(text)
    return {"response_type": "ephemeral", "blocks": reply.blocks, "text": text, "replace_original": False}


def register_report_actions(app: App, pool: Executor, commands: ReportCommands) -> None:
    def on_cancel(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        commands.cancel(str(action.get("value") or ""), channel_of(body), user_of(body), respond)

    app.action(CANCEL_ACTION)(deferred(pool, on_cancel))
