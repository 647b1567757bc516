"""SQL for alert episodes, Expected days and failure counters.

Delivery records live in ``delivery_store`` and leases in ``leases``. A check-then-write
here runs in ``transaction``, so two processes sharing one warehouse cannot interleave it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from connectors.engine.database import Database
from connectors.transaction import transaction

LIVE = ("open", "acknowledged", "snoozed")


def live_episodes(db: Database, store: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alert_episodes WHERE store = ? AND state IN (?, ?, ?) ORDER BY id",
                         [store, *LIVE]))


def episode(db: Database, episode_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM alert_episodes WHERE id = ?", [episode_id]))
    return rows[0] if rows else None


def open_episode(db: Database, fields: dict[str, Any]) -> int | None:
    """Insert a live episode; None when one is already live for (store, metric, kind)."""
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    with transaction(db):
        row = db.execute(f"INSERT INTO alert_episodes ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING "
                         "RETURNING id", list(fields.values())).fetchone()
    return int(row[0]) if row else None


def update_episode(db: Database, episode_id: int, **fields: Any) -> None:
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with transaction(db):
        db.execute(f"UPDATE alert_episodes SET {assignments} WHERE id = ?", [*fields.values(), episode_id])


def add_expected_days(db: Database, store: str, metric: str, days: list[date]) -> None:
    with transaction(db):
        db.upsert("expected_days", [{"store": store, "metric": metric, "date": d.isoformat()} for d in days],
                  ("store", "metric", "date"))


def expected_days(db: Database, store: str) -> dict[str, set[date]]:
    found: dict[str, set[date]] = {}
    for row in db.query("SELECT metric, date FROM expected_days WHERE store = ?", [store]):
        found.setdefault(row["metric"], set()).add(date.fromisoformat(row["date"]))
    return found


def record_outcome(db: Database, store: str, kind: str, error: str | None, now: datetime) -> dict[str, Any]:
    """Count consecutive failures of (store, kind); returns the counter row after the update."""
    with transaction(db):
        row = db.execute("SELECT consecutive, notified FROM failure_counters WHERE store = ? AND kind = ?",
                         [store, kind]).fetchone()
        consecutive, notified = (row if row else (0, 0))
        consecutive = consecutive + 1 if error else 0
        db.execute("INSERT INTO failure_counters (store, kind, consecutive, notified, last_error, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (store, kind) DO UPDATE SET "
                   "consecutive = excluded.consecutive, last_error = excluded.last_error, "
                   "updated_at = excluded.updated_at",
                   [store, kind, consecutive, notified, error, now.isoformat()])
    return {"consecutive": consecutive, "notified": bool(notified), "last_error": error}


def last_failure(db: Database, store: str, kind: str) -> datetime | None:
    """When (store, kind) last failed, while it is still failing."""
    row = db.execute("SELECT updated_at FROM failure_counters WHERE store = ? AND kind = ? AND consecutive > 0",
                     [store, kind]).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def set_notified(db: Database, store: str, kind: str, notified: bool) -> None:
    with transaction(db):
        db.execute("UPDATE failure_counters SET notified = ? WHERE store = ? AND kind = ?",
                   [int(notified), store, kind])
