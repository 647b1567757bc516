"""Posting the digest: the message, its chart, and later the in-place correction."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.blocks import context
from bot.charts import kpi_chart
from bot.digest_blocks import correction_note, digest_blocks
from bot.slack_client import ChannelPacer
from schedules.delivery import Sent
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

    def post(self, digest: Digest) -> Sent:
        channel = digest.store.digest_channel
        assert channel
        blocks, text = digest_blocks(digest)
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text)
        ts = str(response["ts"])
        try:
            self.client.files_upload_v2(channel=channel, thread_ts=ts, content=digest_chart(digest),
                                        filename=f"revenue-{digest.day}.png", title=blocks[0]["text"]["text"])
        except Exception as error:  # noqa: BLE001 - the chart adds to the text; the text stands alone
            log.warning("digest chart upload failed: %s", type(error).__name__)
        return Sent(ts, digest.provisional, digest.key_figures())

    def correct(self, digest: Digest, ts: str, before: dict[str, float | None]) -> None:
        channel = digest.store.digest_channel
        assert channel
        blocks, text = digest_blocks(digest)
        note = correction_note(digest, before)
        blocks.insert(2, context(note))
        self.pacer.wait(channel)
        self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=f"{note}\n{text}")
