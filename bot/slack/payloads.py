"""What listeners read from Slack's payloads, and how they say no. A payload is signed by Slack,
but what it names (a store, an episode) is only a claim: ``bot.slack.access`` decides."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Respond

from bot.slack.access import Refusal, log_refusal, refusal_text, store_of_channel
from kpi.settings import Settings, StoreSettings


def button_value(action: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def channel_of(body: dict[str, Any]) -> str:
    """The channel a button was clicked in ("" when not in a channel: no store maps to that)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return str(channel or "")


def user_of(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def store_for_button(settings: Settings, name: Any, channel: str) -> StoreSettings | None:
    """The store a button acts on: the one it names, else the one its channel maps to."""
    if isinstance(name, str) and name:
        return next((store for store in settings.stores if store.name == name), None)
    return store_of_channel(settings, channel)


def refuse(settings: Settings, respond: Respond, user: str, action: str, refusal: Refusal,
           language: str | None = None, text: str | None = None) -> None:
    """A polite private "no" (``text``, else the refusal in ``language`` or the store's), and one short
    log line without the payload."""
    log_refusal(user, action, refusal)
    respond(text=text or refusal_text(settings, refusal, language), response_type="ephemeral",
            replace_original=False)
