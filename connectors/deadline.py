"""Reading an HTTP answer within an overall deadline (``requests`` only bounds each socket read)."""

from __future__ import annotations

from collections.abc import Callable

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
