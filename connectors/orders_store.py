"""Storing and reading orders. Customer ids and emails are kept only as salted SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from sqlite_utils import Database

from connectors.orders_csv import OrderRow
from connectors.transaction import transaction

SALT_KEY = "customer_salt"
COLUMNS = ("store", "order_id", "customer_hash", "email_hash", "created_at", "date", "total", "currency",
           "status", "counted")


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
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [SALT_KEY, secrets.token_hex(16)])
    return str(db.execute("SELECT value FROM meta WHERE key = ?", [SALT_KEY]).fetchone()[0])


def hashed(value: str, pepper: str) -> str:
    return hashlib.sha256(f"{pepper}:{value}".encode()).hexdigest()


def store_orders(db: Database, store: str, timezone: str, rows: Sequence[OrderRow], currency: str) -> ImportCounts:
    """Upsert on (store, order_id) in one transaction; a changed order is updated."""
    with transaction(db):
        return _upsert_orders(db, store, timezone, rows, currency)


def _upsert_orders(db: Database, store: str, timezone: str, rows: Sequence[OrderRow], currency: str) -> ImportCounts:
    pepper, zone = salt(db), ZoneInfo(timezone)
    records = [(store, r.order_id, hashed(r.customer.lower(), pepper), hashed(r.email, pepper) if r.email else None,
                r.created_at.isoformat(), r.created_at.astimezone(zone).date().isoformat(), r.total,
                r.currency or currency, r.status, int(r.counted)) for r in rows]
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:])
    changed = " OR ".join(f"orders.{c} IS NOT excluded.{c}" for c in COLUMNS[2:])
    sql = (f"INSERT INTO orders ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
           f"ON CONFLICT (store, order_id) DO UPDATE SET {updates} WHERE {changed}")
    before = db.execute("SELECT COUNT(*) FROM orders WHERE store = ?", [store]).fetchone()[0]
    changes = db.conn.total_changes
    db.conn.executemany(sql, records)
    written = db.conn.total_changes - changes
    inserted = db.execute("SELECT COUNT(*) FROM orders WHERE store = ?", [store]).fetchone()[0] - before
    return ImportCounts(inserted, written - inserted, len(records) - written)


def counted_orders(db: Database, store: str) -> pd.DataFrame:
    """Every order that counts for revenue: customer hash, local date, total."""
    cursor = db.execute("SELECT customer_hash, date, total FROM orders WHERE store = ? AND counted = 1 "
                        "ORDER BY date, created_at", [store])
    return pd.DataFrame(cursor.fetchall(), columns=["customer", "date", "total"])


def orders_version(db: Database, store: str) -> tuple[object, ...]:
    """A cache key that changes whenever any connection may have changed the orders.

    ``data_version`` moves when another connection commits; ``total_changes`` when this one
    writes. Both are free to read, unlike counting a million rows.
    """
    data_version = db.execute("PRAGMA data_version").fetchone()[0]
    return (id(db.conn), db.conn.total_changes, data_version, store)
