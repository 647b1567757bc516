"""HTTP helpers the shop clients share: an overall deadline per answer (``requests`` only bounds
each socket read), and URLs shown with any password masked."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import requests

READ_CHUNK = 1 << 16


class DeadlineExceeded(Exception):
    """The whole answer took longer than allowed: a server that drips bytes or stalls."""


def read_with_deadline(response: requests.Response, deadline: float, clock: Callable[[], float]) -> bytes:
    """The whole body, unless reading it runs past ``deadline`` (on ``clock``'s scale)."""
    parts = []
    with response:
        for part in response.iter_content(READ_CHUNK):
            parts.append(part)
            if clock() > deadline:
                raise DeadlineExceeded("the answer took too long")
    return b"".join(parts)


def masked(url: str) -> str:
    """``https://user:secret@proxy:8080/x`` -> ``https://user:***@proxy:8080/x``."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
