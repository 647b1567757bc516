"""SQL for reports people schedule from Slack (``report_schedules``, migration m007).

Ids are numbered here (the next after the largest, under the write lock), not by the
database, so the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from connectors.engine.database import Database
from connectors.transaction import transaction

COLUMNS = "id, store, channel, query, weekday, at_time, created_by, created_at, cancelled_by, cancelled_at"


def add_report(db: Database, fields: dict[str, Any], limit_per_channel: int) -> int | None:
    """Store a new schedule and return its id; None when the channel already has ``limit_per_channel``."""
    with transaction(db):
        active = db.execute("SELECT COUNT(*) FROM report_schedules WHERE channel = ? AND cancelled_at IS NULL",
                            [fields["channel"]]).fetchone()[0]
        if active >= limit_per_channel:
            return None
        report_id = int(db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM report_schedules").fetchone()[0])
        names = ", ".join(["id", *fields])
        marks = ", ".join("?" for _ in range(len(fields) + 1))
        db.execute(f"INSERT INTO report_schedules ({names}) VALUES ({marks})", [report_id, *fields.values()])
    return report_id


def report(db: Database, report_id: int) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT {COLUMNS} FROM report_schedules WHERE id = ?", [report_id]))
    return rows[0] if rows else None


def channel_reports(db: Database, channel: str) -> list[dict[str, Any]]:
    """The channel's reports still scheduled, oldest first."""
    return list(db.query(f"SELECT {COLUMNS} FROM report_schedules WHERE channel = ? AND cancelled_at IS NULL "
                         "ORDER BY id", [channel]))


def active_reports(db: Database) -> list[dict[str, Any]]:
    return list(db.query(f"SELECT {COLUMNS} FROM report_schedules WHERE cancelled_at IS NULL ORDER BY id"))


def cancel_report(db: Database, report_id: int, by: str, at: str) -> bool:
    """Mark it cancelled; False when it was already."""
    with transaction(db):
        cursor = db.execute("UPDATE report_schedules SET cancelled_by = ?, cancelled_at = ? WHERE id = ? "
                            "AND cancelled_at IS NULL", [by, at, report_id])
    return bool(cursor.rowcount)
