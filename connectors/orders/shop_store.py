"""Writing live shop orders and their line items, and each source's sync state, in SQL.

Every batch (a page, or a slice of a bulk export) is one ``BEGIN IMMEDIATE`` transaction
of idempotent upserts on (store, source, order id), so a sync killed at any moment and
run again ends with the same rows as one that was never interrupted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from connectors.engine.database import Database
from connectors.engine.sql import upsert_sql
from connectors.orders.rules import OrderLine, ShopOrder, counts, customer_key
from connectors.orders.store import hashed, salt
from connectors.transaction import transaction

ORDER_COLUMNS = ("store", "source", "order_id", "name", "customer_hash", "email_hash", "created_at", "date",
                 "updated_at", "total", "refunded", "subtotal", "discounts", "shipping", "tax", "currency", "status",
                 "counted", "test", "other_currency", "sales_channel")
LINE_COLUMNS = ("store", "source", "order_id", "line", "quantity", "sku", "title", "product_id", "product_type",
                "vendor", "net_amount")


@dataclass(frozen=True)
class Destination:
    """Where a source's orders go: the store, its time zone and currency, and the database's salt."""

    store: str
    source: str
    timezone: str
    currency: str
    pepper: str

    @classmethod
    def of(cls, db: Database, store: str, source: str, timezone: str, currency: str) -> Destination:
        return cls(store, source, timezone, currency, salt(db))


@lru_cache(maxsize=4096)
def known_currency(code: str) -> bool:
    """An ISO 4217 code that Babel knows (``EUR``, ``USD``), not ``XXX`` or a typo."""
    from babel.numbers import get_currency_name

    return len(code) == 3 and code.isalpha() and code.isupper() and get_currency_name(code) != code


def order_record(order: ShopOrder, to: Destination) -> tuple[object, ...]:
    same_currency = order.currency == to.currency
    customer = customer_key(to.source, order.order_id, order.customer_id, order.email)
    email = order.email.strip().lower() if order.email and order.email.strip() else None
    local_day = order.created_at.astimezone(ZoneInfo(to.timezone)).date().isoformat()
    return (to.store, to.source, order.order_id, order.name, hashed(customer, to.pepper),
            hashed(email, to.pepper) if email else None, order.created_at.isoformat(), local_day,
            order.updated_at.isoformat() if order.updated_at else None, order.total, order.refunded, order.subtotal,
            order.discounts, order.shipping, order.tax, order.currency, order.status,
            int(counts(order.live, order.test, order.total, order.refunded, same_currency)), int(order.test),
            int(not same_currency), order.sales_channel)


def line_record(order_id: str, line: OrderLine, to: Destination) -> tuple[object, ...]:
    return (to.store, to.source, order_id, line.line, line.quantity, line.sku, line.title, line.product_id,
            line.product_type, line.vendor, line.net_amount)


UPSERT_ORDER = upsert_sql("orders", ORDER_COLUMNS, ("store", "source", "order_id"))
UPSERT_LINE = upsert_sql("order_lines", LINE_COLUMNS, ("store", "source", "order_id", "line"))


def write_batch(db: Database, to: Destination, orders: Sequence[ShopOrder],
                loose_lines: Iterable[tuple[str, OrderLine]] = (), replace_lines: bool = True) -> None:
    """Upsert ``orders`` (and, with ``replace_lines``, exactly their ``lines``) plus ``loose_lines``
    (line items that a bulk export lists apart from their order) in one transaction."""
    records = [order_record(order, to) for order in orders]
    lines = [line_record(order.order_id, line, to) for order in orders for line in order.lines]
    lines += [line_record(order_id, line, to) for order_id, line in loose_lines]
    with transaction(db):
        if replace_lines and orders:
            for start in range(0, len(orders), 500):  # stay well under any bound-parameter limit
                ids = [order.order_id for order in orders[start:start + 500]]
                db.execute(f"DELETE FROM order_lines WHERE store = ? AND source = ? AND order_id IN "
                           f"({', '.join('?' for _ in ids)})", [to.store, to.source, *ids])
        db.executemany(UPSERT_ORDER, records)
        db.executemany(UPSERT_LINE, lines)
        _supersede_exported(db, to.store, [order.name for order in orders])


def _supersede_exported(db: Database, store: str, names: Sequence[str]) -> None:
    """Orders of an earlier export that the live shop now sends stop counting (``connectors.orders.store``)."""
    for start in range(0, len(names), 500):
        chunk = [name.lstrip("#") for name in names[start:start + 500]]
        db.execute(f"UPDATE orders SET counted = 0 WHERE store = ? AND source = 'csv' AND counted = 1 "
                   f"AND LTRIM(name, '#') IN ({', '.join('?' for _ in chunk)})", [store, *chunk])


def orphan_lines(db: Database, store: str, source: str) -> int:
    """Line items whose order is not in the table (a bulk export cut short)."""
    return int(db.execute(
        "SELECT COUNT(*) FROM order_lines l WHERE l.store = ? AND l.source = ? AND NOT EXISTS "
        "(SELECT 1 FROM orders o WHERE o.store = l.store AND o.source = l.source AND o.order_id = l.order_id)",
        [store, source]).fetchone()[0])


def synced_from(db: Database, store: str, source: str) -> datetime | None:
    """Where the next incremental sync of ``source`` starts (before its safety window), or None."""
    row = db.execute("SELECT synced_from FROM shop_sync_state WHERE store = ? AND source = ?",
                     [store, source]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def mark_synced(db: Database, store: str, source: str, started_at: datetime, now: datetime) -> None:
    """Record a complete sync that started at ``started_at``: the next one reads changes from there."""
    with transaction(db):
        db.execute("INSERT INTO shop_sync_state (store, source, synced_from, updated_at) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (store, source) DO UPDATE SET synced_from = excluded.synced_from, "
                   "updated_at = excluded.updated_at",
                   [store, source, started_at.isoformat(), now.isoformat(timespec="seconds")])


def other_currency_orders(db: Database, store: str) -> dict[str, int]:
    """Orders kept but left out of sums because they are not in the store's currency, per currency."""
    rows = db.execute("SELECT currency, COUNT(*) FROM orders WHERE store = ? AND other_currency = 1 "
                      "GROUP BY currency ORDER BY currency", [store]).fetchall()
    return {str(currency): int(count) for currency, count in rows}


@dataclass(frozen=True)
class ShopFreshness:
    """How fresh a shop source is: when its last complete sync started, and its last order's day."""

    source: str
    synced_at: datetime | None
    orders_through: str | None  # ISO day in the store's time zone


def shop_freshness(db: Database, store: str, source: str) -> ShopFreshness:
    state = db.execute("SELECT updated_at FROM shop_sync_state WHERE store = ? AND source = ?",
                       [store, source]).fetchone()
    last = db.execute("SELECT MAX(date) FROM orders WHERE store = ? AND source = ?", [store, source]).fetchone()
    synced = datetime.fromisoformat(state[0]) if state and state[0] else None
    return ShopFreshness(source, synced, last[0] if last else None)
