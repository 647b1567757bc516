"""What the buttons on an incident's message do, to the incident and all of its KPIs.

Acknowledge and Snooze change its state (a relapse while snoozed updates the message without
a word in its thread); Expected marks every day of every one of its KPIs, so those days leave
later baselines, and ends it. A snooze that ran out opens it again (its message is updated).
"""

from __future__ import annotations

from datetime import date, timedelta

from connectors.episodes_store import add_expected_days, update_episode
from connectors.incidents_store import incident, incident_episodes, live_incidents, revise_incident, update_incident
from connectors.warehouse import Warehouse
from schedules.episodes import ACTIONS, ENDED
from schedules.incidents import Incident, find_incident


def apply_incident_action(db: Warehouse, incident_id: int, action: str, today: date, user: str) -> Incident:
    """Acknowledge / Snooze 1 day / Snooze 7 days / Expected; returns the updated incident."""
    current = incident(db, incident_id)
    if current is None or action not in ACTIONS:
        raise ValueError(f"unknown incident {incident_id} or action {action!r}")
    if action == "expected":
        _expected(db, incident_id, user, today)
    elif current["state"] not in ENDED:  # an ended incident stays ended; only Expected still means something
        changes: dict[str, str | None] = {"state": "acknowledged", "snoozed_until": None}
        if action.startswith("snooze"):
            days = 1 if action == "snooze_1d" else 7
            changes = {"state": "snoozed", "snoozed_until": (today + timedelta(days=days)).isoformat()}
        update_incident(db, incident_id, **changes, updated_by=user, updated_at=today.isoformat())
    updated = find_incident(db, incident_id)
    assert updated is not None
    return updated


def _expected(db: Warehouse, incident_id: int, user: str, today: date) -> None:
    for episode in incident_episodes(db, incident_id):
        start, end = date.fromisoformat(episode["opened_on"]), date.fromisoformat(episode["last_seen_on"])
        add_expected_days(db, episode["store"], episode["metric"],
                          [start + timedelta(days=i) for i in range((end - start).days + 1)])
        update_episode(db, episode["id"], state="expected", updated_by=user, updated_at=today.isoformat())
    update_incident(db, incident_id, state="expected", updated_by=user, updated_at=today.isoformat())


def wake_incidents(db: Warehouse, store: str, today: date) -> list[int]:
    """Snoozes that ran out: the incident is open again, and its message says so."""
    woken = []
    for row in live_incidents(db, store):
        if row["state"] == "snoozed" and row["snoozed_until"] and row["snoozed_until"] <= today.isoformat():
            revise_incident(db, int(row["id"]), "woke", state="open", snoozed_until=None)
            woken.append(int(row["id"]))
    return woken
