"""Reports people schedule from Slack: when each is due, and its delivery, once per slot.

A report runs at its local time in the store's timezone, every day or on one weekday. Each
slot is one delivery (key ``store|report|<id>@<local slot>|channel``) through the same
exactly-once machinery as digests and alerts (``schedules.delivery``): a slot posted is never
posted again, a slot missed while nobody held the scheduler lease is caught up within
``GRACE``, and a failed post is retried by the delivery sweep until then.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from connectors.delivery_store import Key, cancel_delivery
from connectors.team_settings.reports import active_reports, report
from kpi.settings import Settings, StoreSettings
from schedules.delivery import Deliverer, Message, Outcome

log = logging.getLogger("kpibot.reports")

GRACE = timedelta(hours=2)  # a slot missed by a stopped scheduler still goes out this long after
PER_CHANNEL = 25  # scheduled reports per channel: the list of them must fit in one message


@dataclass(frozen=True)
class ScheduledReport:
    id: int
    store: str
    channel: str
    query: str  # as typed, in the words of whoever scheduled it
    weekday: int | None  # 0 Monday … 6 Sunday; None: every day
    at: time  # local time of the store
    created_by: str
    created_at: datetime  # slots before it are not its own

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ScheduledReport:
        hour, minute = (int(part) for part in str(row["at_time"]).split(":"))
        weekday = None if row["weekday"] is None else int(row["weekday"])
        return cls(int(row["id"]), row["store"], row["channel"], row["query"], weekday, time(hour, minute),
                   row["created_by"], datetime.fromisoformat(row["created_at"]))


class ReportPoster(Protocol):
    """Posts a report's answer (built in ``bot``, where Slack lives)."""

    def post(self, store: StoreSettings, report: ScheduledReport, as_of: date, metadata: dict[str, Any]) -> str: ...

    def attach_chart(self, store: StoreSettings, report: ScheduledReport, as_of: date) -> None: ...


def last_slot(report: ScheduledReport, timezone: str, now: datetime) -> datetime:
    """The report's latest slot at or before ``now``, as an aware local time of the store."""
    local = now.astimezone(ZoneInfo(timezone))
    day = local.date()
    for _ in range(8):
        slot = datetime.combine(day, report.at, ZoneInfo(timezone))
        if slot <= local and (report.weekday is None or day.weekday() == report.weekday):
            return slot
        day -= timedelta(days=1)
    raise AssertionError("a weekly slot always falls within the last 8 days")


def slot_key(report: ScheduledReport, slot: datetime) -> Key:
    return (report.store, "report", f"{report.id}@{slot.strftime('%Y-%m-%dT%H:%M')}", report.channel)


def store_for(settings: Settings, report: ScheduledReport) -> StoreSettings | None:
    """The report's store while the channel still maps to it (a config change can end a schedule)."""
    store = next((s for s in settings.stores if s.name == report.store), None)
    return store if store is not None and report.channel in store.channels else None


@dataclass
class Reports:
    settings: Settings
    deliverer: Deliverer
    poster: ReportPoster
    grace: timedelta = GRACE

    def run_due(self) -> list[Outcome]:
        """Every report whose slot has come and is not delivered yet: deliver it now (once)."""
        db, now, outcomes = self.deliverer.warehouse(), self.deliverer.clock(), []
        for row in active_reports(db):
            scheduled = ScheduledReport.from_row(row)
            store = store_for(self.settings, scheduled)
            if store is None:
                continue
            slot = last_slot(scheduled, store.timezone, now)
            if scheduled.created_at <= slot and now < slot + self.grace:
                outcomes.append(self.deliver(store, scheduled, slot, slot + self.grace))
        return outcomes

    def deliver(self, store: StoreSettings, scheduled: ScheduledReport, slot: datetime,
                deadline: datetime | None) -> Outcome:
        as_of = slot.date()
        return self.deliverer.deliver(slot_key(scheduled, slot), lambda: Message(
            scheduled.channel, post=lambda metadata: self.poster.post(store, scheduled, as_of, metadata),
            follow_up=lambda ts: self.poster.attach_chart(store, scheduled, as_of)), deadline)

    def retry(self, row: Mapping[str, Any]) -> Outcome | None:
        """A pending slot from the sweep; cancelled when its report was cancelled meanwhile."""
        key: Key = (row["store"], row["kind"], row["date"], row["channel"])
        report_id, _, slot_text = str(row["date"]).partition("@")
        found = report(self.deliverer.warehouse(), int(report_id)) if report_id.isdigit() else None
        scheduled = ScheduledReport.from_row(found) if found and not found["cancelled_at"] else None
        store = store_for(self.settings, scheduled) if scheduled else None
        if scheduled is None or store is None:
            log.info("scheduled report slot %s is no longer wanted: cancelled", "|".join(key))
            cancel_delivery(self.deliverer.warehouse(), key)
            return None
        slot = datetime.fromisoformat(slot_text).replace(tzinfo=ZoneInfo(store.timezone))
        deadline = datetime.fromisoformat(row["deadline"]) if row["deadline"] else None
        return self.deliver(store, scheduled, slot, deadline)
