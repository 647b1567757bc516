"""Finding kpibot's own message in Slack by the delivery key in its metadata.

After a crash between Slack's answer and the record, the message exists but its ts is
unknown. Every kpibot post carries ``{"event_type": "kpibot_delivery", "event_payload":
{"key": ...}}``; this reads the channel's history since the first attempt (or a thread's
replies), page by page, with ``include_all_metadata`` (without it Slack drops the payload),
and returns the ts of the bot's own message with that key. Needs ``channels:history`` and
``groups:history`` (``metadata.message:read`` is for subscribing to metadata events, which
kpibot does not do).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from schedules.delivery import METADATA_EVENT

log = logging.getLogger("kpibot.delivery")

PAGE_SIZE = 200
# Slack will not show this history to the bot: looking is impossible, not failed. Posting
# anyway risks a duplicate after a crash, which beats losing the message (README: Deliveries).
CANNOT_LOOK = ("missing_scope", "not_in_channel", "channel_not_found")


class SlackMessageFinder:
    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._me: tuple[str | None, str | None] | None = None

    def find(self, channel: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None:
        try:
            return self._search(channel, key, f"{since.timestamp():.6f}", thread_ts)
        except SlackApiError as error:
            reason = error.response.get("error") if error.response is not None else None
            if reason not in CANNOT_LOOK:
                raise
            log.warning("cannot read the history of %s (%s): posting without looking; add the history scopes "
                        "from manifest.yml and invite the bot", channel, reason)
            return None

    def delete(self, channel: str, ts: str) -> None:
        self.client.chat_delete(channel=channel, ts=ts)

    def _search(self, channel: str, key: str, oldest: str, thread_ts: str | None) -> str | None:
        cursor: str | None = None
        while True:
            page = self._page(channel, oldest, thread_ts, cursor)
            for message in page.get("messages") or []:
                if self._is_ours(message) and _key_of(message) == key:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None

    def _page(self, channel: str, oldest: str, thread_ts: str | None, cursor: str | None) -> Any:
        arguments: dict[str, Any] = {"channel": channel, "oldest": oldest, "limit": PAGE_SIZE,
                                     "include_all_metadata": True}
        if cursor:
            arguments["cursor"] = cursor
        if thread_ts:
            return self.client.conversations_replies(ts=thread_ts, **arguments)
        return self.client.conversations_history(**arguments)

    def _is_ours(self, message: dict[str, Any]) -> bool:
        if self._me is None:
            me = self.client.auth_test()
            self._me = (me.get("user_id"), me.get("bot_id"))
        user, bot = self._me
        return bool((bot and message.get("bot_id") == bot) or (user and message.get("user") == user))


def _key_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, dict):
        # Slack drops the payload unless it is asked for (include_all_metadata): say so, never guess
        log.warning("Slack returned kpibot's message %s without its metadata payload; it cannot be matched",
                    message.get("ts"))
        return None
    return payload.get("key")
