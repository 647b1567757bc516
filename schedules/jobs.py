"""The scheduled jobs: sync, alert check, digest, provisional re-check, the delivery sweep, catch-up.

Every job takes ``now`` from an injected clock, so tests drive a whole day without
sleeping. Any number of processes may share one database: each job takes its own lease
(``schedules.leasing``: "sync:<store>:<hour>", "digest:<store>:<date>", "correct:…", "sweep"),
so the work spreads over them and each piece runs once; a dead holder's leases run out within
``LEASE_TIME`` and the sweep takes up what it left (those intervals follow from
``[kpibot] takeover_seconds``: ``schedules.leasing.Timing``). With a ``pool`` (``serve``) a trigger only
queues its job (``schedules.pool``); without one (tests, one-off runs) it runs at once. Every
message goes through ``schedules.outbox``, so each digest, alert and notice goes out once
whatever happens, and a failed one is retried by the sweep. No job raises: a failure is
logged, counted and told in the channel, never fatal to ``serve``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from connectors.delivery_store import Key, delivery, mark_corrected, pending_deliveries, provisional_deliveries
from connectors.episodes_store import last_failure
from connectors.leases import prune_leases
from connectors.ops.context import about, new_request_id
from connectors.ops.metrics import JOB_SECONDS
from connectors.warehouse import Warehouse
from kpi.series import PROCESSING_DAYS
from kpi.settings import Settings, StoreSettings
from schedules.alerting import AlertCheck, check_alerts
from schedules.crons import digest_trigger, every, minutely_trigger, recheck_trigger, sync_trigger
from schedules.delivery import Backoff, Deliverer, MessageFinder, Outcome, Sent
from schedules.digest import build_digest
from schedules.failures import Notice, note_outcome
from schedules.leasing import DEFAULT_TIMING, HEARTBEAT, LEASE_TIME, LeaseKeeper, Timing
from schedules.outbox import AlertPoster, DigestPoster, Outbox
from schedules.pool import JobPool
from schedules.reports import ReportPoster, Reports

log = logging.getLogger("kpibot.jobs")
__all__ = ["HEARTBEAT", "LEASE_TIME", "SWEEP", "Jobs", "build_scheduler"]
SWEEP = DEFAULT_TIMING.sweep  # retries, expired claims, missed digests, syncs a dead process left
PRUNE = timedelta(hours=1)  # forget leases and done marks older than a day
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
    pool: JobPool | None = None  # None: a job runs at once, in the caller's thread
    reports: ReportPoster | None = None  # posts reports people schedule from Slack

    def __post_init__(self) -> None:
        self.timing = Timing.of(self.settings)
        self.leases = LeaseKeeper(self.warehouse, self.holder, self.clock, self.timing.lease)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.settings, self._deliverer(), self.digests, self.alerts)

    def _deliverer(self) -> Deliverer:
        return Deliverer(self.warehouse, self.finder, self.holder, self.clock, self.backoff,
                         claim_time=self.timing.claim, checkpoint=self.checkpoint,
                         renew_every=self.timing.claim_renewal)

    def scheduled_reports(self) -> list[Outcome]:
        """Every minute, on one process at a time: the reports people scheduled whose slot has come,
        each slot delivered once (its delivery record holds across processes too)."""
        if self.reports is None:
            return []
        with self.leases.job("reports") as mine:
            if not mine:
                return []
            return self._safely(Reports(self.settings, self._deliverer(), self.reports).run_due,
                                "scheduled reports") or []

    def heartbeat(self) -> bool:
        """Renew every lease this process holds (and its ``alive:`` lease); False when the database refused."""
        return bool(self._safely(self.leases.renew, "the heartbeat"))

    def release(self) -> None:
        """Hand every lease back at a clean stop; a failure only means the next process waits for them to run out."""
        self._safely(self.leases.release_all, "releasing the leases")

    def submit(self, kind: str, work: Callable[..., Any], *args: str, key: tuple[str, ...] = ()) -> Any:
        """What a trigger calls: queue ``work(*args)`` on the pool, or run it now when there is none.

        One job per ``key`` (default: ``args``) waits at a time. Its log lines carry the job kind, the
        store (the key's first part) and a fresh id.
        """
        key = key or args

        def run() -> Any:
            with about(job=kind, store=key[0] if key else None, request_id=new_request_id()):
                started = time.perf_counter()
                try:
                    return work(*args)
                finally:
                    took = time.perf_counter() - started
                    JOB_SECONDS.labels(kind).observe(took)
                    log.info("%s job done in %.2f s", kind, took)

        if self.pool is None:
            return run()
        self.pool.submit(kind, "|".join([kind, *key]), run)
        return None

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
        hour = self.local_now(store).replace(minute=0, second=0, microsecond=0)
        with self.leases.job(sync_lease(store, hour), done_until=hour + timedelta(hours=1)) as mine:
            if mine:
                self._sync_and_check(store)

    def _sync_and_check(self, store: StoreSettings) -> None:
        db, now = self.warehouse(), self.clock()
        try:
            error = self.sync_sources(store, self.local_now(store).date())
        except Exception as failure:  # noqa: BLE001 - counted and reported in the channel, never fatal
            error = f"{type(failure).__name__}: {failure}"
        if error:
            log.warning("sync of %s failed: %s", store.name, error)
        note_outcome(db, store, "sync", error, now, self)
        self.alert_check(store.name)

    def alert_check(self, store_name: str) -> AlertCheck:
        """Match episodes and incidents to today's findings, then post what is new, changed or ended."""
        store = self.settings.store(store_name)
        return check_alerts(self.warehouse(), store, self.local_now(store).date(), self.clock(), self.outbox)

    def digest(self, store_name: str) -> Sent | None:
        """Post today's digest once; the sent message, or None when nothing was posted now."""
        store = self.settings.store(store_name)
        if not store.digest_channel:
            return None
        today = self.local_now(store).date()
        with self.leases.job(f"digest:{store.name}:{today}") as mine:
            if not mine:
                return None
            self.checkpoint("leased", (store.name, "digest", (today - timedelta(days=1)).isoformat(),
                                       store.digest_channel))
            return self._digest(store, today)

    def _digest(self, store: StoreSettings, today: date) -> Sent | None:
        db, now = self.warehouse(), self.clock()
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
        """Every ``timing.sweep`` (30 s), on one process at a time: digests whose slot passed unseen, syncs a
        dead process left, failed posts due again, claims of dead holders. With a pool it queues them (and
        returns [])."""
        with self.leases.job("sweep") as mine:
            return self._sweep() if mine else []

    def _sweep(self) -> list[Outcome]:
        db, outcomes = self.warehouse(), []
        for store in self.settings.stores:
            if self._digest_missed(db, store):
                self._safely(partial(self.submit, "digest", self.digest, store.name), f"digest of {store.name}")
        for store in self._syncs_left():
            self._safely(partial(self.submit, "sync", self.sync_and_check, store.name), f"sync of {store.name}")
        outbox, known = self.outbox, {store.name for store in self.settings.stores}
        for row in pending_deliveries(db, self.clock()):
            if row["store"] in known:
                what = f"{row['kind']} of {row['store']}"
                retry = partial(self._safely, partial(self._retry, outbox, row), what)
                key = (row["store"], row["kind"], row["date"], row["channel"])
                outcome = self.submit("delivery", retry, key=key)
                if outcome is not None:
                    outcomes.append(outcome)
        return outcomes

    def _syncs_left(self) -> list[StoreSettings]:
        """Stores whose sync of the current hour was started by a process that died (or stopped) mid-way."""
        left = []
        for name in self.leases.abandoned("sync:"):
            store_name, _, hour = name.removeprefix("sync:").rpartition(":")
            store = next((s for s in self.settings.stores if s.name == store_name), None)
            if store is not None and sync_lease(store, self.local_now(store)).endswith(f":{hour}"):
                left.append(store)
        return left

    def prune(self) -> int:
        """Hourly: forget leases and done marks that ran out more than a day ago."""
        with self.leases.job("prune") as mine:
            return prune_leases(self.warehouse(), self.clock() - timedelta(days=1)) if mine else 0

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
        """At start-up: today's digest if its slot passed less than ``grace`` ago, then the sweep. Never raises.

        The stores whose digest was sent now (with a pool: queued)."""
        sent = []
        for store in self.settings.stores:
            local = self.local_now(store)
            slot = self.slot(store, local.date())
            if slot <= local <= slot + self.grace and (self._safely(
                    partial(self.submit, "digest", self.digest, store.name), store.name) or self.pool is not None):
                sent.append(store.name)
        self._safely(self.sweep, "the delivery sweep")
        return sent

    def recheck_provisional(self) -> list[str]:
        """Update posted digests whose day GA4 has now finished processing, each under its own lease."""
        db = self.warehouse()
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
        key = (row["store"], row["kind"], row["date"], row["channel"])
        with self.leases.job(f"correct:{row['store']}:{row['date']}") as mine:
            current = delivery(db, key) if mine else None  # read again: another process may have just done it
            if current is None or current["status"] != "posted" or not current["provisional"]:
                return False
            self._edit(db, store, current, key)
            return True

    def _edit(self, db: Warehouse, store: StoreSettings, row: dict[str, Any], key: Key) -> None:
        digest = build_digest(db, store, date.fromisoformat(row["date"]) + timedelta(days=1),
                              now=self.local_now(store).date())  # the header now says the data is final
        self.digests.correct(digest, row["ts"], json.loads(row["detail"] or "{}"))
        self.checkpoint("corrected", key)
        mark_corrected(db, key, self.clock())

    def _safely(self, job: Callable[[], Any], what: str) -> Any:
        try:
            return job()
        except Exception as error:  # noqa: BLE001 - one failed piece never stops the others, nor serve
            log.warning("%s failed: %s: %s", what, type(error).__name__, error)
            return None


def sync_lease(store: StoreSettings, local: datetime) -> str:
    """The lease of a store's sync in the local hour of ``local``: one sync per store and hour."""
    return f"sync:{store.name}:{local:%Y-%m-%dT%H}"


def build_scheduler(jobs: Jobs) -> Any:
    """Triggers that queue each job (``jobs.submit``); the heartbeat and the sweep run in the scheduler's
    threads, as they only write a few rows and queue work."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    for store in jobs.settings.stores:
        scheduler.add_job(jobs.submit, sync_trigger(store), args=["sync", jobs.sync_and_check, store.name],
                          id=f"sync:{store.name}", coalesce=True, max_instances=1, misfire_grace_time=1800)
        scheduler.add_job(jobs.submit, digest_trigger(store), args=["digest", jobs.digest, store.name],
                          id=f"digest:{store.name}", coalesce=True, max_instances=1,
                          misfire_grace_time=int(jobs.grace.total_seconds()))
    scheduler.add_job(jobs.submit, recheck_trigger(), args=["correct", jobs.recheck_provisional], id="recheck",
                      coalesce=True, max_instances=1)
    scheduler.add_job(jobs.heartbeat, every(jobs.timing.heartbeat), id="heartbeat", coalesce=True, max_instances=1)
    scheduler.add_job(jobs.sweep, every(jobs.timing.sweep), id="sweep", coalesce=True, max_instances=1)
    scheduler.add_job(jobs.prune, every(PRUNE), id="prune", coalesce=True, max_instances=1)
    scheduler.add_job(jobs.scheduled_reports, minutely_trigger(), id="reports", coalesce=True, max_instances=1)
    return scheduler
