"""What Slack says about a person (their channels, their language), remembered for a few minutes.

Shared by every lookup made on each click or command, so a busy workspace asks Slack once per
person per few minutes, and memory stays bounded however many people click.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
CACHE_LIMIT = 5000  # people remembered at once; expired entries are dropped first


class PersonCache(Generic[T]):
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic, limit: int = CACHE_LIMIT) -> None:
        self.ttl = ttl
        self.clock = clock
        self.limit = limit
        self.entries: dict[str, tuple[float, T]] = {}
        self.lock = threading.Lock()

    def get(self, user: str, fetch: Callable[[str], T]) -> T:
        """The remembered value for ``user``, or ``fetch(user)`` (outside the lock) when none is fresh."""
        with self.lock:
            hit = self.entries.get(user)
            if hit is not None and self.clock() - hit[0] < self.ttl:
                return hit[1]
        found = fetch(user)
        with self.lock:
            self._make_room()
            self.entries[user] = (self.clock(), found)
        return found

    def _make_room(self) -> None:
        if len(self.entries) < self.limit:
            return
        now = self.clock()
        for user in [u for u, (at, _) in self.entries.items() if now - at >= self.ttl] or list(self.entries)[:1]:
            del self.entries[user]
