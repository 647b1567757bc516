"""What every shop source's sync shares: the window to read, batched writes, and what to report.

The first sync of a source reads the whole order history; later ones read the orders
updated since the last sync began, minus a re-read window (refunds and edits arrive
late, and a shop's search index lags a little). ``--since``/``--until`` read only the
orders created in that range and leave the sync state alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connectors.engine.database import Database
from connectors.orders.rules import OrderLine, ShopOrder
from connectors.orders.shop_store import Destination, known_currency, synced_from, write_batch

REREAD = timedelta(days=3)
BATCH_ROWS = 5_000  # orders plus line items per transaction

Progress = Callable[[str, int, int, int], None]  # source, batch done, batches (0 if unknown), orders so far


@dataclass(frozen=True)
class Window:
    mode: str  # backfill | incremental | range
    updated_from: datetime | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


def plan_window(db: Database, to: Destination, since: date | None, until: date | None) -> Window:
    """Which orders this sync reads (days in the store's time zone)."""
    zone = ZoneInfo(to.timezone)
    if since or until:
        start = datetime.combine(since, time.min, zone).astimezone(UTC) if since else None
        end = datetime.combine(until + timedelta(days=1), time.min, zone).astimezone(UTC) if until else None
        return Window("range", created_from=start, created_before=end)
    last = synced_from(db, to.store, to.source)
    if last is None:
        return Window("backfill")
    return Window("incremental", updated_from=last - REREAD)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ShopSyncResult:
    store: str
    source: str
    mode: str
    orders: int = 0
    lines: int = 0
    requests: int = 0
    other_currency: Counter[str] = field(default_factory=Counter)
    unknown_currency: Counter[str] = field(default_factory=Counter)
    orphan_lines: int = 0

    def notes(self, currency: str, platform: str) -> list[str]:
        """What the shop owner should know about this sync, one sentence each."""
        notes = []
        if self.orders == 0 and self.mode == "backfill":
            notes.append(f"{platform} has no orders for this store yet; nothing stored earlier was changed")
        for code, count in sorted(self.other_currency.items()):
            notes.append(f"{count} order(s) in {code}, not the store's {currency}: kept, but left out of "
                         "revenue, orders and customers")
        for code, count in sorted(self.unknown_currency.items()):
            notes.append(f"{count} order(s) with an unknown currency {code!r}: kept, but left out of revenue, "
                         f"orders and customers; check the currency in {platform}'s settings")
        if self.orphan_lines:
            notes.append(f"{self.orphan_lines} line item(s) named an order missing from {platform}'s export: "
                         "kept; the next sync will fill in their orders")
        return notes


class BatchWriter:
    """Collects orders and line items and writes them a transaction at a time."""

    def __init__(self, db: Database, to: Destination, result: ShopSyncResult, replace_lines: bool,
                 batch_rows: int = BATCH_ROWS, progress: Progress | None = None) -> None:
        self.db, self.to, self.result, self.replace_lines = db, to, result, replace_lines
        self.batch_rows, self.progress = batch_rows, progress
        self.orders: list[ShopOrder] = []
        self.loose: list[tuple[str, OrderLine]] = []
        self.rows = 0
        self.batches = 0

    def add_order(self, order: ShopOrder) -> None:
        self._check_currency(order)
        self.orders.append(order)
        self.rows += 1 + len(order.lines)
        self.result.orders += 1
        self.result.lines += len(order.lines)
        if self.rows >= self.batch_rows:
            self.flush()

    def add_line(self, order_id: str, line: OrderLine) -> None:
        self.loose.append((order_id, line))
        self.rows += 1
        self.result.lines += 1
        if self.rows >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if not self.orders and not self.loose:
            return
        write_batch(self.db, self.to, self.orders, self.loose, self.replace_lines)
        self.orders, self.loose, self.rows = [], [], 0
        self.batches += 1
        if self.progress:
            self.progress(self.to.source, self.batches, 0, self.result.orders)

    def _check_currency(self, order: ShopOrder) -> None:
        if not known_currency(order.currency):
            self.result.unknown_currency[order.currency] += 1
        elif order.currency != self.to.currency:
            self.result.other_currency[order.currency] += 1
