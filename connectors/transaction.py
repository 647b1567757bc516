"""Write transactions that really are one, and SQLite's failures as one clear sentence.

sqlite-utils 4 commits every ``db.execute`` write on its own unless a transaction is
open, and ``with db.conn:`` opens none (it only commits on the way out, and would commit
an enclosing transaction half-way). So every write that must be all-or-nothing runs in
``transaction(db)``: ``BEGIN IMMEDIATE`` takes the write lock before the first read, so
a check-then-write cannot race another process, and any exception rolls everything back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

# SQLite's primary result codes (https://www.sqlite.org/rescode.html)
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 11, 13, 26
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_CANTOPEN = 5, 6, 8, 14


CHECK_FOLDER = "check that the path names a file in a folder that exists and that kpibot's user may write there"


class WarehouseError(Exception):
    """A storage failure the user can act on; the message says what to do."""

    exit_code = 1


class WarehouseBusy(WarehouseError):
    pass


class WarehouseFull(WarehouseError):
    pass


class DamagedDatabase(WarehouseError):
    pass


Kind = TypeVar("Kind", bound=Database)


def connect(path: Path, kind: type[Kind]) -> Kind:
    try:
        return kind(path)
    except sqlite3.OperationalError:
        raise WarehouseError(f"cannot open the database file {path}: {CHECK_FOLDER}") from None


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """All of the block's writes, or none of them.

    Nested use joins the enclosing transaction through a savepoint: the inner block's
    writes are undone on its own error, and are committed only with the outer block.
    """
    nested = db.conn.in_transaction
    with storage_errors(db):
        db.conn.execute("SAVEPOINT kpibot_nested" if nested else "BEGIN IMMEDIATE")
        try:
            yield db
            db.conn.execute("RELEASE kpibot_nested" if nested else "COMMIT")
        except BaseException:
            _undo(db, nested)
            raise


def _undo(db: Database, nested: bool) -> None:
    # A full disk or an I/O error may already have rolled the whole transaction back.
    if not db.conn.in_transaction:
        return
    if nested:
        db.conn.execute("ROLLBACK TO kpibot_nested")
        db.conn.execute("RELEASE kpibot_nested")
    else:
        db.conn.execute("ROLLBACK")


@contextmanager
def storage_errors(db: Database) -> Iterator[None]:
    """Turn a busy, full or damaged database into a ``WarehouseError`` naming the file."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        translated = translate(db, error)
        if translated is error:
            raise
        raise translated from error


def primary_code(error: BaseException) -> int:
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def is_damage(error: BaseException) -> bool:
    return isinstance(error, sqlite3.DatabaseError) and primary_code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def translate(db: Database, error: sqlite3.DatabaseError) -> Exception:
    code = primary_code(error)
    if is_damage(error):
        return DamagedDatabase(damaged_sentence(database_file(db)))
    if code == SQLITE_FULL:
        return WarehouseFull(f"the disk holding the database {database_file(db)} is full, so this write was undone "
                             "(nothing is half-written): free some space and run the command again")
    if code in (SQLITE_READONLY, SQLITE_CANTOPEN):
        return WarehouseError(f"cannot write the database file {database_file(db)}: {CHECK_FOLDER}")
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return WarehouseBusy(f"the database {database_file(db)} stayed locked by another process for more than "
                             f"{busy_seconds(db):g} s, so this write was given up (nothing is half-written): "
                             "run the command again once the other process is done")
    return error


def damaged_sentence(path: str | None) -> str:
    named = f" {path}" if path else ""
    return (f"the database file{named} is damaged: restore it from a backup (see Operations in the README), "
            "or move it aside and run kpibot sync (and kpibot import-orders) to rebuild it")


def database_file(db: Database) -> str:
    try:
        row = db.conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return "(unknown file)"
    return str(row[2]) if row and row[2] else "(in memory)"


def busy_seconds(db: Database) -> float:
    try:
        return int(db.conn.execute("PRAGMA busy_timeout").fetchone()[0]) / 1000
    except sqlite3.Error:
        return 0.0


def integrity_problem(db: Database) -> str | None:
    """None when ``PRAGMA quick_check`` finds the file sound, else SQLite's first complaints."""
    try:
        rows = db.conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as error:
        if primary_code(error) in (SQLITE_BUSY, SQLITE_LOCKED):
            return None  # locked is not damaged; the writer will let go
        return str(error)
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    return "; ".join(problems) or None


def refuse_if_damaged(db: Database) -> None:
    """Commands that write call this first: writing into a damaged file spreads the damage."""
    if integrity_problem(db) is not None:
        raise DamagedDatabase(damaged_sentence(database_file(db)))
