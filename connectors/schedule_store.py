"""SQL for alert episodes, Expected days, delivery records, leases and failure counters.

Claims use SQLite's uniqueness and ``transaction`` (``BEGIN IMMEDIATE``), so two processes sharing one
database file can never both believe they own the same delivery or lease.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

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
        cursor = db.execute(f"INSERT OR IGNORE INTO alert_episodes ({columns}) VALUES ({marks})", list(fields.values()))
    return int(cursor.lastrowid) if cursor.rowcount and cursor.lastrowid else None


def update_episode(db: Database, episode_id: int, **fields: Any) -> None:
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with transaction(db):
        db.execute(f"UPDATE alert_episodes SET {assignments} WHERE id = ?", [*fields.values(), episode_id])


def add_expected_days(db: Database, store: str, metric: str, days: list[date]) -> None:
    with transaction(db):
        db.table("expected_days").upsert_all([{"store": store, "metric": metric, "date": d.isoformat()} for d in days],
                                             pk=("store", "metric", "date"))


def expected_days(db: Database, store: str) -> dict[str, set[date]]:
    found: dict[str, set[date]] = {}
    for row in db.query("SELECT metric, date FROM expected_days WHERE store = ?", [store]):
        found.setdefault(row["metric"], set()).add(date.fromisoformat(row["date"]))
    return found


def claim_delivery(db: Database, key: tuple[str, str, str, str], holder: str, now: datetime) -> bool:
    """Claim (store, kind, date, channel) for sending; False if it is sent or being sent."""
    store, kind, day, channel = key
    with transaction(db):
        row = db.execute("SELECT status FROM deliveries WHERE store = ? AND kind = ? AND date = ? AND channel = ?",
                         list(key)).fetchone()
        if row is not None and row[0] != "failed":
            return False
        db.execute("INSERT OR REPLACE INTO deliveries (store, kind, date, channel, status, holder, claimed_at) "
                   "VALUES (?, ?, ?, ?, 'claimed', ?, ?)", [store, kind, day, channel, holder, now.isoformat()])
    return True


def finish_delivery(db: Database, key: tuple[str, str, str, str], status: str, now: datetime,
                    ts: str | None = None, provisional: bool = False, detail: str | None = None) -> None:
    with transaction(db):
        db.execute("UPDATE deliveries SET status = ?, ts = ?, sent_at = ?, provisional = ?, detail = ? "
                   "WHERE store = ? AND kind = ? AND date = ? AND channel = ?",
                   [status, ts, now.isoformat(), int(provisional), detail, *key])


def delivery(db: Database, key: tuple[str, str, str, str]) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM deliveries WHERE store = ? AND kind = ? AND date = ? AND channel = ?",
                         list(key)))
    return rows[0] if rows else None


def provisional_deliveries(db: Database, kind: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM deliveries WHERE kind = ? AND status = 'sent' AND provisional = 1", [kind]))


def take_lease(db: Database, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew lease ``name`` for ``holder``; False while another holder's lease runs."""
    with transaction(db):
        row = db.execute("SELECT holder, expires_at FROM leases WHERE name = ?", [name]).fetchone()
        if row is not None and row[0] != holder and row[1] > now.isoformat():
            return False
        db.execute("INSERT OR REPLACE INTO leases (name, holder, expires_at) VALUES (?, ?, ?)",
                   [name, holder, until.isoformat()])
    return True


def record_outcome(db: Database, store: str, kind: str, error: str | None, now: datetime) -> dict[str, Any]:
    """Count consecutive failures of (store, kind); returns the counter row after the update."""
    with transaction(db):
        row = db.execute("SELECT consecutive, notified FROM failure_counters WHERE store = ? AND kind = ?",
                         [store, kind]).fetchone()
        consecutive, notified = (row if row else (0, 0))
        consecutive = consecutive + 1 if error else 0
        db.execute("INSERT OR REPLACE INTO failure_counters (store, kind, consecutive, notified, last_error, "
                   "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [store, kind, consecutive, notified, error, now.isoformat()])
    return {"consecutive": consecutive, "notified": bool(notified), "last_error": error}


def set_notified(db: Database, store: str, kind: str, notified: bool) -> None:
    with transaction(db):
        db.execute("UPDATE failure_counters SET notified = ? WHERE store = ? AND kind = ?",
                   [int(notified), store, kind])
