"""The fake Slack's channels: every message kept per channel with its metadata, as Slack keeps them.

Serves ``conversations.history`` and ``conversations.replies`` in Slack's response shape:
newest first (replies: the parent, then oldest first), ``oldest``/``latest``/``inclusive``,
``limit`` and an opaque ``response_metadata.next_cursor`` with ``has_more``. A message's
``metadata`` comes back whole only with ``include_all_metadata``; without it Slack keeps the
``event_type`` and drops the ``event_payload``.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

BOT = {"user": "UBOT", "bot_id": "BBOT", "app_id": "AKPIBOT"}
TRUE = ("1", "true", True, 1)


def _metadata(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _uncursor(cursor: str) -> Decimal:
    return Decimal(base64.b64decode(cursor).decode().removeprefix("next_ts:"))


@dataclass
class MessageLog:
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, params: dict[str, Any], ts: str) -> None:
        message: dict[str, Any] = {"type": "message", "ts": ts, **BOT, "text": params.get("text", "")}
        for name in ("blocks", "thread_ts", "reply_broadcast"):
            if params.get(name):
                message[name] = params[name]
        if (metadata := _metadata(params.get("metadata"))) is not None:
            message["metadata"] = metadata
        with self.lock:
            self.channels[str(params.get("channel"))].append(message)

    def update(self, params: dict[str, Any]) -> bool:
        with self.lock:
            for message in self.channels.get(str(params.get("channel")), []):
                if message["ts"] == params.get("ts"):
                    message.update({name: params[name] for name in ("text", "blocks") if name in params})
                    message["edited"] = {"user": BOT["user"], "ts": params.get("ts")}
                    return True
        return False

    def delete(self, params: dict[str, Any]) -> bool:
        with self.lock:
            kept = self.channels.get(str(params.get("channel")), [])
            remaining = [m for m in kept if m["ts"] != params.get("ts")]
            self.channels[str(params.get("channel"))] = remaining
            return len(remaining) < len(kept)

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """What the channel shows (thread replies stay in their threads), oldest first."""
        with self.lock:
            return [dict(m) for m in self.channels.get(channel, [])
                    if m.get("thread_ts") in (None, m["ts"]) or m.get("reply_broadcast")]

    def thread(self, channel: str, parent: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(m) for m in self.channels.get(channel, []) if m["ts"] == parent
                    or m.get("thread_ts") == parent]

    def history(self, params: dict[str, Any], visible_until: float | None = None) -> dict[str, Any]:
        """``visible_until``: messages newer than this are not in the history yet (a lagging Slack)."""
        messages = sorted(self.top_level(str(params.get("channel"))), key=lambda m: Decimal(m["ts"]), reverse=True)
        if visible_until is not None:
            messages = [m for m in messages if Decimal(m["ts"]) <= Decimal(str(visible_until))]
        return self._page(messages, params, newest_first=True)

    def replies(self, params: dict[str, Any]) -> dict[str, Any]:
        thread = sorted(self.thread(str(params.get("channel")), str(params.get("ts"))), key=lambda m: Decimal(m["ts"]))
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(thread, params, newest_first=False)

    def _page(self, messages: list[dict[str, Any]], params: dict[str, Any], newest_first: bool) -> dict[str, Any]:
        inclusive = params.get("inclusive") in TRUE
        oldest, latest = Decimal(str(params.get("oldest") or 0)), params.get("latest")
        chosen = [m for m in messages if Decimal(m["ts"]) > oldest or (inclusive and Decimal(m["ts"]) == oldest)]
        if latest:
            chosen = [m for m in chosen if Decimal(m["ts"]) < Decimal(str(latest))
                      or (inclusive and Decimal(m["ts"]) == Decimal(str(latest)))]
        if params.get("cursor"):
            start = _uncursor(str(params["cursor"]))
            chosen = [m for m in chosen if (Decimal(m["ts"]) <= start if newest_first else Decimal(m["ts"]) >= start)]
        limit = min(int(params.get("limit") or 100), 999)
        page, rest = chosen[:limit], chosen[limit:]
        if params.get("include_all_metadata") not in TRUE:
            page = [m | {"metadata": {"event_type": m["metadata"].get("event_type")}} if "metadata" in m else m
                    for m in page]
        answer: dict[str, Any] = {"ok": True, "messages": page, "has_more": bool(rest), "pin_count": 0,
                                  "channel_actions_ts": None, "channel_actions_count": 0}
        if rest:
            answer["response_metadata"] = {"next_cursor": _cursor(rest[0]["ts"])}
        return answer
