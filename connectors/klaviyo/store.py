"""Klaviyo's tables: each report window replaced in one transaction with its sync state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from connectors.engine.database import Database
from connectors.engine.location import Location
from connectors.klaviyo.parse import Flow
from connectors.source_state import delete_days, save_state, upsert
from connectors.transaction import transaction
from connectors.warehouse import peek_database

SOURCE = "klaviyo"
FLOW_DAY_KEY = ("store", "date", "flow_id", "message_id", "send_channel")
CAMPAIGN_DAY_KEY = ("store", "date", "campaign_id", "send_channel")
Checkpoint = Callable[[str], None]  # a test hook, called inside a write transaction before COMMIT


def save_flows(db: Database, store: str, flows: Sequence[Flow], roles: Mapping[str, str], now: datetime) -> None:
    """Upsert the listed flows by id (a rename updates the name, never the history) and set every role."""
    stamp = now.isoformat(timespec="seconds")
    rows = [{"store": store, "flow_id": f.flow_id, "name": f.name, "status": f.status, "archived": int(f.archived),
             "trigger_type": f.trigger_type, "role": None, "first_seen_at": stamp, "updated_at": stamp}
            for f in flows]
    with transaction(db):
        upsert(db, "klaviyo_flows", rows, ("store", "flow_id"), keep=("first_seen_at",))
        db.execute("UPDATE klaviyo_flows SET role = NULL WHERE store = ?", [store])
        db.executemany("UPDATE klaviyo_flows SET role = ? WHERE store = ? AND flow_id = ?",
                       [[role, store, flow_id] for flow_id, role in roles.items()])


def stored_flows(db: Database, store: str) -> list[Flow]:
    return [Flow(row[0], row[1], row[2] or "", bool(row[3]), row[4] or "") for row in db.execute(
        "SELECT flow_id, name, status, archived, trigger_type FROM klaviyo_flows WHERE store = ? ORDER BY name",
        [store]).fetchall()]


def flows_synced_at(db: Database, store: str) -> str | None:
    row = db.execute("SELECT MAX(updated_at) FROM klaviyo_flows WHERE store = ?", [store]).fetchone()
    return row[0] if row else None


def replace_flow_days(db: Database, store: str, start: date, end: date, rows: Sequence[dict[str, Any]],
                      now: datetime, spent: int, note: str | None, checkpoint: Checkpoint | None = None) -> None:
    with transaction(db):
        delete_days(db, "klaviyo_flow_days", store, start, end)
        upsert(db, "klaviyo_flow_days", rows, FLOW_DAY_KEY)
        save_state(db, store, SOURCE, "flow_series", now, synced_through=end, spent=spent, note=note)
        if checkpoint:
            checkpoint(f"flow_series:{start}")


def replace_campaign_days(db: Database, store: str, start: date, end: date, rows: Sequence[dict[str, Any]],
                          now: datetime, spent: int, note: str | None, checkpoint: Checkpoint | None = None) -> None:
    """Campaigns sent in [start, end]; a campaign moved to another day (rescheduled) leaves its old row."""
    with transaction(db):
        delete_days(db, "klaviyo_campaign_days", store, start, end)
        db.executemany("DELETE FROM klaviyo_campaign_days WHERE store = ? AND campaign_id = ?",
                       [[store, campaign_id] for campaign_id in sorted({row["campaign_id"] for row in rows})])
        upsert(db, "klaviyo_campaign_days", rows, CAMPAIGN_DAY_KEY)
        save_state(db, store, SOURCE, "campaign_values", now, synced_through=end, spent=spent, note=note)
        if checkpoint:
            checkpoint(f"campaign_values:{start}")


def record_requests(db: Database, store: str, report: str, now: datetime, spent: int,
                    resume_after: datetime | None = None, note: str | None = None) -> None:
    """Count requests that wrote nothing (a failed or throttled window) against the daily budget."""
    with transaction(db):
        save_state(db, store, SOURCE, report, now, resume_after=resume_after, spent=spent, note=note)


def flows_in_warehouse(location: Location, store: str) -> tuple[list[Flow], str | None]:
    """The last synced flows of ``store`` and when, read-only (check-config must not create or migrate)."""
    db = peek_database(location)
    if db is None:
        return [], None
    try:
        if "klaviyo_flows" not in db.tables():  # not migrated yet: nothing synced
            return [], None
        return stored_flows(db, store), flows_synced_at(db, store)
    finally:
        db.close()


def flow_roles(db: Database, store: str) -> list[tuple[str, str]]:
    """(role, flow name) of every synced flow that has a role: what `/kpi status` lists."""
    return [(str(row[0]), str(row[1])) for row in db.execute(
        "SELECT role, name FROM klaviyo_flows WHERE store = ? AND role IS NOT NULL ORDER BY role, name",
        [store]).fetchall()]
