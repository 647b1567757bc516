"""SQL for incidents: the rows that group a day's alert episodes into one message.

Ids are taken as ``MAX(id) + 1`` inside ``BEGIN IMMEDIATE`` (portable: no AUTOINCREMENT, no
SQLite rowid). A check-then-write (the daily budget) runs in one transaction, so two
processes sharing the file cannot both take the last slot.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connectors.engine.database import Database
from connectors.transaction import transaction

LIVE = ("open", "acknowledged", "snoozed")


def incident(db: Database, incident_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM incidents WHERE id = ?", [incident_id]))
    return rows[0] if rows else None


def live_incidents(db: Database, store: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM incidents WHERE store = ? AND state IN (?, ?, ?) ORDER BY id",
                         [store, *LIVE]))


def resolved_since(db: Database, store: str, since: date) -> list[dict[str, Any]]:
    """Incidents that resolved on or after ``since``, newest first (a relapse may reopen them)."""
    return list(db.query("SELECT * FROM incidents WHERE store = ? AND state = 'resolved' AND resolved_on >= ? "
                         "ORDER BY resolved_on DESC, id DESC", [store, since.isoformat()]))


def incident_episodes(db: Database, incident_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alert_episodes WHERE incident_id = ? ORDER BY id", [incident_id]))


def open_incident(db: Database, fields: dict[str, Any]) -> int:
    with transaction(db):
        incident_id = int(db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM incidents").fetchone()[0])
        row = {"id": incident_id, **fields}
        db.execute(f"INSERT INTO incidents ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                   list(row.values()))
    return incident_id


def update_incident(db: Database, incident_id: int, **fields: Any) -> None:
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with transaction(db):
        db.execute(f"UPDATE incidents SET {assignments} WHERE id = ?", [*fields.values(), incident_id])


def revise_incident(db: Database, incident_id: int, change: str, **fields: Any) -> None:
    """A change its message should show: the revision goes up by one."""
    assignments = "".join(f", {name} = ?" for name in fields)
    with transaction(db):
        db.execute(f"UPDATE incidents SET revision = revision + 1, change = ?{assignments} WHERE id = ?",
                   [change, *fields.values(), incident_id])


def record_incident_ts(db: Database, incident_id: int, ts: str, revision: int) -> None:
    """The incident's message is out, showing everything up to ``revision``."""
    with transaction(db):
        db.execute("UPDATE incidents SET ts = ?, announced = CASE WHEN announced < ? THEN ? ELSE announced END "
                   "WHERE id = ?", [ts, revision, revision, incident_id])


def take_slot(db: Database, incident_id: int, channel: str, day: date, limit: int, always: bool) -> bool:
    """Give the incident one of ``day``'s ``limit`` messages in ``channel`` (``always``: even beyond it).

    True: its own message is due; False: it goes into the day's summary instead.
    """
    with transaction(db):
        used = int(db.execute("SELECT COUNT(*) FROM incidents WHERE channel = ? AND posted_on = ?",
                              [channel, day.isoformat()]).fetchone()[0])
        column = "posted_on" if always or used < limit else "summary_day"
        db.execute(f"UPDATE incidents SET {column} = ?, channel = ? WHERE id = ? AND posted_on IS NULL "
                   "AND summary_day IS NULL", [day.isoformat(), channel, incident_id])
    return column == "posted_on"


def unslotted(db: Database, store: str) -> list[dict[str, Any]]:
    """Live incidents that have neither a message of their own nor a place in a summary yet."""
    return list(db.query("SELECT * FROM incidents WHERE store = ? AND state IN (?, ?, ?) AND posted_on IS NULL "
                         "AND summary_day IS NULL ORDER BY id", [store, *LIVE]))


def awaiting_post(db: Database, store: str) -> list[dict[str, Any]]:
    """Incidents given a message of their own that has not been recorded yet."""
    return list(db.query("SELECT * FROM incidents WHERE store = ? AND posted_on IS NOT NULL AND ts IS NULL "
                         "AND state IN (?, ?, ?) ORDER BY id", [store, *LIVE]))


def with_news(db: Database, store: str) -> list[dict[str, Any]]:
    """Incidents whose latest change no delivery was planned for yet."""
    return list(db.query("SELECT * FROM incidents WHERE store = ? AND announced < revision ORDER BY id", [store]))


def summarized(db: Database, channel: str, day: date) -> list[dict[str, Any]]:
    """The incidents of every store that went into ``channel``'s summary of ``day``."""
    return list(db.query("SELECT * FROM incidents WHERE channel = ? AND summary_day = ? ORDER BY id",
                         [channel, day.isoformat()]))


def incidents_between(db: Database, store: str, start: date, end: date) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM incidents WHERE store = ? AND opened_on BETWEEN ? AND ? ORDER BY id",
                         [store, start.isoformat(), end.isoformat()]))
