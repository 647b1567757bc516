"""Signing requests exactly as Slack signs them, and posting them to the app over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

SECRET = "test-signing-secret-4f1c"  # a throwaway, used only in tests
TOKEN = "xoxb-test-token-not-real"


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def post_signed(url: str, body: str, content_type: str = "application/x-www-form-urlencoded",
                secret: str = SECRET, timestamp: int | None = None) -> tuple[int, str, float]:
    """POST ``body`` signed like Slack; returns (status, text, seconds taken)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body)})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.perf_counter() - started


def slash_command_payload(text: str, channel: str, response_url: str, user: str = "U1") -> dict[str, str]:
    """A slash command's fields: form-encoded over HTTP, a JSON ``payload`` over Socket Mode."""
    return {"token": "legacy", "team_id": "T1", "team_domain": "shop", "channel_id": channel,
            "channel_name": "kpi", "user_id": user, "user_name": "owner", "command": "/kpi",
            "text": text, "response_url": response_url, "trigger_id": "1.2.3", "api_app_id": "A1"}


def slash_command(text: str, channel: str, response_url: str, user: str = "U1") -> str:
    return urlencode(slash_command_payload(text, channel, response_url, user))


def block_action_payload(action_id: str, value: str, channel: str, response_url: str,
                         user: str = "U1") -> dict[str, Any]:
    return {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1",
        "token": "legacy", "trigger_id": "1.2.3", "channel": {"id": channel}, "response_url": response_url,
        "container": {"type": "message", "channel_id": channel, "message_ts": "1700000000.000001"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                     "action_ts": "1700000000.1"}],
    }


def block_action(action_id: str, value: str, channel: str, response_url: str, user: str = "U1") -> str:
    return urlencode({"payload": json.dumps(block_action_payload(action_id, value, channel, response_url, user))})


def event_payload(event_body: dict[str, Any]) -> dict[str, Any]:
    return {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": "Ev1", "event_time": int(time.time()), "event": event_body}


def event(event_body: dict[str, Any]) -> str:
    return json.dumps(event_payload(event_body))
