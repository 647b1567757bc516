"""Incidents' messages, each through the exactly-once machinery (``schedules.delivery``).

- incident (key date: the incident id): its one message, then its ts on the incident.
- incident_update (``id/revision``): the message edited to show that revision (``chat.update``);
  a relapse or the resolution is also said in its thread, since an edit notifies nobody.
  A revision overtaken by a later one is cancelled: the later edit shows everything.
- incident_summary (the local day): the day's incidents beyond ``max_alerts_per_day``, in one
  message per channel, whichever stores share it (its key names the first of them by name, so
  every store's check finds the same one); incident_summary_update (``day/count``) edits it
  when more join it later that day.

The daily budget counts the incident messages planned in an alert channel on a local day,
whichever store they belong to; a critical incident always gets its own message (and counts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from connectors.delivery_store import FINAL, Key, cancel_delivery, delivery, plan_delivery, stamp
from connectors.incidents_store import (
    awaiting_post,
    record_incident_ts,
    summarized,
    take_slot,
    unslotted,
    update_incident,
    with_news,
)
from kpi.settings import Settings, StoreSettings
from schedules.delivery import Deliverer, Message, Outcome
from schedules.incidents import Incident, find_incident

WINDOW = timedelta(hours=24)
SAID_IN_THREAD = ("relapsed", "resolved")


@dataclass(frozen=True)
class Summary:
    """The incidents of ``day`` that went over the channel's daily limit, in one message, with their stores."""

    day: date
    limit: int
    incidents: tuple[tuple[StoreSettings, Incident], ...]


class IncidentPoster(Protocol):
    def post_incident(self, store: StoreSettings, incident: Incident, metadata: dict[str, Any]) -> str: ...

    def update_incident(self, store: StoreSettings, incident: Incident) -> None: ...

    def reply_incident(self, store: StoreSettings, incident: Incident, metadata: dict[str, Any]) -> str: ...

    def post_summary(self, store: StoreSettings, channel: str, summary: Summary, metadata: dict[str, Any]) -> str: ...

    def update_summary(self, store: StoreSettings, channel: str, summary: Summary, ts: str) -> None: ...


@dataclass
class IncidentOutbox:
    settings: Settings
    deliverer: Deliverer
    poster: IncidentPoster

    def announce(self, store: StoreSettings, today: date) -> list[Outcome | None]:
        """Give new incidents a message or a place in the summary, then post and edit what is due."""
        db = self.deliverer.warehouse()
        waiting = sorted(unslotted(db, store.name), key=lambda row: (row["severity"] != "critical", row["id"]))
        for row in waiting:
            channel = row["channel"] or store.alert_channel
            if channel:
                take_slot(db, int(row["id"]), channel, today, store.max_alerts_per_day, row["severity"] == "critical")
        outcomes = [self.post(store, int(row["id"])) for row in awaiting_post(db, store.name)]
        outcomes.append(self.summary(store, today))
        return outcomes + [self.update(store, row) for row in with_news(db, store.name)]

    def post(self, store: StoreSettings, incident_id: int) -> Outcome | None:
        shown = find_incident(self.deliverer.warehouse(), incident_id)
        if shown is None or not shown.channel:
            return None
        key = (store.name, "incident", str(incident_id), shown.channel)
        self._plan(key)
        return self.deliverer.deliver(key, lambda: self._post_message(store, incident_id), None)

    def update(self, store: StoreSettings, row: dict[str, Any]) -> Outcome | None:
        """Plan the edit that shows the incident's latest revision (or let it go when nothing shows it)."""
        incident_id, revision, db = int(row["id"]), int(row["revision"]), self.deliverer.warehouse()
        if not row["ts"]:
            if row["posted_on"] is None or self._post_abandoned(store, row):
                update_incident(db, incident_id, announced=revision)  # summarized, or never shown: nothing to edit
            return None  # else its message is on its way, and will show this revision
        key = (store.name, "incident_update", f"{incident_id}/{revision}", row["channel"])
        self._plan(key)
        update_incident(db, incident_id, announced=revision)
        return self._deliver_update(store, key, None)

    def summary(self, store: StoreSettings, day: date) -> Outcome | None:
        """The channel's summary of ``day``: posted once, then edited when more incidents join it."""
        channel = store.alert_channel
        db = self.deliverer.warehouse()
        if not channel or not summarized(db, channel, day):
            return None
        owner = self._owner(store, channel)
        key = (owner.name, "incident_summary", day.isoformat(), channel)
        posted = delivery(db, key)
        if posted is None or posted["status"] not in FINAL:
            self._plan(key)
            return self.deliverer.deliver(key, lambda: self._summary_message(owner, channel, day), None)
        count = len(summarized(db, channel, day))
        if json.loads(posted["detail"] or "{}").get("incidents", 0) >= count:
            return Outcome("already", posted["ts"])
        edit = (owner.name, "incident_summary_update", f"{day.isoformat()}/{count}", channel)
        self._plan(edit)
        return self.deliverer.deliver(edit, lambda: self._summary_edit(owner, channel, day, posted["ts"]), None)

    def _owner(self, store: StoreSettings, channel: str) -> StoreSettings:
        """The store whose name keys the channel's summary: the first by name of those sharing the channel."""
        sharing = [s for s in self.settings.stores if s.alert_channel == channel]
        return min(sharing, key=lambda s: s.name) if sharing else store

    def retry(self, store: StoreSettings, row: dict[str, Any]) -> Outcome | None:
        """Finish a pending incident delivery from its row (after a failure, or a crash)."""
        key: Key = (row["store"], row["kind"], row["date"], row["channel"])
        deadline = datetime.fromisoformat(row["deadline"]) if row["deadline"] else None
        if row["kind"] == "incident":
            return self.deliverer.deliver(key, lambda: self._post_message(store, int(row["date"])), deadline)
        if row["kind"] == "incident_update":
            return self._deliver_update(store, key, deadline)
        day = date.fromisoformat(row["date"].split("/")[0])
        if row["kind"] == "incident_summary":
            return self.deliverer.deliver(key, lambda: self._summary_message(store, row["channel"], day), deadline)
        posted = delivery(self.deliverer.warehouse(), (store.name, "incident_summary", day.isoformat(), key[3]))
        if posted is None or not posted["ts"]:
            cancel_delivery(self.deliverer.warehouse(), key)
            return Outcome("cancelled")
        return self.deliverer.deliver(key, lambda: self._summary_edit(store, key[3], day, posted["ts"]), deadline)

    def _deliver_update(self, store: StoreSettings, key: Key, deadline: datetime | None) -> Outcome:
        incident_id, revision = (int(part) for part in key[2].split("/"))
        shown = find_incident(self.deliverer.warehouse(), incident_id)
        if shown is None or shown.revision != revision or not shown.ts:
            cancel_delivery(self.deliverer.warehouse(), key)  # a later edit shows more; or nothing to edit
            return Outcome("cancelled")
        said = shown.change in SAID_IN_THREAD and not (shown.change == "relapsed" and shown.state == "snoozed")
        if said:  # the reply carries the delivery's metadata, so a retry finds it in the thread
            message = Message(key[3], thread_ts=shown.ts, post=lambda metadata: self._edit(store, shown, metadata))
        else:  # an edit alone: repeating it is harmless
            message = Message(key[3], post=lambda metadata: self._edit(store, shown))
        return self.deliverer.deliver(key, lambda: message, deadline)

    def _edit(self, store: StoreSettings, shown: Incident, metadata: dict[str, Any] | None = None) -> str:
        """The message edited in place; with ``metadata``, the change said in its thread (that reply's ts)."""
        assert shown.ts
        self.poster.update_incident(store, shown)
        return self.poster.reply_incident(store, shown, metadata) if metadata is not None else shown.ts

    def _post_message(self, store: StoreSettings, incident_id: int) -> Message:
        shown = self._incident(incident_id)
        assert shown.channel
        db = self.deliverer.warehouse()
        return Message(shown.channel, post=lambda metadata: self.poster.post_incident(store, shown, metadata),
                       follow_up=lambda ts: record_incident_ts(db, incident_id, ts, shown.revision))

    def _summary(self, store: StoreSettings, channel: str, day: date) -> Summary:
        known = {s.name: s for s in self.settings.stores}
        rows = summarized(self.deliverer.warehouse(), channel, day)
        shown = tuple((known.get(row["store"], store), self._incident(int(row["id"]))) for row in rows)
        return Summary(day, store.max_alerts_per_day, shown)

    def _summary_message(self, store: StoreSettings, channel: str, day: date) -> Message:
        summary = self._summary(store, channel, day)
        return Message(channel, post=lambda metadata: self.poster.post_summary(store, channel, summary, metadata),
                       detail={"incidents": float(len(summary.incidents))})

    def _summary_edit(self, store: StoreSettings, channel: str, day: date, ts: str) -> Message:
        summary = self._summary(store, channel, day)

        def edit(metadata: dict[str, Any]) -> str:
            self.poster.update_summary(store, channel, summary, ts)
            return ts

        return Message(channel, post=edit)

    def _post_abandoned(self, store: StoreSettings, row: dict[str, Any]) -> bool:
        posting = delivery(self.deliverer.warehouse(), (store.name, "incident", str(row["id"]), row["channel"]))
        if posting is None or posting["status"] in FINAL:
            return False
        gave_up = posting["status"] == "failed" and posting["next_attempt_at"] is None
        late = bool(posting["deadline"]) and posting["deadline"] <= stamp(self.deliverer.clock())
        return posting["status"] == "cancelled" or gave_up or late

    def _plan(self, key: Key) -> None:
        now = self.deliverer.clock()
        plan_delivery(self.deliverer.warehouse(), key, now, now + WINDOW)

    def _incident(self, incident_id: int) -> Incident:
        found = find_incident(self.deliverer.warehouse(), incident_id)
        if found is None:
            raise LookupError(f"incident {incident_id} does not exist")
        return found
