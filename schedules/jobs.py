"""The scheduled jobs: sync, alert check, digest, provisional re-check, catch-up.

Every job takes ``now`` from an injected clock, so tests drive a whole day without
sleeping. A lease row keeps one process in charge when several share a database, and
delivery claims make each digest go out once whatever happens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from connectors.schedule_store import provisional_deliveries, take_lease
from kpi.series import PROCESSING_DAYS
from kpi.settings import Settings, StoreSettings
from schedules.delivery import Sent, deliver_once
from schedules.digest import Digest, build_digest
from schedules.episodes import AlertPoster, reconcile, wake_snoozed
from schedules.failures import note_outcome
from schedules.findings import find_all

log = logging.getLogger("kpibot.jobs")
LEASE = "scheduler"
LEASE_TIME = timedelta(minutes=10)
GRACE = timedelta(hours=6)


class DigestPoster(Protocol):
    def post(self, digest: Digest) -> Sent: ...

    def correct(self, digest: Digest, ts: str, before: dict[str, float | None]) -> None: ...


class Poster(AlertPoster, Protocol):
    def notice(self, store: StoreSettings, text: str) -> None: ...


@dataclass
class Jobs:
    settings: Settings
    warehouse: Callable[[], Database]
    ga4_client: Callable[[], Any]
    digests: DigestPoster
    alerts: Poster
    clock: Callable[[], datetime]  # timezone-aware
    holder: str
    grace: timedelta = GRACE

    def _lead(self, db: Database, now: datetime) -> bool:
        return take_lease(db, LEASE, self.holder, now, now + LEASE_TIME)

    def local_now(self, store: StoreSettings) -> datetime:
        return self.clock().astimezone(ZoneInfo(store.timezone))

    def sync_and_check(self, store_name: str) -> None:
        from connectors.ga4_sync import plan_range, sync_store

        store = self.settings.store(store_name)
        db, now = self.warehouse(), self.clock()
        if not self._lead(db, now):
            return
        error = None
        try:
            start, end = plan_range(db, store.name, self.local_now(store).date())
            result = sync_store(db, self.ga4_client(), store.name, store.ga4_property, start, end, clock=self.clock)
            error = "; ".join(result.errors.values()) or None
        except Exception as failure:  # noqa: BLE001 - counted and reported in the channel, never fatal
            error = f"{type(failure).__name__}: {failure}"
            log.warning("sync of %s failed: %s", store.name, error)
        note_outcome(db, store, "sync", error, now, self.alerts)
        self.alert_check(store_name)

    def alert_check(self, store_name: str) -> dict[str, list[int]]:
        store = self.settings.store(store_name)
        db, now = self.warehouse(), self.clock()
        today = self.local_now(store).date()
        wake_snoozed(db, store.name, today)
        return reconcile(db, store, find_all(db, store, today), now, self.alerts)

    def digest(self, store_name: str) -> Sent | None:
        store = self.settings.store(store_name)
        db, now = self.warehouse(), self.clock()
        if not store.digest_channel or not self._lead(db, now):
            return None
        today = self.local_now(store).date()
        key = (store.name, "digest", (today - timedelta(days=1)).isoformat(), store.digest_channel)
        try:
            sent = deliver_once(db, key, self.holder, now, lambda: self.digests.post(build_digest(db, store, today)))
        except Exception as failure:  # noqa: BLE001 - the channel is told in plain words
            note_outcome(db, store, "digest", f"{type(failure).__name__}: {failure}", now, self.alerts)
            return None
        note_outcome(db, store, "digest", None, now, self.alerts)
        return sent

    def catch_up(self) -> list[str]:
        """At start-up: send today's digest if its time passed less than ``grace`` ago."""
        sent = []
        for store in self.settings.stores:
            local = self.local_now(store)
            due = local.replace(hour=store.digest_time.hour, minute=store.digest_time.minute, second=0,
                                microsecond=0)
            if due <= local <= due + self.grace and self.digest(store.name) is not None:
                sent.append(store.name)
        return sent

    def recheck_provisional(self) -> list[str]:
        """Update posted digests whose day GA4 has now finished processing."""
        db, corrected = self.warehouse(), []
        for row in provisional_deliveries(db, "digest"):
            store = self.settings.store(row["store"])
            today = self.local_now(store).date()
            day = datetime.fromisoformat(row["date"]).date()
            if (today - day).days <= PROCESSING_DAYS:
                continue
            digest = build_digest(db, store, day + timedelta(days=1))
            self.digests.correct(digest, row["ts"], json.loads(row["detail"] or "{}"))
            with db.conn:
                db.execute("UPDATE deliveries SET provisional = 0 WHERE store = ? AND kind = ? AND date = ? "
                           "AND channel = ?", [row["store"], row["kind"], row["date"], row["channel"]])
            corrected.append(f"{row['store']}:{row['date']}")
        return corrected


def build_scheduler(jobs: Jobs) -> Any:
    from apscheduler.schedulers.background import BackgroundScheduler

    from schedules.crons import digest_trigger, recheck_trigger, sync_trigger

    scheduler = BackgroundScheduler(timezone="UTC")
    for store in jobs.settings.stores:
        scheduler.add_job(jobs.sync_and_check, sync_trigger(store), args=[store.name], id=f"sync:{store.name}",
                          coalesce=True, max_instances=1, misfire_grace_time=1800)
        scheduler.add_job(jobs.digest, digest_trigger(store), args=[store.name], id=f"digest:{store.name}",
                          coalesce=True, max_instances=1, misfire_grace_time=int(jobs.grace.total_seconds()))
    scheduler.add_job(jobs.recheck_provisional, recheck_trigger(), id="recheck", coalesce=True, max_instances=1)
    return scheduler

