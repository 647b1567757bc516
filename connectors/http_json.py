"""JSON over HTTP with ``requests``: one Session per client, and an overall deadline per request.

``requests`` timeouts bound each socket operation, not the whole exchange, so a server that
drips bytes could hold a sync for ever; the body is therefore read in chunks against a deadline.
Secrets travel in headers only, never in URLs, so an error message that names a URL is safe.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

CONNECT_TIMEOUT = 10.0
DEADLINE = 120.0  # seconds for a whole request, body included
CHUNK = 64 * 1024


class HttpTransportError(Exception):
    """No usable answer: connection refused or reset, a timeout, or a body that is not JSON."""


@dataclass(frozen=True)
class JsonResponse:
    status: int
    headers: Mapping[str, str]
    body: Any  # the decoded JSON (None for an empty body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def request_json(session: requests.Session, method: str, url: str, *, headers: Mapping[str, str],
                 params: Mapping[str, str] | None = None, body: Any = None, deadline: float = DEADLINE,
                 monotonic: Callable[[], float] = time.monotonic) -> JsonResponse:
    """One HTTP exchange, read whole within ``deadline`` seconds, its body decoded as JSON."""
    started = monotonic()
    data = json.dumps(body).encode() if body is not None else None
    try:
        with session.request(method, url, headers=dict(headers), params=params, data=data, stream=True,
                             timeout=(CONNECT_TIMEOUT, min(deadline, 60.0)), allow_redirects=False) as response:
            raw = _read_within(response, started, deadline, monotonic)
            status, response_headers = response.status_code, {k.lower(): v for k, v in response.headers.items()}
    except requests.RequestException as error:
        raise HttpTransportError(f"{type(error).__name__} talking to {_where(url)}") from None
    try:
        decoded = json.loads(raw) if raw.strip() else None
    except ValueError:
        raise HttpTransportError(f"{_where(url)} answered HTTP {status} with a body that is not JSON") from None
    return JsonResponse(status, response_headers, decoded)


def _read_within(response: requests.Response, started: float, deadline: float,
                 monotonic: Callable[[], float]) -> bytes:
    """The body, one socket read at a time (``read1``), so a server dripping bytes meets the deadline."""
    chunks = []
    while chunk := response.raw.read1(CHUNK, decode_content=True):
        chunks.append(chunk)
        if monotonic() - started > deadline:
            raise requests.Timeout(f"no complete answer within {deadline:g} s")
    return b"".join(chunks)


def _where(url: str) -> str:
    """Scheme, host and path: enough to say who failed, never a query string."""
    return url.split("?", 1)[0]
