"""The SQLite warehouse: opening, migrating, idempotent chunk writes and reads.

Only ``connectors`` writes SQL. Everything above it gets plain rows or DataFrames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlite_utils import Database

from connectors.migrations import migrate
from connectors.transaction import WarehouseBusy, connect, refuse_if_damaged, storage_errors, transaction

BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another process's write lock
STARTUP_STEP_MS = 1_000  # at start-up, wait in short steps so each one can be logged

SESSION_MEASURES = (
    "sessions",
    "engaged_sessions",
    "orders",
    "revenue",
    "add_to_carts",
    "checkouts",
    "key_events",
)
USER_MEASURES = ("total_users", "new_users", "active_users")
AD_MEASURES = ("ad_cost", "ad_clicks", "ad_impressions")

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "ga4_sessions": ("store", "date", "channel", "device", "visitor"),
    "ga4_users": ("store", "date"),
    "ga4_ads": ("store", "date", "channel", "campaign"),
}


def open_database(path: str | Path | None = None, *, check: bool = False,
                  busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open (creating if needed) and migrate the warehouse. ``None`` means in memory.

    ``check`` runs ``PRAGMA quick_check`` first and refuses a damaged file: commands that
    write ask for it, so they never build on (and spread) damage.
    """
    if path is None:
        db = Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = connect(Path(path))
        with storage_errors(db):
            db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")  # first: WAL itself may wait for a lock
            db.execute("PRAGMA journal_mode=WAL")
            if check:
                refuse_if_damaged(db)
    with storage_errors(db):
        migrate(db)
    return db


def open_when_writable(path: str | Path, patience_s: float, clock: Callable[[], float],
                       on_wait: Callable[[float], None]) -> Database:
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


def date_range_frame(
    db: Database,
    table: str,
    store: str,
    start: date,
    end: date,
    measures: Iterable[str],
    by: Sequence[str] = (),
    where: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Daily sums of ``measures`` between ``start`` and ``end`` (inclusive), grouped by
    ``date`` plus the columns in ``by``, optionally filtered by equality in ``where``."""
    keys = ["date", *by]
    sums = ", ".join(f"SUM({m}) AS {m}" for m in measures)
    filters = "".join(f" AND {column} = :w_{column}" for column in (where or {}))
    params: dict[str, Any] = {"store": store, "start": start.isoformat(), "end": end.isoformat()}
    params.update({f"w_{column}": value for column, value in (where or {}).items()})
    sql = (
        f"SELECT {', '.join(keys)}, {sums} FROM {table} "
        f"WHERE store = :store AND date BETWEEN :start AND :end{filters} "
        f"GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}"
    )
    cursor = db.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns)


def chunks_overlapping(db: Database, store: str, start: date, end: date) -> list[dict[str, Any]]:
    """Chunk metadata rows whose range overlaps [start, end], for caveats."""
    return list(
        db.query(
            "SELECT * FROM ga4_chunks WHERE store = ? AND start_date <= ? AND end_date >= ?",
            [store, end.isoformat(), start.isoformat()],
        )
    )


def period_sums(
    db: Database,
    table: str,
    store: str,
    start: date,
    end: date,
    measure: str,
    by: str | None = None,
    where: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Σ ``measure`` over [start, end], per value of ``by`` (or under the key ``""``)."""
    key = by or "''"
    filters = "".join(f" AND {column} = :w_{column}" for column in (where or {}))
    params: dict[str, Any] = {"store": store, "start": start.isoformat(), "end": end.isoformat()}
    params.update({f"w_{column}": value for column, value in (where or {}).items()})
    sql = (f"SELECT {key} AS key, SUM({measure}) FROM {table} "
           f"WHERE store = :store AND date BETWEEN :start AND :end{filters} GROUP BY {key}")
    return {str(k): float(v) for k, v in db.execute(sql, params).fetchall() if v is not None}


def days_present(db: Database, table: str, store: str, start: date, end: date) -> set[str]:
    rows = db.execute(f"SELECT DISTINCT date FROM {table} WHERE store = ? AND date BETWEEN ? AND ?",
                      [store, start.isoformat(), end.isoformat()]).fetchall()
    return {row[0] for row in rows}


def table_columns(db: Database, table: str) -> set[str]:
    return set(db.table(table).columns_dict)
