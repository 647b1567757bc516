"""Alert episodes: one message per (store, KPI, kind) episode, followed until it ends.

A new finding opens an episode; while it stays live it is only refreshed. When the condition
is gone the episode resolves. This module keeps the state; its messages (one post per
episode, one update when it ends) go through ``schedules.outbox``, which makes each of them
happen once. Acknowledge, Snooze and Expected change the state; Expected days leave later
baselines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from connectors.episodes_store import add_expected_days, episode, live_episodes, open_episode, update_episode
from connectors.warehouse import Warehouse
from kpi.settings import StoreSettings
from schedules.findings import Finding

ACTIONS = ("acknowledge", "snooze_1d", "snooze_7d", "expected")
ENDED = ("resolved", "expected")


@dataclass(frozen=True)
class Episode:
    """One alert episode: a (store, KPI, kind) condition from the day it opened to the day it ended."""

    id: int
    store: str
    metric: str
    kind: str  # anomaly | target | relative
    opened_on: date
    last_seen_on: date
    value: float | None
    expected: float | None
    severity: str | None  # warning | critical
    contributor: str | None
    detail: str | None  # for targets: below | above
    state: str  # open | acknowledged | snoozed | resolved | expected
    snoozed_until: date | None
    channel: str | None
    ts: str | None  # the Slack message that shows it
    incident_id: int | None = None  # an anomaly's KPI belongs to an incident, whose message shows it

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Episode:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(int(row["id"]), row["store"], row["metric"], row["kind"], date.fromisoformat(row["opened_on"]),
                   date.fromisoformat(row["last_seen_on"]), row["value"], row["expected"], row["severity"],
                   row["contributor"], row["detail"], row["state"], day(row["snoozed_until"]), row["channel"],
                   row["ts"], row.get("incident_id"))


def find_episode(db: Warehouse, episode_id: int) -> Episode | None:
    row = episode(db, episode_id)
    return Episode.from_row(row) if row else None


def live(db: Warehouse, store: str) -> list[Episode]:
    """The store's episodes still open, acknowledged or snoozed, oldest first."""
    return [Episode.from_row(row) for row in live_episodes(db, store)]


def reconcile(db: Warehouse, store: StoreSettings, findings: Sequence[Finding], now: datetime) -> dict[str, list[int]]:
    """Open, refresh and resolve episodes so they match today's findings; returns their ids.

    Only episodes of their own (targets): an incident's KPIs follow their incident (``schedules.incidents``).
    """
    live = {(e["metric"], e["kind"]): e for e in live_episodes(db, store.name) if e.get("incident_id") is None}
    result: dict[str, list[int]] = {"opened": [], "refreshed": [], "resolved": []}
    for finding in findings:
        current = live.pop((finding.metric, finding.kind), None)
        if current is not None:
            update_episode(db, current["id"], last_seen_on=finding.day.isoformat(), value=finding.value,
                           expected=finding.expected, severity=finding.severity, updated_at=now.isoformat())
            result["refreshed"].append(current["id"])
            continue
        episode_id = _open(db, store, finding, now)
        if episode_id is not None:
            result["opened"].append(episode_id)
    for ended in live.values():
        update_episode(db, ended["id"], state="resolved", resolved_on=now.date().isoformat(),
                       updated_at=now.isoformat())
        result["resolved"].append(ended["id"])
    return result


def unposted_episodes(db: Warehouse, store: str) -> list[int]:
    """Live episodes whose message never went out (the post failed, or the process died first)."""
    return [episode.id for episode in live(db, store) if not episode.ts and episode.incident_id is None]


def _open(db: Warehouse, store: StoreSettings, finding: Finding, now: datetime) -> int | None:
    episode_id = open_episode(db, {
        "store": store.name, "metric": finding.metric, "kind": finding.kind,
        "opened_on": finding.day.isoformat(), "last_seen_on": finding.day.isoformat(), "value": finding.value,
        "expected": finding.expected, "severity": finding.severity, "contributor": finding.contributor,
        "detail": finding.detail, "state": "open", "channel": store.alert_channel, "updated_at": now.isoformat(),
    })
    return episode_id  # None: another process opened it first


def apply_action(db: Warehouse, episode_id: int, action: str, today: date, user: str) -> Episode:
    """Acknowledge / Snooze 1 day / Snooze 7 days / Expected; returns the updated episode."""
    current = episode(db, episode_id)
    if current is None or action not in ACTIONS:
        raise ValueError(f"unknown episode {episode_id} or action {action!r}")
    changes: dict[str, Any] = {"updated_by": user, "updated_at": today.isoformat()}
    if action == "acknowledge":
        changes["state"] = "acknowledged"
    elif action.startswith("snooze"):
        days = 1 if action == "snooze_1d" else 7
        changes.update(state="snoozed", snoozed_until=(today + timedelta(days=days)).isoformat())
    else:
        start, end = date.fromisoformat(current["opened_on"]), date.fromisoformat(current["last_seen_on"])
        add_expected_days(db, current["store"], current["metric"],
                          [start + timedelta(days=i) for i in range((end - start).days + 1)])
        changes["state"] = "expected"
    update_episode(db, episode_id, **changes)
    updated = find_episode(db, episode_id)
    assert updated is not None
    return updated


def wake_snoozed(db: Warehouse, store: str, today: date) -> list[int]:
    """Snoozes that ran out become open again (still one message: it is updated, not re-posted)."""
    woken = []
    for row in live_episodes(db, store):
        if row["state"] == "snoozed" and row["snoozed_until"] and row["snoozed_until"] <= today.isoformat():
            update_episode(db, row["id"], state="open", snoozed_until=None)
            woken.append(row["id"])
    return woken
