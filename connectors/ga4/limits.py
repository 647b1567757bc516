"""At most ``CONCURRENT_PER_PROPERTY`` GA4 requests in flight per property from one process.

GA4 allows 10 concurrent requests per standard property; an 11th is refused with 429. Each
store's sync sends its requests one after another, so only stores that share a property can
get near it; the slot makes it a bound, whatever the worker pool's size. Requests and quota
tokens are counted here too, per property (``connectors.ops.metrics``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from connectors.ops.metrics import GA4_IN_FLIGHT, GA4_REQUESTS, GA4_TOKENS

CONCURRENT_PER_PROPERTY = 10


class PropertySlots:
    def __init__(self, limit: int = CONCURRENT_PER_PROPERTY) -> None:
        self.limit = limit
        self.slots: dict[str, threading.BoundedSemaphore] = {}
        self.lock = threading.Lock()

    @contextmanager
    def request(self, property_id: str) -> Iterator[None]:
        """One request to ``property_id``: waits while ``limit`` are already in flight."""
        with self.lock:
            slot = self.slots.setdefault(property_id, threading.BoundedSemaphore(self.limit))
        with slot:
            GA4_REQUESTS.labels(property_id).inc()
            GA4_IN_FLIGHT.labels(property_id).inc()
            try:
                yield
            finally:
                GA4_IN_FLIGHT.labels(property_id).dec()


SLOTS = PropertySlots()  # one per process, shared by every sync thread


def count_tokens(property_id: str, tokens: int) -> None:
    if tokens > 0:
        GA4_TOKENS.labels(property_id).inc(tokens)
