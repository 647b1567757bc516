"""Posting to Slack: the digest (message, chart, later its correction), alert messages and notices.

Every post carries its delivery metadata, so a message whose ts was lost in a crash can be
found again (``bot.slack.finder``). At most one message per second per channel (``ChannelPacer``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.render.alerts import alert_message
from bot.render.blocks import context
from bot.render.charts import digest_chart
from bot.render.digest import correction_note, digest_header, digest_message
from bot.slack.client import ChannelPacer
from kpi.settings import StoreSettings
from schedules.digest import Digest
from schedules.episodes import Episode

log = logging.getLogger("kpibot.slack")


class SlackDigestPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, digest: Digest, metadata: dict[str, Any]) -> str:
        """Post the digest's text and blocks; returns the message ts (the chart follows once it is recorded)."""
        channel = _digest_channel(digest)
        blocks, text = digest_message(digest)
        with self.pacer.paced(channel):
            response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)
        return str(response["ts"])

    def attach_chart(self, digest: Digest, ts: str) -> None:
        """The 30-day chart in the message's thread; a failure is logged (the text stands alone)."""
        try:
            png = digest_chart(digest)
            with self.pacer.paced(_digest_channel(digest)):  # the file's message counts against the pace too
                self.client.files_upload_v2(channel=_digest_channel(digest), thread_ts=ts, content=png,
                                            filename=f"revenue-{digest.day}.png", title=digest_header(digest)[0])
        except Exception as error:  # noqa: BLE001 - the chart adds to the text; the text stands alone
            log.warning("digest chart upload failed: %s", type(error).__name__)

    def correct(self, digest: Digest, ts: str, before: dict[str, float | None]) -> None:
        channel = _digest_channel(digest)
        blocks, text = digest_message(digest)
        note = correction_note(digest, before)
        blocks.insert(2, context(note))
        with self.pacer.paced(channel):
            self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=f"{note}\n{text}")


class SlackAlertPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, store: StoreSettings, episode: Episode, metadata: dict[str, Any]) -> str:
        """The episode's one message; returns its ts."""
        channel = episode.channel or store.alert_channel
        assert channel
        blocks, text = alert_message(episode, store)
        with self.pacer.paced(channel):
            response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)
        return str(response["ts"])

    def resolve(self, store: StoreSettings, episode: Episode, metadata: dict[str, Any]) -> str:
        """Turn the episode's message into its ended version and say so in its thread; returns the reply's ts."""
        assert episode.channel and episode.ts
        blocks, text = alert_message(episode, store)
        with self.pacer.paced(episode.channel):  # an edit, then one new message in its thread
            self.client.chat_update(channel=episode.channel, ts=episode.ts, blocks=blocks, text=text)
            response = self.client.chat_postMessage(channel=episode.channel, thread_ts=episode.ts, text=text,
                                                    metadata=metadata)
        return str(response["ts"])

    def notice(self, store: StoreSettings, text: str, metadata: dict[str, Any]) -> str:
        channel = store.alert_channel
        assert channel
        with self.pacer.paced(channel):
            return str(self.client.chat_postMessage(channel=channel, text=text, metadata=metadata)["ts"])


def _digest_channel(digest: Digest) -> str:
    channel = digest.store.digest_channel
    assert channel
    return channel
