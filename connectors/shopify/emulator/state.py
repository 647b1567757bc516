"""What the Shopify emulator holds: the shop's orders, its access token, the cost bucket and faults.

Tests change the orders between syncs and queue faults: ``throttle(2)`` answers the next
two queries THROTTLED, ``fail_bulk(2, "INTERNAL_SERVER_ERROR")`` ends the next two bulk
operations FAILED, ``http_faults`` answers requests with a bare HTTP status.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.emulation.shop_model import EmulatedOrder

MAXIMUM_AVAILABLE = 1000.0
RESTORE_RATE = 50.0  # points per second, as on a standard plan's GraphQL bucket in 2025


@dataclass
class LeakyBucket:
    """Shopify's cost bucket: it refills at ``restore_rate`` points a second up to ``maximum``."""

    clock: Callable[[], float]
    maximum: float = MAXIMUM_AVAILABLE
    restore_rate: float = RESTORE_RATE
    available: float = MAXIMUM_AVAILABLE
    at: float | None = None

    def refill(self) -> float:
        now = self.clock()
        if self.at is not None:
            self.available = min(self.maximum, self.available + (now - self.at) * self.restore_rate)
        self.at = now
        return self.available

    def status(self) -> dict[str, float]:
        return {"maximumAvailable": self.maximum, "currentlyAvailable": round(self.available, 1),
                "restoreRate": self.restore_rate}


@dataclass
class BulkOperation:
    id: int
    search: str | None
    polls_left: int
    fails_with: str | None
    status: str = "CREATED"
    order_ids: list[int] = field(default_factory=list)
    object_count: int = 0


@dataclass
class ShopifyEmulatorState:
    orders: list[EmulatedOrder]
    token: str = "emulator-token"
    currency: str = "EUR"
    clock: Callable[[], float] = field(default=lambda: 0.0)
    bucket: LeakyBucket = field(init=False)
    throttle_next: int = 0
    bulk_failures: deque[str] = field(default_factory=deque)
    bulk_polls_running: int = 0  # polls that answer RUNNING before an operation ends
    children_first: bool = False
    corrupt_lines: frozenset[int] = frozenset()
    http_faults: deque[int] = field(default_factory=deque)
    operations: dict[int, BulkOperation] = field(default_factory=dict)
    requests: int = 0
    downloads: int = 0
    costs: list[float] = field(default_factory=list)  # requested cost of every query answered
    throttled: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.bucket = LeakyBucket(self.clock)

    def throttle(self, times: int) -> None:
        self.throttle_next += times

    def fail_bulk(self, times: int, error_code: str = "INTERNAL_SERVER_ERROR") -> None:
        self.bulk_failures.extend([error_code] * times)

    def by_id(self) -> dict[int, EmulatedOrder]:
        return {order.id: order for order in self.orders}
