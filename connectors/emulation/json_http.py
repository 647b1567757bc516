"""What the marketing emulators share: a JSON request handler, a background server, rate limits."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class JsonHandler(BaseHTTPRequestHandler):
    """Subclasses implement ``do_GET``/``do_POST`` with ``self.state`` and ``send_json``."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle on, the body waits for the client's delayed
    # ACK of the headers (about 40 ms a response on Linux), which made a demo sync seconds slower.
    disable_nagle_algorithm = True
    server: StateServer

    @property
    def state(self) -> Any:
        return self.server.state

    def route(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, {name: values[-1] for name, values in parse_qs(parts.query).items()}

    def body_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else None

    def base_url(self) -> str:
        return f"http://{self.headers.get('Host', '127.0.0.1')}"

    def send_json(self, code: int, payload: Any, headers: Mapping[str, str] | None = None,
                  content_type: str = "application/json") -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def drip(self, code: int, every: float, stop: threading.Event) -> None:
        """Misbehave: promise a body and send it one byte at a time, for ever (or until ``stop``)."""
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            while not stop.wait(every):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            return

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass


class StateServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[JsonHandler], state: Any) -> None:
        super().__init__(address, handler)
        self.state = state


@contextmanager
def serve(handler: type[JsonHandler], state: Any, host: str = "127.0.0.1", port: int = 0,
          name: str = "emulator") -> Iterator[str]:
    """Serve ``state`` in a background thread for the block; yields the base URL."""
    server = StateServer((host, port), handler, state)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        stop = getattr(state, "stop", None)
        if isinstance(stop, threading.Event):
            stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class RateLimits:
    """Sliding-window limits (e.g. 1/s, 2/min, 225/day) on an injectable clock.

    ``check`` records an allowed request, or returns the seconds until one would be allowed:
    a few seconds for the burst and steady windows, hours for the daily one.
    """

    windows: tuple[tuple[float, int], ...] = ((1.0, 1), (60.0, 2), (86_400.0, 225))
    clock: Callable[[], float] = time.time
    hits: deque[float] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refused: int = 0
    allowed: list[float] = field(default_factory=list)  # every allowed request, for counting

    def check(self) -> float | None:
        with self.lock:
            now = self.clock()
            longest = max(seconds for seconds, _ in self.windows)
            while self.hits and self.hits[0] <= now - longest:
                self.hits.popleft()
            wait = max((self._wait(now, seconds, limit) for seconds, limit in self.windows), default=0.0)
            if wait > 0:
                self.refused += 1
                return wait
            self.hits.append(now)
            self.allowed.append(now)
            return None

    def _wait(self, now: float, seconds: float, limit: int) -> float:
        recent = [hit for hit in self.hits if hit > now - seconds]
        return recent[-limit] + seconds - now if len(recent) >= limit else 0.0

    def per_day(self) -> dict[int, int]:
        """Requests allowed per clock day (day number since the clock's epoch)."""
        counts: dict[int, int] = {}
        for hit in self.allowed:
            counts[int(hit // 86_400)] = counts.get(int(hit // 86_400), 0) + 1
        return counts
