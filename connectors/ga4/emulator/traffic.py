"""What each GA4 property of the emulator sees: requests, requests in flight, the most at once.

Tests and benchmarks read it to check kpibot's own limits from the outside (never more than 10
requests in flight per property, requests per property per hour), and slow a property down:
``latency`` makes every answer wait, ``stalled`` makes one property's requests hang unanswered
(a GA4 that times out for that property alone).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Traffic:
    requests: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    latency: float = 0.0  # seconds every answer waits
    stalled: dict[str, float] = field(default_factory=dict)  # property -> seconds its requests hang, unanswered
    changed: threading.Condition = field(default_factory=threading.Condition)

    @contextmanager
    def request(self, property_id: str) -> Iterator[None]:
        with self.changed:
            self.requests[property_id] += 1
            self.in_flight[property_id] += 1
            self.peak[property_id] = max(self.peak[property_id], self.in_flight[property_id])
            self.changed.notify_all()
        try:
            yield
        finally:
            with self.changed:
                self.in_flight[property_id] -= 1
                self.changed.notify_all()

    def wait_for(self, condition: object, timeout: float = 30.0) -> bool:
        """Block until ``condition()`` holds (an event, not a sleep); False on timeout."""
        with self.changed:
            return self.changed.wait_for(condition, timeout)  # type: ignore[arg-type]
