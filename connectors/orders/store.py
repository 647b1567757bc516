"""Storing and reading orders. Customer ids and emails are kept only as salted SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.engine.database import Database
from connectors.engine.sql import upsert_sql
from connectors.orders.exports import OrderRow
from connectors.orders.rules import counts, order_currency
from connectors.transaction import transaction

SALT_KEY = "customer_salt"
COLUMNS = ("store", "source", "order_id", "name", "customer_hash", "email_hash", "created_at", "date", "total",
           "refunded", "currency", "status", "counted", "other_currency")
KEYS = ("store", "source", "order_id")
UPSERT = upsert_sql("orders", COLUMNS, KEYS, only_changed=True)  # an unchanged order counts as no change
# One order can arrive twice: from an export imported by hand and from the live shop a store connected
# later. Its name (#1001; the export's order id) says so, with or without its '#'. The live copy counts;
# the exported one is kept and counts for nothing, whichever arrived first.
LIVE_NAMES = "SELECT DISTINCT LTRIM(name, '#') FROM orders WHERE store = ? AND source <> 'csv'"


@dataclass(frozen=True)
class ImportCounts:
    inserted: int
    updated: int
    unchanged: int


def salt(db: Database) -> str:
    """The database's own salt, made once: hashes mean nothing outside this file."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [SALT_KEY]).fetchone()
    if row:
        return str(row[0])
    with transaction(db):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                   [SALT_KEY, secrets.token_hex(16)])
    return str(db.execute("SELECT value FROM meta WHERE key = ?", [SALT_KEY]).fetchone()[0])


def hashed(value: str, pepper: str) -> str:
    return hashlib.sha256(f"{pepper}:{value}".encode()).hexdigest()


def store_orders(db: Database, store: str, timezone: str, rows: Sequence[OrderRow], currency: str) -> ImportCounts:
    """Upsert on (store, 'csv', order_id) in one transaction; a changed order is updated.

    The rule of ``connectors.orders.rules`` applies: fully refunded and other-currency orders are
    kept but do not count."""
    with transaction(db):
        return _upsert_orders(db, store, timezone, rows, currency)


def _upsert_orders(db: Database, store: str, timezone: str, rows: Sequence[OrderRow], currency: str) -> ImportCounts:
    pepper, zone = salt(db), ZoneInfo(timezone)
    live = {str(name) for (name,) in db.execute(LIVE_NAMES, [store]).fetchall()}
    records = [_record(store, r, pepper, zone, currency, r.order_id.lstrip("#") in live) for r in rows]
    before = db.execute("SELECT COUNT(*) FROM orders WHERE store = ?", [store]).fetchone()[0]
    written = db.executemany(UPSERT, records)
    inserted = db.execute("SELECT COUNT(*) FROM orders WHERE store = ?", [store]).fetchone()[0] - before
    return ImportCounts(inserted, written - inserted, len(records) - written)


def _record(store: str, row: OrderRow, pepper: str, zone: ZoneInfo, currency: str,
            synced_live: bool) -> tuple[object, ...]:
    code = order_currency(row.currency, currency)
    counted = counts(row.counted, False, row.total, row.refunded, same_currency=code == currency) and not synced_live
    return (store, "csv", row.order_id, row.order_id, hashed(row.customer.lower(), pepper),
            hashed(row.email, pepper) if row.email else None, row.created_at.isoformat(),
            row.created_at.astimezone(zone).date().isoformat(), row.total, row.refunded, code, row.status,
            int(counted), int(code != currency))


def counted_orders(db: Database, store: str) -> pd.DataFrame:
    """Every order that counts, from every source: customer hash, local date, net revenue
    (total − refunded) under the name ``total``."""
    cursor = db.execute("SELECT customer_hash, date, total - refunded AS total, created_at, order_id FROM orders "
                        "WHERE store = ? AND counted = 1", [store])
    frame = pd.DataFrame(cursor.fetchall(), columns=["customer", "date", "total", "created_at", "order_id"])
    # sorted here, in code-point order down to the order id: the KPI maths add the totals in this
    # order, and a float sum must not depend on the engine's collation or on ties' order
    ordered = frame.sort_values(["date", "created_at", "order_id"], kind="stable", ignore_index=True)
    return ordered[["customer", "date", "total"]]


def orders_version(db: Database, store: str) -> tuple[object, ...]:
    """A cache key that changes whenever any connection may have changed the orders: the
    warehouse's change key, free to read, unlike counting a million rows."""
    return (db.change_key(), store)
