"""SQL for leases: a named row that says which process runs something, until when.

One statement takes or renews a lease (``INSERT … ON CONFLICT … DO UPDATE … WHERE``, plain
SQL that SQLite and PostgreSQL both run), so two processes can never both hold it. A lease
is short and renewed by its live holder; a dead holder's lease simply runs out. The name is
free: "scheduler" for the whole scheduler today, "digest:<store>:<date>" for one job later.
"""

from __future__ import annotations

from datetime import datetime

from connectors.delivery_store import stamp
from connectors.engine.database import Database


def take_lease(db: Database, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``until``; False while another holder's lease runs."""
    cursor = db.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "holder = excluded.holder, expires_at = excluded.expires_at "
        "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
        [name, holder, stamp(until), stamp(now)])
    return bool(cursor.rowcount)


def release_lease(db: Database, name: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (a clean stop), so the next process need not wait for it to run out."""
    db.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?", [stamp(now), name, holder])


def lease_holder(db: Database, name: str, now: datetime) -> str | None:
    row = db.execute("SELECT holder FROM leases WHERE name = ? AND expires_at > ?", [name, stamp(now)]).fetchone()
    return str(row[0]) if row else None
