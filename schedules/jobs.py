"""The scheduled jobs: sync, alert check, digest, provisional re-check, the delivery sweep, catch-up.

Every job takes ``now`` from an injected clock, so tests drive a whole day without
sleeping. A short lease (``LEASE_TIME``), renewed by a heartbeat while ``serve`` runs,
keeps one process in charge when several share a database; a dead holder's lease runs out
within a minute. Every message goes through ``schedules.outbox``, so each digest, alert and
notice goes out once whatever happens, and a failed one is retried by the sweep. No job
raises: a failure is logged, counted and told in the channel, never fatal to ``serve``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from connectors.delivery_store import Key, delivery, mark_corrected, pending_deliveries, provisional_deliveries
from connectors.episodes_store import last_failure
from connectors.leases import release_lease, take_lease
from connectors.warehouse import Warehouse
from kpi.series import PROCESSING_DAYS
from kpi.settings import Settings, StoreSettings
from schedules.alerting import AlertCheck, check_alerts
from schedules.crons import digest_trigger, every, minutely_trigger, recheck_trigger, sync_trigger
from schedules.delivery import Backoff, Deliverer, MessageFinder, Outcome, Sent
from schedules.digest import build_digest
from schedules.failures import Notice, note_outcome
from schedules.outbox import AlertPoster, DigestPoster, Outbox
from schedules.reports import ReportPoster, Reports

log = logging.getLogger("kpibot.jobs")
LEASE = "scheduler"
LEASE_TIME = timedelta(seconds=45)  # a dead holder blocks the others at most this long
HEARTBEAT = timedelta(seconds=15)  # the live holder renews that often
SWEEP = timedelta(seconds=30)  # retries, expired claims, missed digests
GRACE = timedelta(hours=6)
REBUILD = timedelta(minutes=10)  # a digest that could not be built (no data yet) is tried again this often


def _nothing(step: str, key: Key) -> None:
    pass


@dataclass
class Jobs:
    settings: Settings
    warehouse: Callable[[], Warehouse]
    sync_sources: Callable[[StoreSettings, date], str | None]  # pulls every source of a store; the failure, or None
    digests: DigestPoster
    alerts: AlertPoster
    finder: MessageFinder
    words: Callable[[StoreSettings, Notice], str]  # a notice in the store's language (built in bot)
    clock: Callable[[], datetime]  # timezone-aware
    holder: str
    grace: timedelta = GRACE
    backoff: Backoff = field(default_factory=Backoff)
    checkpoint: Callable[[str, Key], None] = _nothing  # a test hook inside each delivery
    reports: ReportPoster | None = None  # posts reports people schedule from Slack

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.settings, self._deliverer(), self.digests, self.alerts)

    def _deliverer(self) -> Deliverer:
        return Deliverer(self.warehouse, self.finder, self.holder, self.clock, self.backoff,
                         checkpoint=self.checkpoint)

    def scheduled_reports(self) -> list[Outcome]:
        """Every minute: the reports people scheduled whose slot has come, each slot delivered once."""
        if self.reports is None or not self.heartbeat():
            return []
        return self._safely(Reports(self.settings, self._deliverer(), self.reports).run_due,
                            "scheduled reports") or []

    def heartbeat(self) -> bool:
        """Take or renew the scheduler lease; True while this process is in charge."""
        now = self.clock()
        return take_lease(self.warehouse(), LEASE, self.holder, now, now + LEASE_TIME)

    def release(self) -> None:
        """Hand the lease over at a clean stop; a failure only means the next process waits for it to run out."""
        self._safely(lambda: release_lease(self.warehouse(), LEASE, self.holder, self.clock()), "releasing the lease")

    def local_now(self, store: StoreSettings) -> datetime:
        return self.clock().astimezone(ZoneInfo(store.timezone))

    def notice(self, store: StoreSettings, notice: Notice) -> None:
        """A failure notice; one that cannot be posted now is retried by the sweep, never raised."""
        try:
            self.outbox.notice(store, self.words(store, notice))
        except Exception as error:  # noqa: BLE001 - a notice must never take anything down
            log.warning("notice for %s not posted: %s", store.name, type(error).__name__)

    def sync_and_check(self, store_name: str) -> None:
        """Pull every source of the store, count the outcome (a notice after repeated failures), then check alerts."""
        store = self.settings.store(store_name)
        db, now = self.warehouse(), self.clock()
        if not self.heartbeat():
            return
        try:
            error = self.sync_sources(store, self.local_now(store).date())
        except Exception as failure:  # noqa: BLE001 - counted and reported in the channel, never fatal
            error = f"{type(failure).__name__}: {failure}"
        if error:
            log.warning("sync of %s failed: %s", store.name, error)
        note_outcome(db, store, "sync", error, now, self)
        self.alert_check(store_name)

    def alert_check(self, store_name: str) -> AlertCheck:
        """Match episodes and incidents to today's findings, then post what is new, changed or ended."""
        store = self.settings.store(store_name)
        return check_alerts(self.warehouse(), store, self.local_now(store).date(), self.clock(), self.outbox)

    def digest(self, store_name: str) -> Sent | None:
        """Post today's digest once; the sent message, or None when nothing was posted now."""
        store = self.settings.store(store_name)
        db, now = self.warehouse(), self.clock()
        if not store.digest_channel or not self.heartbeat():
            return None
        today = self.local_now(store).date()
        try:
            outcome = self.outbox.digest(store, today - timedelta(days=1), self.slot(store, today) + self.grace)
        except Exception as failure:  # noqa: BLE001 - the digest could not be built: the channel is told
            note_outcome(db, store, "digest", f"{type(failure).__name__}: {failure}", now, self)
            return None
        if outcome.status == "gave_up":
            note_outcome(db, store, "digest", outcome.error, now, self)
        elif outcome.delivered:
            note_outcome(db, store, "digest", None, now, self)
        return outcome.sent if outcome.delivered else None

    def slot(self, store: StoreSettings, day: date) -> datetime:
        return datetime.combine(day, store.digest_time, ZoneInfo(store.timezone))

    def sweep(self) -> list[Outcome]:
        """Every 30 s: digests whose slot passed unseen, failed posts due again, claims of dead holders."""
        if not self.heartbeat():
            return []
        db, outcomes = self.warehouse(), []
        for store in self.settings.stores:
            if self._digest_missed(db, store):
                self._safely(partial(self.digest, store.name), f"digest of {store.name}")
        outbox, known = self.outbox, {store.name for store in self.settings.stores}
        for row in pending_deliveries(db, self.clock()):
            if row["store"] in known:
                outcome = self._safely(partial(self._retry, outbox, row), f"{row['kind']} of {row['store']}")
                if outcome is not None:
                    outcomes.append(outcome)
        return outcomes

    def _retry(self, outbox: Outbox, row: dict[str, Any]) -> Outcome | None:
        if row["kind"] == "report":  # a scheduled report's slot (schedules.reports)
            return Reports(self.settings, self._deliverer(), self.reports).retry(row) if self.reports else None
        outcome = outbox.retry(row)
        if outcome is not None and outcome.status == "gave_up" and row["kind"] == "digest":
            store = self.settings.store(row["store"])  # the last try failed: the channel is told
            note_outcome(self.warehouse(), store, "digest", outcome.error, self.clock(), self)
        return outcome

    def _digest_missed(self, db: Warehouse, store: StoreSettings) -> bool:
        """Today's digest is due and nobody took it: its slot fired while no process held the lease,
        or it could not be built (then again every ``REBUILD``, so it goes out once the data comes)."""
        if not store.digest_channel:
            return False
        local = self.local_now(store)
        slot = self.slot(store, local.date())
        key = (store.name, "digest", (local.date() - timedelta(days=1)).isoformat(), store.digest_channel)
        if not slot <= local <= slot + self.grace or delivery(db, key) is not None:
            return False
        failed = last_failure(db, store.name, "digest")
        return failed is None or failed < slot or failed + REBUILD <= local

    def catch_up(self) -> list[str]:
        """At start-up: today's digest if its slot passed less than ``grace`` ago, then the sweep. Never raises."""
        sent = []
        for store in self.settings.stores:
            local = self.local_now(store)
            slot = self.slot(store, local.date())
            if slot <= local <= slot + self.grace and self._safely(partial(self.digest, store.name), store.name):
                sent.append(store.name)
        self._safely(self.sweep, "the delivery sweep")
        return sent

    def recheck_provisional(self) -> list[str]:
        """Update posted digests whose day GA4 has now finished processing."""
        db = self.warehouse()
        if not self.heartbeat():
            return []
        corrected, known = [], {store.name: store for store in self.settings.stores}
        for row in provisional_deliveries(db, "digest"):
            store = known.get(row["store"])
            if store is None:
                continue
            day = date.fromisoformat(row["date"])
            if (self.local_now(store).date() - day).days > PROCESSING_DAYS and self._safely(
                    partial(self._correct, db, store, row), f"correction of {row['store']} {row['date']}"):
                corrected.append(f"{row['store']}:{row['date']}")
        return corrected

    def _correct(self, db: Warehouse, store: StoreSettings, row: dict[str, Any]) -> bool:
        """Edit the posted digest in place (``chat.update`` of the same ts: repeating it is harmless)."""
        digest = build_digest(db, store, date.fromisoformat(row["date"]) + timedelta(days=1),
                              now=self.local_now(store).date())  # the header now says the data is final
        key = (row["store"], row["kind"], row["date"], row["channel"])
        self.digests.correct(digest, row["ts"], json.loads(row["detail"] or "{}"))
        self.checkpoint("corrected", key)
        mark_corrected(db, key, self.clock())
        return True

    def _safely(self, job: Callable[[], Any], what: str) -> Any:
        try:
            return job()
        except Exception as error:  # noqa: BLE001 - one failed piece never stops the others, nor serve
            log.warning("%s failed: %s: %s", what, type(error).__name__, error)
            return None


def build_scheduler(jobs: Jobs) -> Any:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    for store in jobs.settings.stores:
        scheduler.add_job(jobs.sync_and_check, sync_trigger(store), args=[store.name], id=f"sync:{store.name}",
                          coalesce=True, max_instances=1, misfire_grace_time=1800)
        scheduler.add_job(jobs.digest, digest_trigger(store), args=[store.name], id=f"digest:{store.name}",
                          coalesce=True, max_instances=1, misfire_grace_time=int(jobs.grace.total_seconds()))
    scheduler.add_job(jobs.recheck_provisional, recheck_trigger(), id="recheck", coalesce=True, max_instances=1)
    scheduler.add_job(jobs.heartbeat, every(HEARTBEAT), id="heartbeat", coalesce=True, max_instances=1)
    scheduler.add_job(jobs.sweep, every(SWEEP), id="sweep", coalesce=True, max_instances=1)
    scheduler.add_job(jobs.scheduled_reports, minutely_trigger(), id="reports", coalesce=True, max_instances=1)
    return scheduler
