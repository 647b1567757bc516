"""What every emulator shares: a JSON handler over the emulator's state, a threaded server on
127.0.0.1 that runs for a ``with`` block, and ways to misbehave (drip a body)."""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class JsonHandler(BaseHTTPRequestHandler):
    """Subclasses implement ``do_GET``/``do_POST`` with ``self.state`` and ``send_json``; HTTP/1.1
    keep-alive, quiet on stderr."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle on, the body waits for the client's delayed
    # ACK of the headers (about 40 ms a response on Linux), which made a demo sync seconds slower.
    disable_nagle_algorithm = True
    server: EmulatorServer

    @property
    def state(self) -> Any:
        return self.server.state

    def route(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, {name: values[-1] for name, values in parse_qs(parts.query).items()}

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def body_json(self) -> Any:
        raw = self.body()
        return json.loads(raw) if raw.strip() else None

    def base_url(self) -> str:
        return f"http://{self.headers.get('Host', '127.0.0.1')}"

    def send_json(self, code: int, payload: Any, headers: Mapping[str, str] | None = None,
                  content_type: str = "application/json; charset=utf-8") -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
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


STOP_POLL = 0.02  # seconds between the serving loop's looks for a stop: shutdown() waits up to this long


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], state: Any) -> None:
        super().__init__(address, handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a killed sync) is expected; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler], state: Any, host: str = "127.0.0.1", port: int = 0,
          name: str = "emulator", on_stop: Callable[[], None] | None = None) -> Iterator[str]:
    """Serve ``state`` in a background thread for the block; yields the base URL. ``on_stop`` (or a
    ``state.stop`` event) releases handlers still misbehaving (dripping) when the block ends."""
    server = EmulatorServer((host, port), handler, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": STOP_POLL}, name=name,
                              daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        stop = getattr(state, "stop", None)
        if isinstance(stop, threading.Event):
            stop.set()
        if on_stop is not None:
            on_stop()
        server.shutdown()
        server.server_close()
        thread.join()


def offset_cursor(offset: int, prefix: str = "o") -> str:
    """An opaque paging cursor carrying an offset, as the real APIs hand out opaque strings."""
    return base64.urlsafe_b64encode(f"{prefix}:{offset}".encode()).decode()


def cursor_offset(cursor: str | None) -> int | None:
    """The offset in a cursor from ``offset_cursor`` (0 for none), or None when it is not one of ours."""
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1])
    except (ValueError, IndexError):
        return None
