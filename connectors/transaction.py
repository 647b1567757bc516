"""Write transactions that really are one, and storage failures as one clear sentence.

Every write that must be all-or-nothing runs in ``transaction(db)``: on SQLite it is ``BEGIN
IMMEDIATE`` (the write lock is taken before the first read, so a check-then-write cannot race
another process); on PostgreSQL the same turn-taking comes from an advisory lock (see
``connectors.engine.postgres``). Any exception rolls everything back. The engines turn their
own errors into the ``WarehouseError`` family below, naming the file or the masked URL.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from connectors.engine.database import Database
from connectors.engine.errors import (
    CHECK_FOLDER,
    DamagedDatabase,
    WarehouseBusy,
    WarehouseError,
    WarehouseFull,
    damaged_sentence,
)
from connectors.engine.sqlite import is_damage

__all__ = ["CHECK_FOLDER", "DamagedDatabase", "WarehouseBusy", "WarehouseError", "WarehouseFull", "damaged_sentence",
           "integrity_problem", "is_damage", "refuse_if_damaged", "storage_errors", "transaction"]


def transaction(db: Database) -> AbstractContextManager[Database]:
    """All of the block's writes, or none of them (nested blocks join through a savepoint)."""
    return db.transaction()


def storage_errors(db: Database) -> AbstractContextManager[None]:
    """Turn a busy, full, unreachable or damaged database into a ``WarehouseError`` naming it."""
    return db.storage_errors()


def integrity_problem(db: Database) -> str | None:
    """None when the database is sound (SQLite: ``PRAGMA quick_check``; PostgreSQL: it answers)."""
    return db.integrity_problem()


def refuse_if_damaged(db: Database) -> None:
    """Commands that write call this first: writing into a damaged file spreads the damage."""
    db.refuse_if_unsound()
