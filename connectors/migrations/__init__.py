"""Numbered schema migrations.

Each module ``mNNN_<what>.py`` in this package defines ``apply(db)``. They run in
number order, once each, and the numbers applied are kept in ``_migrations``.
Adding a table means adding a module with the next number, never editing an old one.
Each migration runs in one transaction together with its ``_migrations`` row (DDL is
transactional on SQLite and PostgreSQL), so a full disk or a kill half-way leaves it wholly
unapplied. The same migrations run on both engines: plain portable DDL (see the rules in
``connectors.warehouse``).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from connectors.engine.database import Database
from connectors.transaction import transaction

Migration = tuple[int, str, Callable[[Database], None]]


def discover() -> list[Migration]:
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        if not (info.name.startswith("m") and info.name[1:4].isdigit()):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append((int(info.name[1:4]), info.name, module.apply))
    numbers = [number for number, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {sorted(numbers)}")
    return sorted(found)


_LOCK = threading.Lock()


def migrate(db: Database) -> list[str]:
    """Apply every migration not yet applied; return the names applied now.

    Threads of one process (Slack listeners, scheduled jobs) opening the same new file at
    once take turns; other processes wait on SQLite's busy timeout, then find the
    migration applied when they get the write lock.
    """
    with _LOCK:
        return _migrate(db)


def _migrate(db: Database) -> list[str]:
    pending = [migration for migration in discover() if migration[0] not in _applied(db)]
    applied = []
    for number, name, apply in pending:
        with transaction(db):
            if number in _applied(db):  # another process applied it while we waited for the lock
                continue
            apply(db)
            db.execute(
                "INSERT INTO _migrations (number, name, applied_at) VALUES (?, ?, ?)",
                [number, name, datetime.now(UTC).isoformat(timespec="seconds")],
            )
        applied.append(name)
    return applied


def _applied(db: Database) -> set[int]:
    if not db.has_table("_migrations"):
        with transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS _migrations "
                       "(number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    return {row[0] for row in db.execute("SELECT number FROM _migrations").fetchall()}
