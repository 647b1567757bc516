"""Posting the digest: the message (with its delivery metadata), its chart, and later the correction."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.render.blocks import context
from bot.render.charts import kpi_chart
from bot.render.digest_blocks import correction_note, digest_blocks
from bot.slack.client import ChannelPacer
from schedules.digest import Digest

log = logging.getLogger("kpibot.digest")


def digest_chart(digest: Digest) -> bytes:
    title = "Fatturato, ultimi 30 giorni" if digest.store.language == "it" else "Revenue, last 30 days"
    compare = "anno scorso" if digest.store.language == "it" else "last year"
    return kpi_chart(title, digest.chart_days, digest.chart_revenue, digest.chart_last_year, compare,
                     marked=[a.date for a in digest.anomalies if a.metric == "revenue"], unit="currency",
                     currency=digest.store.currency, language=digest.store.language)


class SlackDigestPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, digest: Digest, metadata: dict[str, Any]) -> str:
        """Post the digest's text and blocks; returns the message ts (the chart follows once it is recorded)."""
        channel = digest.store.digest_channel
        assert channel
        blocks, text = digest_blocks(digest)
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)
        return str(response["ts"])

    def attach_chart(self, digest: Digest, ts: str) -> None:
        """The 30-day chart in the message's thread; a failure is logged (the text stands alone)."""
        channel = digest.store.digest_channel
        assert channel
        title = digest_blocks(digest)[0][0]["text"]["text"]
        try:
            self.client.files_upload_v2(channel=channel, thread_ts=ts, content=digest_chart(digest),
                                        filename=f"revenue-{digest.day}.png", title=title)
        except Exception as error:  # noqa: BLE001 - the chart adds to the text; the text stands alone
            log.warning("digest chart upload failed: %s", type(error).__name__)

    def correct(self, digest: Digest, ts: str, before: dict[str, float | None]) -> None:
        channel = digest.store.digest_channel
        assert channel
        blocks, text = digest_blocks(digest)
        note = correction_note(digest, before)
        blocks.insert(2, context(note))
        self.pacer.wait(channel)
        self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=f"{note}\n{text}")
