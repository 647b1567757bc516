"""Posting to Slack: the digest (message, chart, later its correction), alert messages, notices and
the reports people schedule.

Every post carries its delivery metadata, so a message whose ts was lost in a crash can be
found again (``bot.slack.finder``). At most one message per second per channel (``ChannelPacer``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_sdk import WebClient

from bot.render.alerts import alert_message
from bot.render.alerts.incidents import incident_message, incident_reply, summary_message
from bot.render.blocks import context, fallback, fit, more
from bot.render.charts import answer_chart, digest_chart
from bot.render.digest import correction_note, digest_header, digest_message
from bot.render.reports import report_footer
from bot.replies import Reply
from bot.slack.client import ChannelPacer
from bot.slack.replies import SlackReplies
from connectors.warehouse import Warehouse
from kpi.charts import chart_series
from kpi.settings import StoreSettings
from schedules.digest import Digest
from schedules.episodes import Episode
from schedules.incidents import Incident
from schedules.incidents.outbox import Summary
from schedules.reports import ScheduledReport

CHART_MIN_DAYS = 7  # a shorter answer gets no chart

log = logging.getLogger("kpibot.slack")


class SlackDigestPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, digest: Digest, metadata: dict[str, Any]) -> str:
        """Post the digest's text and blocks; returns the message ts (the chart follows once it is recorded)."""
        channel = _digest_channel(digest)
        blocks, text = digest_message(digest)
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)
        return str(response["ts"])

    def attach_chart(self, digest: Digest, ts: str) -> None:
        """The 30-day chart in the message's thread; a failure is logged (the text stands alone)."""
        try:
            self.client.files_upload_v2(channel=_digest_channel(digest), thread_ts=ts, content=digest_chart(digest),
                                        filename=f"revenue-{digest.day}.png", title=digest_header(digest)[0])
        except Exception as error:  # noqa: BLE001 - the chart adds to the text; the text stands alone
            log.warning("digest chart upload failed: %s", type(error).__name__)

    def correct(self, digest: Digest, ts: str, before: dict[str, float | None]) -> None:
        channel = _digest_channel(digest)
        blocks, text = digest_message(digest)
        note = correction_note(digest, before)
        blocks = fit([*blocks[:2], context(note), *blocks[2:]], more(digest.store.language))  # still within limits
        self.pacer.wait(channel)
        self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=fallback(f"{note}\n{text}"))


class SlackAlertPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, store: StoreSettings, episode: Episode, metadata: dict[str, Any]) -> str:
        """The episode's one message; returns its ts."""
        channel = episode.channel or store.alert_channel
        assert channel
        blocks, text = alert_message(episode, store)
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)
        return str(response["ts"])

    def resolve(self, store: StoreSettings, episode: Episode, metadata: dict[str, Any]) -> str:
        """Turn the episode's message into its ended version and say so in its thread; returns the reply's ts."""
        assert episode.channel and episode.ts
        blocks, text = alert_message(episode, store)
        self.pacer.wait(episode.channel)
        self.client.chat_update(channel=episode.channel, ts=episode.ts, blocks=blocks, text=text)
        response = self.client.chat_postMessage(channel=episode.channel, thread_ts=episode.ts, text=text,
                                                metadata=metadata)
        return str(response["ts"])

    def post_incident(self, store: StoreSettings, incident: Incident, metadata: dict[str, Any]) -> str:
        """The incident's one message; returns its ts."""
        assert incident.channel
        blocks, text = incident_message(incident, store)
        self.pacer.wait(incident.channel)
        return str(self.client.chat_postMessage(channel=incident.channel, blocks=blocks, text=text,
                                                metadata=metadata)["ts"])

    def update_incident(self, store: StoreSettings, incident: Incident) -> None:
        """The incident's message edited in place to show its current state."""
        assert incident.channel and incident.ts
        blocks, text = incident_message(incident, store)
        self.pacer.wait(incident.channel)
        self.client.chat_update(channel=incident.channel, ts=incident.ts, blocks=blocks, text=text)

    def reply_incident(self, store: StoreSettings, incident: Incident, metadata: dict[str, Any]) -> str:
        """A relapse or the resolution said in the message's thread; returns the reply's ts."""
        assert incident.channel and incident.ts
        self.pacer.wait(incident.channel)
        return str(self.client.chat_postMessage(channel=incident.channel, thread_ts=incident.ts,
                                                text=incident_reply(incident, store), metadata=metadata)["ts"])

    def post_summary(self, store: StoreSettings, channel: str, summary: Summary, metadata: dict[str, Any]) -> str:
        blocks, text = summary_message(summary, store)
        self.pacer.wait(channel)
        return str(self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)["ts"])

    def update_summary(self, store: StoreSettings, channel: str, summary: Summary, ts: str) -> None:
        blocks, text = summary_message(summary, store)
        self.pacer.wait(channel)
        self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text)

    def notice(self, store: StoreSettings, text: str, metadata: dict[str, Any]) -> str:
        channel = store.alert_channel
        assert channel
        self.pacer.wait(channel)
        return str(self.client.chat_postMessage(channel=channel, text=text, metadata=metadata)["ts"])


def _digest_channel(digest: Digest) -> str:
    channel = digest.store.digest_channel
    assert channel
    return channel


class SlackReportPoster:
    """A scheduled report: the same blocks and chart as `/kpi QUERY public`, and a line saying what it is."""

    def __init__(self, client: WebClient, replies: SlackReplies, warehouse: Callable[[], Warehouse],
                 pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.replies = replies
        self.warehouse = warehouse
        self.pacer = pacer or ChannelPacer()

    def answer(self, report: ScheduledReport, as_of: date) -> Reply:
        return self.replies.for_command(f"{report.query} public", report.channel, as_of=as_of)

    def post(self, store: StoreSettings, report: ScheduledReport, as_of: date, metadata: dict[str, Any]) -> str:
        reply = self.answer(report, as_of)
        blocks = fit([*reply.blocks, report_footer(report, store.language)], more(store.language))
        self.pacer.wait(report.channel)
        response = self.client.chat_postMessage(channel=report.channel, blocks=blocks, text=reply.text,
                                                metadata=metadata)
        return str(response["ts"])

    def attach_chart(self, store: StoreSettings, report: ScheduledReport, as_of: date) -> None:
        upload_chart(self.client, self.warehouse(), self.answer(report, as_of), report.channel)


def upload_chart(client: WebClient, db: Warehouse, reply: Reply, channel: str) -> None:
    """Post an answer's chart (answers over a week or more); any failure leaves the text answer as it is."""
    if not (reply.public and reply.answer and reply.store and reply.answer.period.days >= CHART_MIN_DAYS):
        return
    try:
        series = chart_series(db, reply.store, reply.answer)
        if series is None:  # a KPI with no daily meaning and no split: its answer has no chart
            return
        png = answer_chart(series, reply.store)
        client.files_upload_v2(channel=channel, content=png, filename=f"{reply.answer.metric}.png",
                               title=reply.text.splitlines()[0].replace("*", ""))
    except Exception as error:  # noqa: BLE001 - the chart is an extra; the text answer stands
        log.warning("chart upload failed, answered with text only: %s", type(error).__name__)
