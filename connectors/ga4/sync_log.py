"""Sync state (how far each report is synced) and the run log, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from connectors.engine.database import Database
from connectors.redact import mask_urls_in
from connectors.transaction import transaction


def synced_through(db: Database, store: str, reports: Sequence[str]) -> date | None:
    """The earliest last-synced day over ``reports``, or None if any was never synced."""
    rows = {row["report"]: row["synced_through"] for row in
            db.query("SELECT report, synced_through FROM sync_state WHERE store = ?", [store])}
    if any(report not in rows for report in reports):
        return None
    return min(date.fromisoformat(rows[report]) for report in reports)


def update_synced_through(db: Database, store: str, report: str, day: date, now: datetime) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO sync_state (store, report, synced_through, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (store, report) DO UPDATE SET updated_at = excluded.updated_at, "
            "synced_through = CASE WHEN excluded.synced_through > sync_state.synced_through "
            "THEN excluded.synced_through ELSE sync_state.synced_through END",
            [store, report, day.isoformat(), now.isoformat(timespec="seconds")],
        )


def start_run(db: Database, store: str, now: datetime) -> int:
    with transaction(db):
        row = db.execute("INSERT INTO sync_runs (store, started_at) VALUES (?, ?) RETURNING id",
                         [store, now.isoformat(timespec="seconds")]).fetchone()
    return int(row[0])


def finish_run(db: Database, run_id: int, now: datetime, rows: int, requests: int, quota_used: int,
               error: str | None) -> None:
    """Close a run; its error sentence is stored with every URL's password masked."""
    error = mask_urls_in(error) if error else error
    with transaction(db):
        db.execute(
            "UPDATE sync_runs SET finished_at = ?, rows = ?, requests = ?, quota_used = ?, error = ? "
            "WHERE id = ?",
            [now.isoformat(timespec="seconds"), rows, requests, quota_used, error, run_id],
        )


def last_runs(db: Database, store: str, limit: int = 10) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM sync_runs WHERE store = ? ORDER BY id DESC LIMIT ?", [store, limit]))
