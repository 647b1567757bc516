"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that records every call.

``slack_sdk`` talks to it through ``base_url``; ``respond()`` talks to its response URLs;
``users.conversations`` answers from ``members`` (user id -> channel ids), paged by cursor.
``files_upload_v2`` uploads to its upload URL. ``apps.connections.open`` (app-level ``xapp-`` token
only) hands out a link of the attached fake Socket Mode server (``tests/fakes/socket_mode.py``).
``users.info`` answers a person's ``locale`` (from ``locales``) only when asked with ``include_locale``,
as Slack does. ``views.open``/``views.update`` keep the views they were given (``views``) and refuse,
as Slack does, one that slack_sdk's own model says breaks Block Kit's limits.
Faults: queue HTTP 429s (or 500s) for a method; make a method's answer slow to come back (``slow``).
Posted messages are kept per channel with their metadata (``tests/fakes/slack_history.py``)
and served back by ``conversations.history`` and ``conversations.replies``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from connectors.emulation.http import STOP_POLL
from tests.fakes.slack_history import MessageLog


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    raw: str
    path: str = ""
    at: float = field(default_factory=time.perf_counter)  # arrival, for latency measurements


@dataclass
class FakeSlack:
    url: str = ""
    # not in the repr: hypothesis prints a test's arguments, and a long-running fake holds every reply
    calls: list[Call] = field(default_factory=list, repr=False)
    faults: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    arrived: threading.Condition = field(default_factory=threading.Condition)
    ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    members: dict[str, list[str]] = field(default_factory=dict)  # users.conversations: user -> channels
    page_cap: int | None = None  # users.conversations: at most this many per page, whatever the limit
    log: MessageLog = field(default_factory=MessageLog)
    clock: Callable[[], float] | None = None  # seconds since the epoch for message ts (a test's clock)
    history_lag: float = 0.0  # seconds a new message stays out of conversations.history (Slack's own lag)
    socket_mode: Any = None  # a FakeSocketMode: apps.connections.open hands out its links
    slow: dict[str, float] = field(default_factory=dict)  # method -> seconds its answer takes (done at once)
    closing: threading.Event = field(default_factory=threading.Event)  # ends slow answers at shutdown
    locales: dict[str, str] = field(default_factory=dict)  # users.info: user -> Slack locale ("it-IT")
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # views.open/update: view id -> view

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.url}/respond/{name}"

    def fail(self, method: str, status: int = 429, times: int = 1) -> None:
        """Answer ``method`` (``"*"``: every method) with HTTP ``status`` the next ``times`` times."""
        self.faults[method].extend([status] * times)

    def recover(self) -> None:
        """Slack is back: drop every fault still queued."""
        self.faults.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages the channel shows (not thread replies), oldest first, as stored now."""
        return self.log.top_level(channel)

    def thread(self, channel: str, parent: str) -> list[dict[str, Any]]:
        return self.log.thread(channel, parent)

    def _visible_until(self) -> float | None:
        if not self.history_lag:
            return None
        return (self.clock() if self.clock else 1700000000) - self.history_lag

    def next_ts(self) -> str:
        seconds = int(self.clock()) if self.clock else 1700000000
        return f"{seconds}.{next(self.ts):06d}"

    def of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Block until ``count`` calls of ``method`` have arrived (an event, not a sleep)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.of(method)) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} {method} call(s), got {len(self.of(method))}")
        return self.of(method)

    def record(self, call: Call) -> None:
        with self.arrived:
            self.calls.append(call)
            self.arrived.notify_all()

    def answer(self, method: str, params: dict[str, Any], token: str = "") -> dict[str, Any]:
        if method == "apps.connections.open":
            return self.open_connection(token)
        if method == "chat.postMessage":
            ts = self.next_ts()
            self.log.post(params, ts)
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "chat.update":
            self.log.update(params)
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "chat.delete":
            if not self.log.delete(params):
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "conversations.history":
            return self.log.history(params, self._visible_until())
        if method == "conversations.replies":
            return self.log.replies(params)
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F{next(self.ts)}", "file_id": f"F{next(self.ts)}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"]} for f in json.loads(params.get("files", "[]"))]}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}
        if method == "users.conversations":
            return self.user_conversations(params)
        if method == "users.info":
            return self.user_info(params)
        if method in ("views.open", "views.update", "views.push"):
            return self.open_view(method, params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        return {"ok": True}

    def user_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params.get("user")
        if not user:
            return {"ok": False, "error": "user_not_found"}
        found: dict[str, Any] = {"id": user, "name": str(user).lower(), "is_bot": False}
        if str(params.get("include_locale")).lower() in ("true", "1") and user in self.locales:
            found["locale"] = self.locales[user]
        return {"ok": True, "user": found}

    def open_view(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's checks: a trigger (to open), a view that parses within the limits; then its id."""
        raw = params.get("view")
        view = json.loads(raw) if isinstance(raw, str) else raw
        if method != "views.update" and not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        try:
            View(**view).validate_json()
        except (SlackObjectFormationError, TypeError, KeyError):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = params.get("view_id") or f"V{next(self.ts)}"
        self.views[view_id] = view
        return {"ok": True, "view": {"id": view_id, **view}}

    def open_connection(self, token: str) -> dict[str, Any]:
        """``apps.connections.open``: a one-time websocket URL, for an app-level token only (as Slack)."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_mode is None:
            return {"ok": False, "error": "socket_mode_disabled"}  # not a real error name: nothing listens here
        return {"ok": True, "url": self.socket_mode.ticket_url()}

    def join(self, user: str, *channels: str) -> None:
        self.members.setdefault(user, []).extend(channels)

    def user_conversations(self, params: dict[str, Any]) -> dict[str, Any]:
        """One page of the user's channels; the cursor is opaque to clients, an offset here."""
        if not params.get("user"):
            return {"ok": False, "error": "user_not_found"}
        cursor = params.get("cursor") or "0"
        if not cursor.isdigit():
            return {"ok": False, "error": "invalid_cursor"}
        limit = min(int(params.get("limit") or 100), self.page_cap or 999)
        channels = self.members.get(params["user"], [])
        start = int(cursor)
        page = channels[start:start + limit]
        following = str(start + limit) if start + limit < len(channels) else ""
        return {"ok": True, "channels": [{"id": c, "is_channel": c.startswith("C"), "is_private": c.startswith("G")}
                                         for c in page], "response_metadata": {"next_cursor": following}}


def _parse(body: bytes, content_type: str) -> dict[str, Any]:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return dict(json.loads(text or "{}"))
        except ValueError:
            return {}
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(text))
    return {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._handle(_parse(body, self.headers.get("Content-Type", "")), body.decode("utf-8", "replace"))

    def do_GET(self) -> None:  # noqa: N802 - slack_sdk reads conversations.history with GET and a query
        query = self.path.partition("?")[2]
        self._handle(dict(parse_qsl(query)), query)

    def _handle(self, params: dict[str, Any], raw: str) -> None:
        fake = self.server.fake
        path = self.path.split("?")[0]
        method = path.removeprefix("/api/") if path.startswith("/api/") else path.strip("/").split("/")[0]
        fake.record(Call(method, params, dict(self.headers.items()), raw, path))
        queue = fake.faults.get(method) or fake.faults.get("*")
        if queue:
            status = queue.popleft()
            error = "ratelimited" if status == 429 else "internal_error"
            self._send(status, {"ok": False, "error": error}, {"Retry-After": "0"})
            return
        token = self.headers.get("Authorization", "").removeprefix("Bearer ") or str(params.get("token") or "")
        answer = fake.answer(method, params, token) if path.startswith("/api/") else {"ok": True}
        if method in fake.slow:  # done at once, as Slack does it; only the answer is slow to come back
            fake.closing.wait(fake.slow[method])
        try:
            self._send(200, answer)
        except (BrokenPipeError, ConnectionResetError):  # the caller gave up (or was killed) meanwhile
            self.close_connection = True

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    server = _Server(fake)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": STOP_POLL}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.closing.set()
        server.shutdown()
        server.server_close()
        thread.join()
