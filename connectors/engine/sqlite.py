"""The SQLite engine: one file (or memory) through sqlite-utils, SQLite's failures as sentences.

sqlite-utils 4 commits every write on its own unless a transaction is open, and ``with
db.conn:`` opens none (it only commits on the way out, and would commit an enclosing
transaction half-way). So a write transaction is ``BEGIN IMMEDIATE``: it takes the write lock
before the first read, so a check-then-write cannot race another process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database as SqliteUtilsDatabase

from connectors.engine.errors import (
    CHECK_FOLDER,
    DamagedDatabase,
    WarehouseBusy,
    WarehouseError,
    WarehouseFull,
    busy_sentence,
    damaged_sentence,
    full_sentence,
)

# SQLite's primary result codes (https://www.sqlite.org/rescode.html)
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 11, 13, 26
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_CANTOPEN = 5, 6, 8, 14


class SqliteEngine:
    """A SQLite file (``None``: in memory) with WAL, a busy timeout, and BEGIN IMMEDIATE writes."""

    name = "sqlite"
    auto_id = "INTEGER PRIMARY KEY"  # an alias of the rowid: numbered by SQLite
    Error = sqlite3.Error

    def __init__(self, path: Path | None, busy_timeout_ms: int, read_only: bool = False) -> None:
        if path is None:
            self.handle = SqliteUtilsDatabase(memory=True)
        else:
            try:
                self.handle = SqliteUtilsDatabase(sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                                  check_same_thread=False)
                                                  if read_only else path)
            except sqlite3.OperationalError:
                raise WarehouseError(f"cannot open the database file {path}: {CHECK_FOLDER}") from None
        self.conn: sqlite3.Connection = self.handle.conn
        self.conn.isolation_level = None  # no implicit BEGIN: a statement outside ``begin`` commits on its own
        if path is not None and not read_only:
            self.guarded(self.set_busy_timeout, busy_timeout_ms)  # first: WAL itself may wait for a lock
            self.guarded(self.conn.execute, "PRAGMA journal_mode=WAL")

    def guarded(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except sqlite3.DatabaseError as error:
            raise self.translate(error) from error

    # -- statements -------------------------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def stream(self, sql: str, size: int) -> Iterator[list[Any]]:
        cursor = self.conn.execute(sql)
        while rows := cursor.fetchmany(size):
            yield rows

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                              f"({', '.join('?' for _ in columns)})", rows)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        before = self.conn.total_changes
        self.conn.executemany(sql, rows)
        return self.conn.total_changes - before

    # -- transactions -----------------------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def end(self, commit: bool) -> None:
        if self.conn.in_transaction:  # a full disk or an I/O error may already have rolled it back
            self.conn.execute("COMMIT" if commit else "ROLLBACK")

    # -- what the warehouse asks of an engine -----------------------------------------------------------------

    def tables(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def change_key(self) -> Hashable:
        """Moves when another connection commits (``data_version``) or this one writes (``total_changes``)."""
        return (self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0])

    def set_busy_timeout(self, ms: int) -> None:
        self.conn.execute(f"PRAGMA busy_timeout={int(ms)}")

    def after_copy(self, table: str) -> None:
        """Rows copied in with their ids need nothing more: SQLite numbers on from the largest rowid."""

    def integrity_problem(self) -> str | None:
        """None when ``PRAGMA quick_check`` finds the file sound, else SQLite's first complaints."""
        try:
            rows = self.conn.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.DatabaseError as error:
            if primary_code(error) in (SQLITE_BUSY, SQLITE_LOCKED):
                return None  # locked is not damaged; the writer will let go
            return str(error)
        problems = [str(row[0]) for row in rows if row[0] != "ok"]
        return "; ".join(problems) or None

    def refuse_if_unsound(self) -> None:
        if self.integrity_problem() is not None:
            raise DamagedDatabase(damaged_sentence(self.label))

    @property
    def label(self) -> str:
        try:
            row = self.conn.execute("PRAGMA database_list").fetchone()
        except sqlite3.Error:
            return "(unknown file)"
        return str(row[2]) if row and row[2] else "(in memory)"

    def busy_seconds(self) -> float:
        try:
            return int(self.conn.execute("PRAGMA busy_timeout").fetchone()[0]) / 1000
        except sqlite3.Error:
            return 0.0

    def translate(self, error: BaseException) -> BaseException:
        """A busy, full, read-only or damaged file as a ``WarehouseError`` naming it; anything else as it is."""
        if not isinstance(error, sqlite3.DatabaseError):
            return error
        code = primary_code(error)
        if is_damage(error):
            return DamagedDatabase(damaged_sentence(self.label))
        if code == SQLITE_FULL:
            return WarehouseFull(full_sentence(self.label))
        if code in (SQLITE_READONLY, SQLITE_CANTOPEN):
            return WarehouseError(f"cannot write the database file {self.label}: {CHECK_FOLDER}")
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return WarehouseBusy(busy_sentence(self.label, self.busy_seconds()))
        return error

    def close(self) -> None:
        self.conn.close()


def primary_code(error: BaseException) -> int:
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def is_damage(error: BaseException) -> bool:
    return isinstance(error, sqlite3.DatabaseError) and primary_code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB)
