"""A fake Slack Socket Mode server: a real websocket server on 127.0.0.1 (the ``websockets`` package).

It speaks Slack's wire format (https://docs.slack.dev/apis/events-api/using-socket-mode/):
the fake Web API (``tests/fakes/slack_api.py``) answers ``apps.connections.open`` with a one-time
URL from ``ticket_url()``; a client that connects with that ticket gets ``hello`` (``num_connections``,
``debug_info``, ``connection_info.app_id``). ``push`` sends an envelope (``envelope_id``, ``type``,
``payload``, ``accepts_response_payload``) to the newest open link that Slack has not asked to
refresh (Slack sends each envelope to one open link of the app); every ack (``envelope_id``,
optional ``payload``) is recorded with its arrival time. ``disconnect`` sends Slack's
``disconnect`` message (``refresh_requested``, ``warning``, ``link_disabled``); ``drop`` cuts every
link's TCP connection with no close frame, as a network failure would. While ``refusing`` is set, every
handshake gets HTTP 503 (Slack's edge unreachable). Tests wait on conditions, never sleep.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

APP_ID = "A0KPIBOT"
CONNECTION_TIME = 18060  # seconds Slack expects a link to last before it asks for a refresh


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    link: int
    sent_at: float  # time.perf_counter(), for latency


@dataclass
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    link: int
    at: float  # time.perf_counter() at arrival


@dataclass
class Link:
    number: int
    ticket: str
    socket: ServerConnection
    opened_at: float
    closed_at: float | None = None
    disconnecting: bool = False  # told to go: Slack sends it no more envelopes

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass
class FakeSocketMode:
    app_id: str = APP_ID
    port: int = 0
    refusing: bool = False
    tickets: dict[str, bool] = field(default_factory=dict)  # ticket -> used
    links: list[Link] = field(default_factory=list)
    envelopes: dict[str, Envelope] = field(default_factory=dict)
    acks: list[Ack] = field(default_factory=list)
    other_messages: list[str] = field(default_factory=list)  # anything the client sent that is no ack
    turned_away: int = 0  # handshakes refused (bad ticket, or while ``refusing``)
    changed: threading.Condition = field(default_factory=threading.Condition)
    loop: asyncio.AbstractEventLoop | None = None

    # ---- what the fake Web API and the tests call -------------------------------------------------

    def ticket_url(self) -> str:
        """A one-time link URL, as ``apps.connections.open`` returns it."""
        ticket = uuid.uuid4().hex
        with self.changed:
            self.tickets[ticket] = False
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def open_links(self) -> list[Link]:
        with self.changed:
            return [link for link in self.links if link.open]

    def push(self, kind: str, payload: dict[str, Any], accepts_response_payload: bool = False) -> str:
        """Send an envelope to the newest open link not told to go; its envelope_id."""
        link = self._newest_open(serving=True)
        envelope_id = str(uuid.uuid4())
        message: dict[str, Any] = {"envelope_id": envelope_id, "payload": payload, "type": kind,
                                   "accepts_response_payload": accepts_response_payload}
        if kind == "events_api":
            message |= {"retry_attempt": 0, "retry_reason": ""}
        with self.changed:
            self.envelopes[envelope_id] = Envelope(envelope_id, kind, payload, link.number, time.perf_counter())
        self._run(link.socket.send(json.dumps(message)))
        return envelope_id

    def slash_command(self, payload: dict[str, Any]) -> str:
        return self.push("slash_commands", payload, accepts_response_payload=True)

    def interactive(self, payload: dict[str, Any]) -> str:
        return self.push("interactive", payload, accepts_response_payload=payload.get("type") != "block_actions")

    def event(self, payload: dict[str, Any]) -> str:
        return self.push("events_api", payload)

    def disconnect(self, reason: str = "refresh_requested") -> Link:
        """Slack's ``disconnect`` message on the newest link (the client is expected to reconnect)."""
        link = self._newest_open(serving=True)
        link.disconnecting = True
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": f"applink-fake-{link.number}"}}
        self._run(link.socket.send(json.dumps(message)))
        return link

    def drop(self) -> list[Link]:
        """Cut every open link's TCP connection (the network failed): no close frame, no goodbye."""
        links = self.open_links()
        assert self.loop is not None and links
        for link in links:
            self.loop.call_soon_threadsafe(link.socket.transport.abort)
        return links

    def close_link(self, link: Link) -> None:
        """End a link with a close frame, as Slack does soon after its ``disconnect``; does not wait."""
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(link.socket.close(1001, "going away"), self.loop)

    # ---- waiting on what the client did ----------------------------------------------------------

    def wait(self, predicate: Callable[[], bool], timeout: float = 15.0, what: str = "the condition") -> None:
        with self.changed:
            if not self.changed.wait_for(predicate, timeout=timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def wait_for_ack(self, envelope_id: str, timeout: float = 15.0) -> Ack:
        self.wait(lambda: self.ack_of(envelope_id) is not None, timeout, f"the ack of {envelope_id}")
        ack = self.ack_of(envelope_id)
        assert ack is not None
        return ack

    def ack_of(self, envelope_id: str) -> Ack | None:
        return next((ack for ack in self.acks if ack.envelope_id == envelope_id), None)

    def ack_seconds(self, envelope_id: str) -> float:
        """Seconds from sending the envelope to its ack arriving."""
        return self.wait_for_ack(envelope_id).at - self.envelopes[envelope_id].sent_at

    def wait_for_links(self, count: int, timeout: float = 15.0) -> Link:
        """Until ``count`` links have said hello in all, the newest still open; the newest."""
        self.wait(lambda: len(self.links) >= count and self.links[-1].open, timeout, f"{count} link(s)")
        return self.links[-1]

    def wait_for_open(self, count: int, timeout: float = 15.0) -> list[Link]:
        """Until ``count`` links are open at once; those links."""
        self.wait(lambda: len(self.open_links()) >= count, timeout, f"{count} open link(s)")
        return self.open_links()

    # ---- the server ------------------------------------------------------------------------------

    def _newest_open(self, serving: bool = False) -> Link:
        links = [link for link in self.open_links() if not (serving and link.disconnecting)]
        if not links:
            raise AssertionError("no open Socket Mode link: the client is not connected")
        return links[-1]

    def _run(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        """Slack's link URLs are single-use and expire: anything but a fresh ticket is turned away."""
        url = urlparse(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self.changed:
            if self.refusing or url.path != "/link/" or self.tickets.get(ticket) is not False:
                self.turned_away += 1
                self.changed.notify_all()
                if self.refusing:
                    return connection.respond(503, "Socket Mode is unavailable\n")
                return connection.respond(401, "invalid or used ticket\n")
            self.tickets[ticket] = True
        return None

    async def _serve(self, socket: ServerConnection) -> None:
        ticket = (parse_qs(urlparse(socket.request.path if socket.request else "").query).get("ticket") or [""])[0]
        with self.changed:
            link = Link(len(self.links) + 1, ticket, socket, time.perf_counter())
            self.links.append(link)
            connections = len([known for known in self.links if known.open])
            self.changed.notify_all()
        await socket.send(json.dumps({
            "type": "hello", "num_connections": connections,
            "debug_info": {"host": f"applink-fake-{link.number}", "build_number": 1,
                           "approximate_connection_time": CONNECTION_TIME},
            "connection_info": {"app_id": self.app_id}}))
        try:
            async for message in socket:
                self._record(link, message if isinstance(message, str) else message.decode("utf-8", "replace"))
        except ConnectionClosed:
            pass
        finally:
            with self.changed:
                link.closed_at = time.perf_counter()
                self.changed.notify_all()

    def _record(self, link: Link, text: str) -> None:
        arrived = time.perf_counter()
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        with self.changed:
            if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                payload = message.get("payload")
                self.acks.append(Ack(message["envelope_id"], payload if isinstance(payload, dict) else None,
                                     link.number, arrived))
            else:
                self.other_messages.append(text)
            self.changed.notify_all()


@contextmanager
def fake_socket_mode(slack: Any = None, app_id: str = APP_ID) -> Iterator[FakeSocketMode]:
    """Run the server in a thread of its own; with ``slack`` (a FakeSlack), its Web API hands out the links."""
    fake = FakeSocketMode(app_id=app_id)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with serve(fake._serve, "127.0.0.1", 0, process_request=fake._check_ticket) as server:
            fake.port = next(iter(server.sockets)).getsockname()[1]
            ready.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    fake.loop = loop
    thread.start()
    if not ready.wait(timeout=10):
        raise RuntimeError("the fake Socket Mode server did not start")
    if slack is not None:
        slack.socket_mode = fake
    try:
        yield fake
    finally:
        if slack is not None:
            slack.socket_mode = None
        loop.call_soon_threadsafe(lambda: stop is not None and not stop.done() and stop.set_result(None))
        thread.join(timeout=10)
        loop.close()

