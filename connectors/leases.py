"""SQL for leases: a named row that says which process runs something, until when.

One statement takes or renews a lease (``INSERT … ON CONFLICT … DO UPDATE … WHERE``, plain
SQL that SQLite and PostgreSQL both run), so two processes can never both hold it. A lease
is short and renewed by its live holder; a dead holder's lease simply runs out.

Names say what they guard, one job and slot each: "sync:<store>:<local hour>",
"digest:<store>:<local date>", "correct:<store>:<day>", "sweep", and "alive:<holder>" for a
process's own heartbeat. A job that must run once per slot leaves a *done mark* when it ends:
a second row, named "done:" + the lease's name, that lasts until the slot is over, so a
process whose trigger fires late finds the work done instead of doing it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from connectors.delivery_store import stamp
from connectors.engine.database import Database

DONE = "done:"
ALIVE = "alive:"


def take_lease(db: Database, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``until``; False while another holder's lease runs."""
    cursor = db.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "holder = excluded.holder, expires_at = excluded.expires_at "
        "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
        [name, holder, stamp(until), stamp(now)])
    return bool(cursor.rowcount)


def renew_leases(db: Database, names: Sequence[str], holder: str, until: datetime) -> int:
    """Push the expiry of ``holder``'s leases ``names`` on (one statement); how many are still its own."""
    if not names:
        return 0
    marks = ", ".join("?" for _ in names)
    cursor = db.execute(f"UPDATE leases SET expires_at = ? WHERE holder = ? AND name IN ({marks})",
                        [stamp(until), holder, *names])
    return int(cursor.rowcount)


def release_lease(db: Database, name: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (a clean stop), so the next process need not wait for it to run out."""
    db.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?", [stamp(now), name, holder])


def lease_holder(db: Database, name: str, now: datetime) -> str | None:
    row = db.execute("SELECT holder FROM leases WHERE name = ? AND expires_at > ?", [name, stamp(now)]).fetchone()
    return str(row[0]) if row else None


def mark_done(db: Database, name: str, holder: str, until: datetime) -> None:
    """The work guarded by lease ``name`` is finished for its slot: nobody runs it again before ``until``."""
    db.execute("INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
               "holder = excluded.holder, expires_at = excluded.expires_at", [DONE + name, holder, stamp(until)])


def is_done(db: Database, name: str, now: datetime) -> bool:
    return lease_holder(db, DONE + name, now) is not None


def live_leases(db: Database, now: datetime) -> list[dict[str, Any]]:
    """Every lease held now (done marks left out): what each process is doing, for metrics and health."""
    return list(db.query("SELECT name, holder, expires_at FROM leases WHERE expires_at > ? AND name NOT LIKE ? "
                         "ORDER BY name", [stamp(now), DONE + "%"]))


def abandoned_leases(db: Database, prefix: str, now: datetime) -> list[str]:
    """Leases named ``prefix…`` that ran out (or were handed back) without a done mark: work a process left."""
    return [row[0] for row in db.execute(
        "SELECT name FROM leases WHERE name LIKE ? AND expires_at <= ? AND NOT EXISTS "
        f"(SELECT 1 FROM leases AS done WHERE done.name = '{DONE}' || leases.name) ORDER BY name",
        [prefix + "%", stamp(now)]).fetchall()]


def prune_leases(db: Database, before: datetime) -> int:
    """Forget leases and done marks that ran out before ``before`` (slot names pile up otherwise)."""
    return int(db.execute("DELETE FROM leases WHERE expires_at < ?", [stamp(before)]).rowcount)
