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


def view_submission_payload(values: dict[str, dict[str, Any]], private_metadata: str, user: str = "U1",
                            callback_id: str = "kpibot_targets") -> dict[str, Any]:
    """A modal's submission as Slack sends it: ``view.state.values[block_id][action_id]`` per input."""
    return {"type": "view_submission", "team": {"id": "T1", "domain": "shop"}, "user": {"id": user, "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "4.5.6",
            "view": {"id": "V1", "team_id": "T1", "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "hash": "1700000000.abc", "blocks": [],
                     "state": {"values": values}},
            "response_urls": []}


def view_submission(values: dict[str, dict[str, Any]], private_metadata: str, user: str = "U1") -> str:
    return urlencode({"payload": json.dumps(view_submission_payload(values, private_metadata, user))})


def number_state(value: str | None) -> dict[str, Any]:
    """What a ``number_input`` (action id ``value``) holds in ``state.values``."""
    return {"value": {"type": "number_input", "value": value}}


def select_state(value: str | None) -> dict[str, Any]:
    """What a ``static_select`` holds: the chosen option, or null."""
    option = {"text": {"type": "plain_text", "text": value}, "value": value} if value else None
    return {"value": {"type": "static_select", "selected_option": option}}


def values_of_view(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``state.values`` of a view as Slack submits it untouched: each input with its initial value."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "number_input":
            values[block["block_id"]] = number_state(element.get("initial_value"))
        else:
            values[block["block_id"]] = select_state((element.get("initial_option") or {}).get("value"))
    return values


def command_reply(slack: Any, events_url: str, text: str, user: str, channel: str) -> dict[str, Any]:
    """Send a signed `/kpi TEXT` from ``user`` in ``channel`` to the app and wait for its answer."""
    before = len(slack.of("respond"))
    assert post_signed(events_url, slash_command(text, channel, slack.response_url(), user))[0] == 200
    return dict(slack.wait_for("respond", before + 1)[before].params)
