"""Posting and updating alert messages and failure notices in the store's alert channel.

Every post carries its delivery metadata, so a message whose ts was lost in a crash can be
found again (``bot/slack/finder.py``).
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.render.alert_blocks import alert_message
from bot.slack.client import ChannelPacer
from kpi.settings import StoreSettings


class SlackAlertPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, store: StoreSettings, episode: dict[str, Any], metadata: dict[str, Any]) -> str:
        """The episode's one message; returns its ts."""
        channel = episode.get("channel") or store.alert_channel
        assert channel
        blocks, text = alert_message(episode, store)
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(channel=channel, blocks=blocks, text=text, metadata=metadata)
        return str(response["ts"])

    def resolve(self, store: StoreSettings, episode: dict[str, Any], metadata: dict[str, Any]) -> str:
        """Turn the episode's message into its ended version and say so in its thread; returns the reply's ts."""
        blocks, text = alert_message(episode, store)
        self.pacer.wait(episode["channel"])
        self.client.chat_update(channel=episode["channel"], ts=episode["ts"], blocks=blocks, text=text)
        response = self.client.chat_postMessage(channel=episode["channel"], thread_ts=episode["ts"], text=text,
                                                metadata=metadata)
        return str(response["ts"])

    def notice(self, store: StoreSettings, text: str, metadata: dict[str, Any]) -> str:
        channel = store.alert_channel
        assert channel
        self.pacer.wait(channel)
        return str(self.client.chat_postMessage(channel=channel, text=text, metadata=metadata)["ts"])
