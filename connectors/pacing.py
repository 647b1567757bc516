"""Client-side pacing and retry timing shared by the marketing connectors.

Clocks and sleeps are injected, so tests and benchmarks run a day of rate-limited traffic
on a simulated clock without sleeping.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Pacer:
    """At most ``per_window`` requests in any ``window`` seconds, each at least ``gap`` seconds apart.

    Klaviyo's reporting endpoints allow 1 request a second and 2 a minute: waiting here is
    cheaper than a 429, and keeps the account's budget for other tools.
    """

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    gap: float = 1.0
    per_window: int = 2
    window: float = 60.0
    margin: float = 0.5  # clocks on both sides drift a little
    sent: deque[float] = field(default_factory=deque)
    waited: float = 0.0

    def wait(self) -> None:
        now = self.clock()
        while self.sent and now - self.sent[0] >= self.window + self.margin:
            self.sent.popleft()
        delay = 0.0
        if len(self.sent) >= self.per_window:
            delay = self.sent[0] + self.window + self.margin - now
        if self.sent:
            delay = max(delay, self.sent[-1] + self.gap + self.margin - now)
        if delay > 0:
            self.waited += delay
            self.sleep(delay)
        self.sent.append(self.clock())
        if len(self.sent) > self.per_window:
            self.sent.popleft()


@dataclass
class RetryPolicy:
    """Bounded retries with full-jitter exponential backoff; ``sleep`` is injected."""

    max_attempts: int = 5
    base_delay: float = 2.0
    max_delay: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        return self.rng.uniform(self.base_delay / 2, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


class SimClock:
    """A clock that only moves when someone sleeps on it: for tests and benchmarks."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
