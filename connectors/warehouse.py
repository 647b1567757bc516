"""The warehouse: opening and migrating it on either engine, chunk writes, and reads for the KPI maths.

Only ``connectors`` writes SQL. Everything above it gets plain rows or DataFrames: the KPI maths
through the ``KpiReader`` methods of ``Warehouse``. Nothing above this module knows which engine
holds the data: ``[kpibot] database`` (or ``KPIBOT_DATABASE_URL``) is a file path for SQLite or a
``postgresql://`` URL for PostgreSQL, and both hold the same tables, built by the same migrations.

How to write SQL that runs on both engines
------------------------------------------
Every module of ``connectors`` takes a ``connectors.engine.database.Database`` (a ``Warehouse`` is
one) and follows these rules; ``tests/support/engines.py`` runs the tests on both engines.

- Placeholders are ``?``, positional only (they become ``%s`` for psycopg). A literal ``%`` is fine.
- Statements: ``db.execute(sql, params)`` returns a cursor (``fetchone``/``fetchall``/``rowcount``/
  ``description``); ``db.query(sql, params)`` returns dicts; ``db.executemany(sql, rows)`` returns the
  number of rows changed. Never reach for the engine's connection, ``PRAGMA``, ``sqlite_master``,
  ``lastrowid``, ``total_changes`` or sqlite-utils' table helpers.
- Upserts: ``db.upsert(table, rows, key, keep=())`` writes ``INSERT … ON CONFLICT (key) DO UPDATE SET
  c = excluded.c``; by hand, always name the conflict target, except ``ON CONFLICT DO NOTHING``.
  No ``INSERT OR IGNORE``/``OR REPLACE``, no ``REPLACE INTO``.
- A new row's id: ``INSERT … RETURNING id`` (read the row; ``rowcount`` is not reliable with RETURNING).
- Transactions: ``with transaction(db):`` (``connectors.transaction``) around every multi-statement
  write; writers of one warehouse take turns (SQLite's ``BEGIN IMMEDIATE``, an advisory lock on
  PostgreSQL), so a check-then-write inside it cannot race. Nested blocks become savepoints.
- Functions: only what both have — ``COUNT SUM MIN MAX AVG COALESCE CASE``, ``LIMIT ?``. Not the
  two-argument ``MAX(a, b)`` (write ``CASE WHEN``), not ``IFNULL``, ``GROUP_CONCAT``, ``strftime``,
  ``date()``, ``||`` on numbers, ``IS NOT <value>`` (``connectors.engine.sql.distinct``), nor a
  constant in ``GROUP BY`` (PostgreSQL refuses ``GROUP BY ''``).
- Types: TEXT, INTEGER (flags, small counts), BIGINT (counts that may pass two billion), DOUBLE
  PRECISION (money, never REAL: PostgreSQL's REAL is 4 bytes). A BIGINT's SUM comes back as an int
  on both. Dates and times are ISO-8601 TEXT of one fixed width (``connectors.delivery_store.stamp``),
  so they compare and sort as text the same way under any collation. Booleans are stored as 0/1.
- Text order: ``ORDER BY`` a free-text column sorts by the PostgreSQL database's collation, which
  need not be SQLite's byte order: where a person sees the order, sort again in Python.
- Migrations (``connectors/migrations/mNNN_*.py``): plain DDL through ``db.execute``, explicit
  ``PRIMARY KEY``, ``CREATE INDEX`` with an explicit name; an auto-numbered key is
  ``f"id {db.auto_id}"``. No AUTOINCREMENT, no ``WITHOUT ROWID``, nothing SQLite-only. A migration
  runs in one transaction (DDL is transactional on both engines).
- Names: avoid PostgreSQL's reserved words as columns (``user``, ``order``, ``limit``, ``group``...).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from connectors import reader
from connectors.engine.database import Database, open_engine
from connectors.engine.location import Location
from connectors.migrations import migrate
from connectors.orders import sales
from connectors.orders.store import counted_orders, orders_version
from connectors.tables import TABLE_KEYS
from connectors.transaction import WarehouseBusy, refuse_if_damaged, transaction

BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another process's write lock
STARTUP_STEP_MS = 1_000  # at start-up, wait in short steps so each one can be logged


def open_database(location: Location | None = None, *, check: bool = False,
                  busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Warehouse:
    """Open (creating if needed) and migrate the warehouse. ``None`` means SQLite in memory.

    ``check`` refuses a damaged file or an unreachable server first (``PRAGMA quick_check`` on
    SQLite): commands that write ask for it, so they never build on (and spread) damage.
    """
    db = Warehouse(open_engine(location, busy_timeout_ms))
    try:
        if check:
            refuse_if_damaged(db)
        with db.storage_errors():
            migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def warehouse_exists(location: Location) -> bool:
    """Whether there is a warehouse to open: a file that exists, or a server's database (the server holds it)."""
    return not (isinstance(location, Path) and not location.exists())


def peek_database(location: Location) -> Warehouse | None:
    """The warehouse as it is, read-only and not migrated (``check-config`` must change nothing),
    or None when a file does not exist yet."""
    if not warehouse_exists(location):
        return None
    return Warehouse(open_engine(location, BUSY_TIMEOUT_MS, read_only=True))


def open_when_writable(location: Location, patience_s: float, clock: Callable[[], float],
                       on_wait: Callable[[float], None], step_ms: int = STARTUP_STEP_MS) -> Warehouse:
    """Open a long-running process's warehouse: refuse a damaged file, and while another process
    holds the write lock, wait for it (telling ``on_wait`` the seconds waited) instead of failing."""
    started = clock()
    while True:
        db = None
        try:
            db = open_database(location, check=True, busy_timeout_ms=step_ms)
            with transaction(db):
                pass  # the write lock was free for a moment: migrations are done, writes can start
        except WarehouseBusy:
            if db is not None:
                db.close()
            waited = clock() - started
            if waited >= patience_s:
                raise WarehouseBusy(f"the database {db.label if db else location} stayed locked by another "
                                    f"process for {waited:.0f} s: stop the process holding it (a sync or an "
                                    "import), then start again") from None
            on_wait(waited)
            continue
        db.set_busy_timeout(BUSY_TIMEOUT_MS)
        return db


class Warehouse(Database):
    """The warehouse on either engine: a ``Database`` that is also the KPI maths' ``KpiReader``."""

    def sums(self, store: str, source: str, measure: str, start: date, end: date, *, by: str | None = None,
             where: Mapping[str, str] | None = None) -> dict[str, float]:
        return reader.sums(self, store, source, measure, start, end, by=by, where=where)

    def daily(self, store: str, source: str, measure: str, start: date, end: date, *, by: Sequence[str] = (),
              where: Mapping[str, str] | None = None) -> pd.DataFrame:
        return reader.daily(self, store, source, measure, start, end, by=by, where=where)

    def days_with_data(self, store: str, source: str, start: date, end: date) -> set[date]:
        return reader.days_with_data(self, store, source, start, end)

    def data_span(self, store: str, source: str) -> tuple[date, date] | None:
        return reader.data_span(self, store, source)

    def quality_flags(self, store: str, start: date, end: date) -> set[str]:
        return reader.quality_flags(self, store, start, end)

    def counted_orders(self, store: str) -> pd.DataFrame:
        return counted_orders(self, store)

    def orders_version(self, store: str) -> Hashable:
        return orders_version(self, store)

    # --- the shop's own sales (issue 14): connectors/orders/sales.py ---
    def shop_sales(self, store: str, start: date, end: date, *, by: str | None = None) -> pd.DataFrame:
        return sales.shop_sales(self, store, start, end, by)

    def other_currency_orders(self, store: str, start: date, end: date) -> dict[str, int]:
        return sales.other_currency_orders(self, store, start, end)


def write_chunk(
    db: Database,
    table: str,
    rows: Sequence[Mapping[str, Any]],
    chunk: Mapping[str, Any],
) -> None:
    """Replace one date chunk's rows and its metadata in a single transaction.

    Rows of the chunk's store and date range that the source no longer returns are
    deleted, so a re-pull that shrinks (GA4 reprocessing) leaves exactly what GA4 says.
    Called inside an enclosing ``transaction`` it commits with it.
    """
    with transaction(db):
        db.execute(
            f"DELETE FROM {table} WHERE store = ? AND date BETWEEN ? AND ?",
            [chunk["store"], chunk["start_date"], chunk["end_date"]],
        )
        db.upsert(table, rows, TABLE_KEYS[table])
        db.upsert("ga4_chunks", [chunk], ("store", "report", "start_date", "end_date"))
