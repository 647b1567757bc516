"""What the shop emulators share: a threaded HTTP server on 127.0.0.1 and a controllable clock.

A test hands the emulator a ``ManualClock`` and gives the client its ``advance`` as the
sleep, so waiting for a rate limit to refill takes no real time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ManualClock:
    """Seconds that move only when someone waits on them."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.waited: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += max(seconds, 0.0)
            self.waited.append(seconds)


def monotonic() -> float:
    return time.monotonic()


class JsonHandler(BaseHTTPRequestHandler):
    """Sends JSON, or a stream of lines, with HTTP/1.1 keep-alive; stays quiet on stderr."""

    protocol_version = "HTTP/1.1"

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_lines(self, lines: Iterable[bytes], content_type: str = "application/jsonl") -> None:
        """Chunked transfer: the emulator never holds a whole export in memory."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        buffer: list[bytes] = []
        size = 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= 1 << 16:
                self._chunk(b"".join(buffer))
                buffer, size = [], 0
        if buffer:
            self._chunk(b"".join(buffer))
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], state: Any) -> None:
        super().__init__(address, handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a killed sync) is expected; anything else is printed."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler], state: Any, host: str = "127.0.0.1",
          port: int = 0, name: str = "emulator") -> Iterator[str]:
    """Run ``handler`` over ``state`` in a background thread; yields the base URL."""
    server = EmulatorServer((host, port), handler, state)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
