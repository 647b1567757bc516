"""The engine-neutral database every ``connectors`` module writes its SQL against.

``Database`` wraps one engine (``SqliteEngine`` or ``PostgresEngine``) and is all the rest of
``connectors`` sees: ``execute``/``query``/``executemany`` with ``?`` placeholders, ``transaction()``,
``upsert``, ``tables``/``columns``, ``change_key`` for caches, ``integrity_problem`` and ``close``.
How to write SQL that runs on both engines is in ``connectors.warehouse``'s docstring.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from connectors.engine.errors import WarehouseError
from connectors.engine.location import Location, is_postgres_url, location_problem
from connectors.engine.postgres import PostgresEngine
from connectors.engine.sql import upsert_sql
from connectors.engine.sqlite import SqliteEngine

SAVEPOINT = "kpibot_nested"


class Cursor(Protocol):
    """What ``execute`` returns on either engine (a sqlite3 or a psycopg cursor)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class BadLocation(WarehouseError):
    exit_code = 2


class Database:
    """One connection to the warehouse, on whichever engine its location names."""

    def __init__(self, engine: SqliteEngine | PostgresEngine) -> None:
        self.engine = engine

    @property
    def kind(self) -> str:
        """``sqlite`` or ``postgresql``: for logs and migrate-db only; SQL never branches on it."""
        return self.engine.name

    @property
    def label(self) -> str:
        """The file, or the URL with its password masked: what messages name."""
        return self.engine.label

    @property
    def auto_id(self) -> str:
        """DDL for an auto-numbered integer primary key (SQLite's rowid alias, PostgreSQL's identity)."""
        return self.engine.auto_id

    # -- statements -------------------------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        with self.storage_errors():
            cursor: Cursor = self.engine.execute(sql, _values(params))
            return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run ``sql`` once per row; the number of rows changed."""
        with self.storage_errors():
            return self.engine.executemany(sql, [_values(row) for row in rows])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def stream(self, sql: str, size: int = 5_000) -> Iterator[list[Any]]:
        """The rows of a query without parameters, ``size`` at a time (for copying a whole table)."""
        with self.storage_errors():
            yield from self.engine.stream(sql, size)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many new rows (COPY on PostgreSQL); inside a ``transaction``."""
        with self.storage_errors():
            self.engine.insert_rows(table, columns, [_values(row) for row in rows])

    def upsert(self, table: str, rows: Sequence[Mapping[str, Any]], key: Sequence[str], keep: Sequence[str] = (),
               only_changed: bool = False) -> int:
        """Insert ``rows`` or update them on ``key``; columns in ``keep`` keep their old value. Rows changed."""
        if not rows:
            return 0
        columns = list(rows[0])
        sql = upsert_sql(table, columns, key, keep, only_changed)
        return self.executemany(sql, [[row[c] for c in columns] for row in rows])

    # -- transactions -----------------------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self.engine.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All of the block's writes, or none of them; writers of one warehouse take turns.

        Nested use joins the enclosing transaction through a savepoint: the inner block's
        writes are undone on its own error, and are committed only with the outer block.
        """
        nested = self.engine.in_transaction
        with self.storage_errors():
            try:
                if nested:
                    self.engine.execute(f"SAVEPOINT {SAVEPOINT}", ())
                else:
                    self.engine.begin()
                yield self
                if nested:
                    self.engine.execute(f"RELEASE {SAVEPOINT}", ())
                else:
                    self.engine.end(commit=True)
            except BaseException:
                self._undo(nested)
                raise

    def _undo(self, nested: bool) -> None:
        try:
            if not self.engine.in_transaction:
                return  # a full disk or a lost connection may already have rolled it all back
            if nested:
                self.engine.execute(f"ROLLBACK TO {SAVEPOINT}", ())
                self.engine.execute(f"RELEASE {SAVEPOINT}", ())
            else:
                self.engine.end(commit=False)
        except self.engine.Error:
            pass  # the error that brought us here is the one to tell

    @contextmanager
    def storage_errors(self) -> Iterator[None]:
        """A busy, full, unreachable or damaged database as a ``WarehouseError`` naming it."""
        try:
            yield
        except self.engine.Error as error:
            translated = self.engine.translate(error)
            if translated is error:
                raise
            raise translated from error

    # -- the schema, caches, health ---------------------------------------------------------------------------

    def tables(self) -> set[str]:
        with self.storage_errors():
            return self.engine.tables()

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    def columns(self, table: str) -> list[str]:
        return [column[0] for column in self.execute(f"SELECT * FROM {table} LIMIT 0").description]

    def change_key(self) -> Hashable:
        """A key that changes whenever any connection may have changed the data: for caches."""
        with self.storage_errors():
            return (id(self), self.engine.change_key())

    def integrity_problem(self) -> str | None:
        """None when the database is sound and reachable, else what is wrong."""
        return self.engine.integrity_problem()

    def refuse_if_unsound(self) -> None:
        """Raise the engine's sentence (a damaged file, an unreachable server) instead of writing on."""
        self.engine.refuse_if_unsound()

    def set_busy_timeout(self, ms: int) -> None:
        """How long a write waits for another process's write to finish before ``WarehouseBusy``."""
        with self.storage_errors():
            self.engine.set_busy_timeout(ms)

    def after_copy(self, table: str) -> None:
        """After rows were copied in with their own ids: new rows are numbered on from the largest."""
        with self.storage_errors():
            self.engine.after_copy(table)

    def close(self) -> None:
        self.engine.close()


def open_engine(location: Location | None, busy_timeout_ms: int,
                read_only: bool = False) -> SqliteEngine | PostgresEngine:
    """The engine ``location`` names: a postgresql:// URL, else a file path (``None``: in memory)."""
    if location is None:
        return SqliteEngine(None, busy_timeout_ms)
    if is_postgres_url(location):
        return PostgresEngine(str(location), busy_timeout_ms, read_only)
    problem = location_problem(str(location))
    if problem:
        raise BadLocation(f"the database {problem}")
    path = Path(location)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteEngine(path, busy_timeout_ms, read_only)


def _values(params: Sequence[Any]) -> Sequence[Any]:
    """Parameters as both engines store them: a bool as 0/1 (PostgreSQL refuses a bool in an INTEGER)."""
    if any(isinstance(value, bool) for value in params):
        return [int(value) if isinstance(value, bool) else value for value in params]
    return params
