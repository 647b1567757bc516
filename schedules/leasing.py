"""One lease per job and slot, so any number of processes share the scheduled work, each piece once.

A process takes the lease of a job before it starts it ("digest:<store>:<date>",
"sync:<store>:<hour>", see ``connectors.leases``) and skips the job when another process holds
it. Its heartbeat (every ``HEARTBEAT``) renews every lease it holds, so a lease outlives a
long job, and a process that dies loses all of them within ``LEASE_TIME``: whoever comes next
finds them free. A job that must run once per slot (a sync) leaves a done mark when it ends,
whatever its outcome, so a late trigger elsewhere does not run it again; a job a process could
not finish (killed, or stopped mid-way) leaves none, and ``abandoned`` finds it for the sweep.
Those two intervals, the sweep's, a delivery's claim and /healthz's patience all follow from one
operator setting, ``[kpibot] takeover_seconds`` (``Timing``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.leases import ALIVE, abandoned_leases, is_done, mark_done, release_lease, renew_leases, take_lease
from connectors.ops.metrics import HEARTBEAT as HEARTBEAT_METRIC
from connectors.ops.metrics import JOBS
from kpi.settings import Settings

log = logging.getLogger("kpibot.leases")


@dataclass(frozen=True)
class Timing:
    """Every interval of the lease machinery, derived from one: how long a dead process's leases
    outlive it (``[kpibot] takeover_seconds``, 45 s by default). Shorter means a quicker takeover
    and more database writes (one heartbeat per process every third of it)."""

    lease: timedelta = timedelta(seconds=45)  # a dead holder blocks a job at most this long

    @classmethod
    def of(cls, settings: Settings) -> Timing:
        return cls(timedelta(seconds=settings.takeover_seconds))

    @property
    def heartbeat(self) -> timedelta:
        """The live holder renews its leases this often: a lease survives two missed beats (15 s)."""
        return self.lease / 3

    @property
    def sweep(self) -> timedelta:
        """Retries, expired claims, missed digests, syncs a dead process left (30 s)."""
        return self.lease * 2 / 3

    @property
    def claim(self) -> timedelta:
        """A delivery's claim, unless its live holder renews it; also the shortest history lag that can
        double-post (README, Deliveries) (60 s)."""
        return self.lease * 4 / 3

    @property
    def claim_renewal(self) -> float:
        """Seconds of real time between renewals of a claim while its post is under way (20 s)."""
        return self.claim.total_seconds() / 3

    @property
    def stale(self) -> timedelta:
        """/healthz fails after three missed heartbeats: the scheduler is stuck or gone (45 s)."""
        return self.heartbeat * 3


DEFAULT_TIMING = Timing()
LEASE_TIME = DEFAULT_TIMING.lease
HEARTBEAT = DEFAULT_TIMING.heartbeat


def job_kind(name: str) -> str:
    return name.split(":", 1)[0]


class LeaseKeeper:
    """The leases one process holds, renewed together by its heartbeat."""

    def __init__(self, warehouse: Callable[[], Any], holder: str, clock: Callable[[], datetime],
                 lease_time: timedelta = LEASE_TIME) -> None:
        self.warehouse = warehouse
        self.holder = holder
        self.clock = clock
        self.lease_time = lease_time
        self.held: set[str] = set()
        self.lock = threading.Lock()
        self.last_beat: datetime | None = None

    @contextmanager
    def job(self, name: str, done_until: datetime | None = None) -> Iterator[bool]:
        """Hold lease ``name`` while the block runs; the block gets False when the job is not ours to run.

        With ``done_until`` the job runs once per slot: it is skipped when a done mark is found
        (checked after the lease is taken, so a holder that just finished cannot be missed), and
        leaves one when the block ends, normally or by an exception.
        """
        if not self.take(name):
            JOBS.labels(job_kind(name), "busy").inc()
            yield False
            return
        try:
            if done_until is not None and is_done(self.warehouse(), name, self.clock()):
                JOBS.labels(job_kind(name), "done").inc()
                yield False
                return
            try:
                yield True
            except BaseException:
                JOBS.labels(job_kind(name), "failed").inc()
                raise
            else:
                JOBS.labels(job_kind(name), "ran").inc()
            finally:
                if done_until is not None:
                    mark_done(self.warehouse(), name, self.holder, done_until)
        finally:
            self.release(name)

    def take(self, name: str) -> bool:
        now = self.clock()
        if not take_lease(self.warehouse(), name, self.holder, now, now + self.lease_time):
            return False
        with self.lock:
            self.held.add(name)
        return True

    def release(self, name: str) -> None:
        with self.lock:
            self.held.discard(name)
        try:
            release_lease(self.warehouse(), name, self.holder, self.clock())
        except Exception as error:  # noqa: BLE001 - unreleased, it simply runs out
            log.warning("could not hand back lease %s: %s", name, type(error).__name__)

    def renew(self) -> bool:
        """The heartbeat: renew every lease held and this process's own ``alive:`` lease; True when written."""
        now = self.clock()
        with self.lock:
            names = sorted(self.held)
        db = self.warehouse()
        take_lease(db, ALIVE + self.holder, self.holder, now, now + self.lease_time)
        kept = renew_leases(db, names, self.holder, now + self.lease_time)
        if kept < len(names):  # frozen past a lease: another process may be running that job too
            log.warning("%d of %d leases were taken over by another process while held here", len(names) - kept,
                        len(names))
        self.last_beat = now
        HEARTBEAT_METRIC.set(now.timestamp())
        return True

    def release_all(self) -> None:
        """A clean stop: hand every lease back at once, without done marks (unfinished work is taken up)."""
        with self.lock:
            names = sorted(self.held)
        for name in [*names, ALIVE + self.holder]:
            self.release(name)

    def holding(self) -> list[str]:
        with self.lock:
            return sorted(self.held)

    def abandoned(self, prefix: str) -> list[str]:
        """Leases ``prefix…`` that ran out or were handed back before their job was done."""
        return abandoned_leases(self.warehouse(), prefix, self.clock())
