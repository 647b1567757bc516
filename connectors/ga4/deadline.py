"""A real total deadline for a GA4 call over the REST transport.

The client's ``timeout=`` reaches ``requests`` as a per-socket-operation timeout: it
bounds the connect and each single read, so a server that drips one byte every few
seconds never trips it. ``Deadline`` arms a timer around the whole call; when it fires it
shuts down the sockets the calling thread used during the call, so the blocked read
returns at once and the call fails, and ``Deadline.expired`` tells the caller why.

Over gRPC (the default transport) ``timeout=`` is already a deadline for the whole call.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Deadline:
    """``with Deadline(seconds) as deadline:`` around a call made on this thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _current.deadline = None

    def track(self, connection: HTTPConnection) -> None:
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)
            if self.expired:  # connected after the timer fired: end it now
                _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self._connections:
                _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the other side


def _track(connection: HTTPConnection) -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.track(connection)


class _DeadlineHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _track(self)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _track(self)  # a kept-alive connection is reused without connect()
        super().request(*args, **kwargs)


class _DeadlineHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _track(self)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _track(self)
        super().request(*args, **kwargs)


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections obey the ``Deadline`` of the calling thread."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


def install(client: Any) -> None:
    """Route a REST-transport client's requests through ``DeadlineAdapter``.

    The generated REST transport keeps its ``requests`` session in ``_session`` and offers
    no other way in; fail loudly if a new client version moves it.
    """
    session = getattr(client.transport, "_session", None)
    if session is None or not hasattr(session, "mount"):
        raise RuntimeError("the GA4 REST transport no longer exposes its session: update connectors/ga4/deadline.py")
    for prefix in ("http://", "https://"):
        session.mount(prefix, DeadlineAdapter())
