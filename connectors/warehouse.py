"""The SQLite warehouse: opening, migrating, idempotent chunk writes, and reads for the KPI maths.

Only ``connectors`` writes SQL. Everything above it gets plain rows or DataFrames: the KPI
maths through the ``KpiReader`` methods of ``Warehouse``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlite_utils import Database

from connectors import reader
from connectors.migrations import migrate
from connectors.orders import sales
from connectors.orders.store import counted_orders, orders_version
from connectors.tables import TABLE_KEYS
from connectors.transaction import WarehouseBusy, connect, refuse_if_damaged, storage_errors, transaction

BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another process's write lock
STARTUP_STEP_MS = 1_000  # at start-up, wait in short steps so each one can be logged

def open_database(path: str | Path | None = None, *, check: bool = False,
                  busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Warehouse:
    """Open (creating if needed) and migrate the warehouse. ``None`` means in memory.

    ``check`` runs ``PRAGMA quick_check`` first and refuses a damaged file: commands that
    write ask for it, so they never build on (and spread) damage.
    """
    if path is None:
        db = Warehouse(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = connect(Path(path), Warehouse)
        with storage_errors(db):
            db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")  # first: WAL itself may wait for a lock
            db.execute("PRAGMA journal_mode=WAL")
            if check:
                refuse_if_damaged(db)
    with storage_errors(db):
        migrate(db)
    return db


def open_when_writable(path: str | Path, patience_s: float, clock: Callable[[], float],
                       on_wait: Callable[[float], None]) -> Warehouse:
    """Open a long-running process's warehouse: refuse a damaged file, and while another process
    holds the write lock, wait for it (telling ``on_wait`` the seconds waited) instead of failing."""
    started = clock()
    while True:
        db = None
        try:
            db = open_database(path, check=True, busy_timeout_ms=STARTUP_STEP_MS)
            with transaction(db):
                pass  # the write lock was free for a moment: migrations are done, writes can start
        except WarehouseBusy:
            if db is not None:
                db.close()
            waited = clock() - started
            if waited >= patience_s:
                raise WarehouseBusy(f"the database {path} stayed locked by another process for {waited:.0f} s: "
                                    "stop the process holding it (a sync or an import), then start again") from None
            on_wait(waited)
            continue
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return db


class Warehouse(Database):
    """The SQLite warehouse: a sqlite-utils ``Database`` that is also the KPI maths' ``KpiReader``."""

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
        if rows:
            db.table(table).upsert_all([dict(row) for row in rows], pk=TABLE_KEYS[table])
        db.table("ga4_chunks").upsert(dict(chunk), pk=("store", "report", "start_date", "end_date"))
