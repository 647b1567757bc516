"""Sync state per (store, source, report), and the SQL helpers the marketing connectors share.

State is written in the same transaction as the rows it describes, so after a crash the
state never claims more than the tables hold. ``budget_used`` counts the requests spent on
``budget_day`` (UTC), for sources with a daily request budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from connectors.engine.database import Database


@dataclass(frozen=True)
class SourceState:
    synced_through: date | None = None
    resume_after: datetime | None = None
    budget_day: str | None = None
    budget_used: int = 0
    note: str | None = None

    def used_on(self, day: str) -> int:
        return self.budget_used if self.budget_day == day else 0


def read_state(db: Database, store: str, source: str, report: str) -> SourceState:
    row = db.execute("SELECT synced_through, resume_after, budget_day, budget_used, note FROM source_sync_state "
                     "WHERE store = ? AND source = ? AND report = ?", [store, source, report]).fetchone()
    if row is None:
        return SourceState()
    return SourceState(date.fromisoformat(row[0]) if row[0] else None,
                       datetime.fromisoformat(row[1]) if row[1] else None, row[2], int(row[3] or 0), row[4])


def save_state(db: Database, store: str, source: str, report: str, now: datetime, *,
               synced_through: date | None = None, resume_after: datetime | None = None,
               spent: int = 0, note: str | None = None) -> None:
    """Update one state row inside the caller's transaction; ``synced_through`` never moves back."""
    old = read_state(db, store, source, report)
    day = now.date().isoformat()
    through = max(filter(None, (old.synced_through, synced_through)), default=None)
    upsert(db, "source_sync_state", [{
        "store": store, "source": source, "report": report,
        "synced_through": through.isoformat() if through else None,
        "resume_after": resume_after.isoformat() if resume_after else None,
        "budget_day": day, "budget_used": old.used_on(day) + spent, "note": note,
        "updated_at": now.isoformat(timespec="seconds")}], ("store", "source", "report"))


def upsert(db: Database, table: str, rows: Sequence[Mapping[str, Any]], key: Sequence[str],
           keep: Sequence[str] = ()) -> None:
    """Portable ``INSERT ... ON CONFLICT DO UPDATE`` of ``rows``; columns in ``keep`` keep their old value."""
    db.upsert(table, rows, key, keep)


def delete_days(db: Database, table: str, store: str, start: date, end: date,
                where: Mapping[str, str] | None = None) -> None:
    filters = "".join(f" AND {column} = ?" for column in (where or {}))
    db.execute(f"DELETE FROM {table} WHERE store = ? AND date BETWEEN ? AND ?{filters}",
               [store, start.isoformat(), end.isoformat(), *(where or {}).values()])


def plan_range(state: SourceState, as_of: date, repull: int, since: date | None = None,
               until: date | None = None, backfill: int = 400) -> tuple[date, date]:
    """Explicit dates, else a backfill on a first run, else from ``repull`` days before the last synced day."""
    end = until or as_of - timedelta(days=1)
    if since:
        return since, end
    if state.synced_through is None:
        return end - timedelta(days=backfill - 1), end
    return min(state.synced_through - timedelta(days=repull - 1), end), end
