"""Clocks and rate limits the emulators run on: a manual clock that moves only when waited on,
and sliding-window limits, so a test waits for a refill without real time passing."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


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
