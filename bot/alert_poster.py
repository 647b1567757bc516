"""Posting and updating alert messages in the store's alert channel."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.alert_blocks import alert_message
from bot.slack_client import ChannelPacer
from kpi.settings import StoreSettings


class SlackAlertPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    def post(self, store: StoreSettings, episode: dict[str, Any]) -> str | None:
        if not store.alert_channel:
            return None
        blocks, text = alert_message(episode, store)
        self.pacer.wait(store.alert_channel)
        response = self.client.chat_postMessage(channel=store.alert_channel, blocks=blocks, text=text)
        return str(response["ts"])

    def update(self, store: StoreSettings, episode: dict[str, Any]) -> None:
        if not episode.get("ts") or not episode.get("channel"):
            return
        blocks, text = alert_message(episode, store)
        self.pacer.wait(episode["channel"])
        self.client.chat_update(channel=episode["channel"], ts=episode["ts"], blocks=blocks, text=text)
        if episode["state"] == "resolved":
            self.client.chat_postMessage(channel=episode["channel"], thread_ts=episode["ts"], text=text)

    def notice(self, store: StoreSettings, text: str) -> None:
        if store.alert_channel:
            self.pacer.wait(store.alert_channel)
            self.client.chat_postMessage(channel=store.alert_channel, text=text)
