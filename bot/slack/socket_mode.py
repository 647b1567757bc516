"""Slack over Socket Mode: websockets out to Slack, nothing public to expose.

Each link's URL comes from ``apps.connections.open``, asked with the app-level token (``xapp-``)
through the Bolt app's own WebClient, so through the same base URL as every other call
(``KPIBOT_SLACK_API_URL``). Envelopes are dispatched to Bolt as HTTP requests are: the listeners
ack and queue their work (``bot.slack.work``), and each envelope counts as in flight until its
ack has been written to the socket, so queued work gives way to it as it does to an HTTP ack.
slack_sdk replaces a link by itself, after Slack's ``disconnect`` (a refresh every few hours)
and after a dropped connection. The scheduler runs in threads of its own and never waits on this.

Two links, because replacing one is not instant: Slack sends each envelope to one open link,
so while one is replaced the other answers. The transport is slack_sdk's websocket-client
flavour. Measured against tests/fakes/socket_mode.py: slack_sdk's built-in one (3.48) spun a CPU
core for 57 s after a dropped connection before it reconnected, and after a refresh (the old
link still open, as Slack keeps it a while) held the next ack 3 s on its read timeout, Slack's
whole ack budget; this one reconnected in 0.5 s and acked in about a millisecond. But its
replaced link can linger up to 10 s (websocket-client 1.9 often misses a close from another
thread until its select times out), and the second link covers that.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.websocket_client import SocketModeClient

from bot.slack.client import SlackSetupError
from bot.slack.work import IN_FLIGHT, AckFirst
from connectors.ops.context import about

log = logging.getLogger("kpibot.slack")
PING_INTERVAL = 5.0  # seconds between pings; a link found dead is replaced at this pace
LINKS = 2  # Slack allows up to 10 per app
CLOSE_WAIT = 3.0  # seconds a stop waits for the readers in all: a closed link's may linger 10 s (see above)


class SocketModeUnavailable(Exception):
    exit_code = 1


class LinkClient(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, with websocket-client's ``ping_timeout`` settable.

    Unset (slack_sdk's way, and ``serve``'s), a link's reader may sit out the 10 s of its select before it
    sees that its link was closed from another thread, and the link that replaces it waits for that reader.
    Set, the reader wakes at least that often, and a link whose pong comes later than that is replaced.
    """

    def __init__(self, *args: Any, ping_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ping_timeout = ping_timeout

    def _run_current_session(self) -> None:  # slack_sdk 3.48's, passing ping_timeout on
        if self.current_session is None:
            return
        try:
            self.logger.info("Starting to receive messages from a new connection")
            self.current_session.run_forever(ping_interval=self.ping_interval, ping_timeout=self.ping_timeout,
                                             http_proxy_host=self.http_proxy_host,
                                             http_proxy_port=self.http_proxy_port,
                                             http_proxy_auth=self.http_proxy_auth, proxy_type=self.proxy_type)
            self.logger.info("Stopped receiving messages from a connection")
        except Exception as error:  # as slack_sdk: its monitor then replaces the closed session
            self.logger.exception("Failed to start or stop the current session: %s", error)
            if self.current_session is not None:
                self.current_session.close()


class AckFirstHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, with each envelope in flight (``AckFirst``) until its ack is sent."""

    def __init__(self, app: App, app_token: str, ping_interval: float = PING_INTERVAL,
                 gate: AckFirst = IN_FLIGHT, ping_timeout: float | None = None) -> None:
        # Bolt's own __init__, with a LinkClient: a client starts its threads as it is made
        self.app, self.app_token, self.gate = app, app_token, gate
        self.client = LinkClient(app_token=app_token, logger=logging.getLogger("kpibot.socket"),
                                 web_client=app.client, ping_interval=ping_interval, ping_timeout=ping_timeout)
        self.client.socket_mode_request_listeners.append(self.handle)

    def handle(self, client: Any, req: SocketModeRequest) -> None:
        with self.gate.acking_request(), about(request_id=req.envelope_id[:12] or None):
            super().handle(client, req)


def connect(handler: AckFirstHandler) -> None:
    """Open the first link; Slack refusing the token is a setup error, told without the token."""
    try:
        handler.connect()
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else "refused"
        raise SlackSetupError(
            f"Slack refused SLACK_APP_TOKEN ({reason}): create an app-level token (xapp-...) with the "
            "connections:write scope under 'Basic Information → App-Level Tokens', and turn Socket Mode on"
        ) from None
    except OSError as error:
        raise SocketModeUnavailable(f"could not reach Slack to open the Socket Mode link "
                                    f"({type(error).__name__}): check the network and KPIBOT_SLACK_API_URL") from None


@contextmanager
def connected(bolt: App, app_token: str, ping_interval: float = PING_INTERVAL,
              links: int = LINKS, close_wait: float = CLOSE_WAIT,
              ping_timeout: float | None = None) -> Iterator[list[AckFirstHandler]]:
    """The app connected over Socket Mode while the block runs (tests, benchmarks and ``serve``).

    On the way out every link sends its close frame at once; the block then waits at most
    ``close_wait`` seconds in all for the readers (``serve`` keeps the default; a test that opens
    and closes many links passes less, as a lingering reader is a daemon thread that ends alone).
    ``ping_timeout``: see ``LinkClient`` (``serve`` leaves it unset).
    """
    handlers: list[AckFirstHandler] = []
    try:
        for _ in range(links):
            handlers.append(AckFirstHandler(bolt, app_token, ping_interval, ping_timeout=ping_timeout))
            connect(handlers[-1])
        yield handlers
    finally:  # also when a first link failed: a client's threads run from the start
        closing = [threading.Thread(target=handler.close, daemon=True) for handler in handlers]
        for thread in closing:  # each sends its close frame at once; the readers are daemon threads
            thread.start()
        deadline = time.monotonic() + close_wait
        for thread in closing:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


@contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (only the main thread may handle signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def serve_socket_mode(bolt: App, app_token: str, stop: threading.Event | None = None) -> None:
    """Stay connected until SIGTERM, SIGINT or ``stop``; then close the links, so Slack stops sending."""
    stop = stop or threading.Event()
    with stopped_by_signals(stop), connected(bolt, app_token):
        log.info("Slack: Socket Mode, %d links from apps.connections.open (nothing public needed)", LINKS)
        stop.wait()
