"""Incidents: the anomalies of one store on one day, grouped into one alert message each.

The day's anomalies and relative drops are grouped by the diagnosis rules
(``kpi.anomalies.diagnosis``); each group becomes an incident, or joins the live incident it
continues (one of its KPIs is still live there, or the same diagnosis is). Each KPI of an
incident is an alert episode (``schedules.episodes``) pointing at it. An incident resolves
only after ``resolve_after_days`` judged days with none of its KPIs flagged, so a KPI
hovering at its threshold does not open and close all week; when the same cause comes back
within ``RELAPSE_DAYS`` of the resolution, the incident reopens (a relapse) and its one
message is updated. Every change worth showing raises the incident's revision, and
``schedules.incidents.outbox`` brings the message up to date, exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.episodes_store import expected_days, live_episodes, open_episode, update_episode
from connectors.incidents_store import (
    incident,
    incident_episodes,
    live_incidents,
    open_incident,
    resolved_since,
    revise_incident,
    update_incident,
)
from connectors.warehouse import Warehouse
from kpi.anomalies.calendar import event_for, store_calendar
from kpi.anomalies.diagnosis import Day, Move, Params, diagnose
from kpi.anomalies.picture import StoreDay
from kpi.settings import StoreSettings
from schedules.episodes import ENDED, Episode
from schedules.findings import Finding

INCIDENT_KINDS = ("anomaly", "relative")  # findings about one day; targets keep episodes of their own
RELAPSE_DAYS = 7
COMPARED_DAYS = 7  # relative rules compare with the same weekday a week earlier
SEVERITY = {"warning": 1, "critical": 2}


@dataclass(frozen=True)
class Incident:
    """One incident: its diagnosis, its state, its one Slack message, and its KPIs (one episode each)."""

    id: int
    store: str
    opened_on: date
    last_seen_on: date
    diagnosis: str | None  # a code of kpi.anomalies.diagnosis.RULES; None: no rule explains it
    params: Params
    severity: str  # warning | critical
    state: str  # open | acknowledged | snoozed | resolved | expected
    snoozed_until: date | None
    channel: str | None
    ts: str | None
    revision: int
    change: str | None  # opened | updated | relapsed | resolved | woke
    relapses: int
    resolved_on: date | None
    kpis: tuple[Episode, ...]  # the latest episode of each KPI, in the order they joined

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    @classmethod
    def from_row(cls, row: Mapping[str, Any], episodes: Sequence[Mapping[str, Any]]) -> Incident:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        latest: dict[str, Episode] = {}
        for episode in map(Episode.from_row, episodes):
            if episode.metric not in latest or episode.kind == "anomaly" or latest[episode.metric].kind != "anomaly":
                latest[episode.metric] = episode
        return cls(int(row["id"]), row["store"], date.fromisoformat(row["opened_on"]),
                   date.fromisoformat(row["last_seen_on"]), row["diagnosis"], json.loads(row["params"] or "{}"),
                   row["severity"], row["state"], day(row["snoozed_until"]), row["channel"], row["ts"],
                   int(row["revision"]), row["change"], int(row["relapses"]), day(row["resolved_on"]),
                   tuple(latest.values()))


def find_incident(db: Warehouse, incident_id: int) -> Incident | None:
    row = incident(db, incident_id)
    return Incident.from_row(row, incident_episodes(db, incident_id)) if row else None


def live_of(db: Warehouse, store: str) -> list[Incident]:
    """The store's incidents still open, acknowledged or snoozed, oldest first."""
    return [Incident.from_row(row, incident_episodes(db, int(row["id"]))) for row in live_incidents(db, store)]


def open_alerts(db: Warehouse, store: str) -> tuple[list[Incident], list[Episode]]:
    """What is open now: the live incidents, and the live episodes of their own (targets)."""
    return live_of(db, store), [Episode.from_row(row) for row in live_episodes(db, store) if not row["incident_id"]]


@dataclass(frozen=True)
class Group:
    """Findings of one day that one diagnosis explains: they make (or continue) one incident."""

    code: str | None
    params: Params
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> str:
        return max((f.severity for f in self.findings), key=lambda s: SEVERITY.get(s, 0))

    def moves(self) -> set[tuple[str, str]]:
        return {(f.metric, _direction(f.value, f.expected)) for f in self.findings}


def _direction(value: float | None, expected: float | None) -> str:
    return "up" if (value or 0.0) > (expected or 0.0) else "down"


def group_findings(db: Warehouse, store: StoreSettings, day: date, findings: Sequence[Finding]) -> list[Group]:
    """The day's findings grouped by diagnosis (anomalies first: they describe a KPI better than a rule)."""
    ordered = sorted(findings, key=lambda f: f.kind != "anomaly")
    moves: dict[str, Move] = {}
    for finding in ordered:
        change = finding.value / finding.expected - 1 if finding.value is not None and finding.expected else None
        moves.setdefault(finding.metric, Move(finding.metric, _direction(finding.value, finding.expected), change))
    return [Group(found.code, found.params, tuple(f for f in ordered if f.metric in found.metrics))
            for found in diagnose(Day(moves, StoreDay(db, store, day)))]


def usable_findings(db: Warehouse, store: StoreSettings, day: date, findings: Sequence[Finding]) -> list[Finding]:
    """The findings that make incidents: not on a day marked Expected, and relative drops only like for like.

    A relative rule compares with the same weekday a week earlier; when either day is a holiday
    or an event the comparison says nothing (the detector judges such days against last year).
    """
    excluded = expected_days(db, store.name)
    calendar = store_calendar(store, day - timedelta(days=COMPARED_DAYS), day)
    unlike = any(event_for(d, calendar) for d in (day, day - timedelta(days=COMPARED_DAYS)))
    return [f for f in findings if f.kind in INCIDENT_KINDS
            and f.day not in excluded.get(f.metric, set()) | excluded.get("*", set())
            and not (f.kind == "relative" and unlike)]


def reconcile_incidents(db: Warehouse, store: StoreSettings, day: date, findings: Sequence[Finding],
                        now: datetime) -> dict[str, list[int]]:
    """Open, extend, reopen and resolve incidents so they match ``day``'s findings; returns their ids."""
    result: dict[str, list[int]] = {"opened": [], "updated": [], "refreshed": [], "relapsed": [], "resolved": []}
    touched = set()
    for group in group_findings(db, store, day, usable_findings(db, store, day, findings)):
        row, how = _continued(db, store, day, group)
        if row is None:
            incident_id, how = _open(db, store, day, group, now), "opened"
        else:
            incident_id = int(row["id"])
            how = (_relapse if how == "relapse" else _extend)(db, store, row, group, day, now)
        touched.add(incident_id)
        result[how].append(incident_id)
    for row in live_incidents(db, store.name):
        quiet = (day - date.fromisoformat(row["last_seen_on"])).days
        if row["id"] not in touched and quiet >= store.resolve_after_days:
            _resolve(db, int(row["id"]), day, now)
            result["resolved"].append(int(row["id"]))
    return result


def _continued(db: Warehouse, store: StoreSettings, day: date, group: Group) -> tuple[dict[str, Any] | None, str]:
    """The incident ``group`` continues: a live one (same KPI live, or same cause), else one that resolved
    less than ``RELAPSE_DAYS`` ago with the same cause (or, undiagnosed, the same KPI moving the same way)."""
    live = {int(row["id"]): row for row in live_incidents(db, store.name)}
    owners = {(e["metric"], e["kind"]): e["incident_id"] for e in live_episodes(db, store.name) if e["incident_id"]}
    for finding in group.findings:
        owner = owners.get((finding.metric, finding.kind))
        if owner is not None and int(owner) in live:
            return live[int(owner)], "live"
    for row in live.values():
        if group.code and _same_cause(row, group):
            return row, "live"
    for row in resolved_since(db, store.name, day - timedelta(days=RELAPSE_DAYS)):
        if _same_cause(row, group) or (row["diagnosis"] is None and group.code is None
                                       and _moves_of(db, int(row["id"])) & group.moves()):
            return row, "relapse"
    return None, ""


def _same_cause(row: Mapping[str, Any], group: Group) -> bool:
    params = json.loads(row["params"] or "{}")
    return bool(group.code) and row["diagnosis"] == group.code and params.get("segment") == group.params.get("segment")


def _moves_of(db: Warehouse, incident_id: int) -> set[tuple[str, str]]:
    return {(e["metric"], _direction(e["value"], e["expected"])) for e in incident_episodes(db, incident_id)}


def _open(db: Warehouse, store: StoreSettings, day: date, group: Group, now: datetime) -> int:
    incident_id = open_incident(db, {
        "store": store.name, "opened_on": day.isoformat(), "last_seen_on": day.isoformat(), "diagnosis": group.code,
        "params": json.dumps(group.params), "severity": group.severity, "state": "open",
        "channel": store.alert_channel, "revision": 0, "announced": 0, "change": "opened",
        "relapses": 0, "updated_at": now.isoformat()})
    _record_findings(db, store, incident_id, group, now)
    return incident_id


def _record_findings(db: Warehouse, store: StoreSettings, incident_id: int, group: Group, now: datetime) -> None:
    """Each finding refreshes its KPI's live episode, or opens one that points at the incident."""
    live = {(e["metric"], e["kind"]): e for e in live_episodes(db, store.name)}
    for finding in group.findings:
        values = {"last_seen_on": finding.day.isoformat(), "value": finding.value, "expected": finding.expected,
                  "severity": finding.severity, "contributor": finding.contributor, "updated_at": now.isoformat()}
        current = live.get((finding.metric, finding.kind))
        if current is not None:
            update_episode(db, current["id"], **values)
            continue
        open_episode(db, {**values, "store": store.name, "metric": finding.metric, "kind": finding.kind,
                          "opened_on": finding.day.isoformat(), "detail": finding.detail, "state": "open",
                          "channel": store.alert_channel, "incident_id": incident_id})


def _news(db: Warehouse, row: Mapping[str, Any], group: Group) -> tuple[bool, dict[str, Any]]:
    """Whether its message should show something new (a KPI, a diagnosis found, a higher severity),
    and the incident's columns that change."""
    changes: dict[str, Any] = {}
    if row["diagnosis"] is None and group.code:
        changes.update(diagnosis=group.code, params=json.dumps(group.params))
    if SEVERITY.get(group.severity, 0) > SEVERITY.get(row["severity"], 0):
        changes["severity"] = group.severity
    known = {e["metric"] for e in incident_episodes(db, int(row["id"]))}
    return bool(changes) or bool({f.metric for f in group.findings} - known), changes


def _extend(db: Warehouse, store: StoreSettings, row: Mapping[str, Any], group: Group, day: date,
            now: datetime) -> str:
    news, changes = _news(db, row, group)
    _record_findings(db, store, int(row["id"]), group, now)
    seen = {"last_seen_on": max(day.isoformat(), row["last_seen_on"]), "updated_at": now.isoformat()}
    if news:
        revise_incident(db, int(row["id"]), "updated", **changes, **seen)
        return "updated"
    update_incident(db, int(row["id"]), **seen)
    return "refreshed"


def _relapse(db: Warehouse, store: StoreSettings, row: Mapping[str, Any], group: Group, day: date,
             now: datetime) -> str:
    _, changes = _news(db, row, group)
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    snoozed = bool(row["snoozed_until"]) and date.fromisoformat(row["snoozed_until"]) > today
    if not row["ts"]:  # never shown on its own (it went into a summary): it now asks for a message
        changes.update(posted_on=None, summary_day=None)
    _record_findings(db, store, int(row["id"]), group, now)
    revise_incident(db, int(row["id"]), "relapsed", **changes, state="snoozed" if snoozed else "open",
                    resolved_on=None, last_seen_on=day.isoformat(), relapses=int(row["relapses"]) + 1,
                    updated_at=now.isoformat())
    return "relapsed"


def _resolve(db: Warehouse, incident_id: int, day: date, now: datetime) -> None:
    for episode in incident_episodes(db, incident_id):
        if episode["state"] not in ENDED:
            update_episode(db, episode["id"], state="resolved", resolved_on=day.isoformat(),
                           updated_at=now.isoformat())
    revise_incident(db, incident_id, "resolved", state="resolved", resolved_on=day.isoformat(),
                    updated_at=now.isoformat())

