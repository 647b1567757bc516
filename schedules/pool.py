"""A bounded pool of workers for scheduled jobs: the most urgent first, no store waiting on another.

Triggers only queue work here and return, so the scheduler's own threads never block. Workers
take the most urgent job first (``PRIORITY``: a digest before a retry before a sync), and no kind
may take every worker (``caps``): with every GA4 property timing out at once, syncs hold at most
``workers - 2`` workers and digests still find one free. A job already waiting is not queued
twice (a trigger that fires again while its job still waits adds nothing). ``stop`` drops what
waits (each process queues every job; another one, or the next slot, takes them up) and gives
the jobs in hand a grace time to finish.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.ops.metrics import JOBS_QUEUED, JOBS_RUNNING

log = logging.getLogger("kpibot.pool")

WORKERS = 8  # digests compute (one core's worth under the interpreter lock); syncs mostly wait on GA4
PRIORITY = {"digest": 0, "delivery": 1, "correct": 2, "report": 2, "sync": 3}


@dataclass(order=True)
class _Queued:
    priority: int
    sequence: int
    kind: str = field(compare=False)
    key: str = field(compare=False)
    work: Callable[[], Any] = field(compare=False)


class JobPool:
    def __init__(self, workers: int = WORKERS, caps: dict[str, int] | None = None, name: str = "kpibot-job") -> None:
        self.workers = workers
        self.caps = caps if caps is not None else {"sync": max(1, workers - 2)}
        self.waiting: list[_Queued] = []
        self.running: dict[str, int] = {}
        self.running_keys: set[str] = set()
        self.changed = threading.Condition()
        self.stopping = False
        self.sequence = itertools.count()
        self.threads = [threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True)
                        for index in range(workers)]
        for thread in self.threads:
            thread.start()

    def submit(self, kind: str, key: str, work: Callable[[], Any]) -> bool:
        """Queue ``work``; False when stopping or when the same ``key`` already waits."""
        with self.changed:
            if self.stopping or any(queued.key == key for queued in self.waiting):
                return False
            self.waiting.append(_Queued(PRIORITY.get(kind, 3), next(self.sequence), kind, key, work))
            JOBS_QUEUED.set(len(self.waiting))
            self.changed.notify()
            return True

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing waits and nothing runs (tests and benchmarks); False on timeout."""
        with self.changed:
            return self.changed.wait_for(lambda: not self.waiting and not self.running_keys, timeout)

    def busy(self) -> int:
        with self.changed:
            return len(self.waiting) + len(self.running_keys)

    def stop(self, grace: float) -> list[str]:
        """Take no more jobs, drop those waiting, give the running ones ``grace`` seconds; those still running."""
        with self.changed:
            self.stopping = True
            dropped = len(self.waiting)
            self.waiting.clear()
            JOBS_QUEUED.set(0)
            self.changed.notify_all()
            self.changed.wait_for(lambda: not self.running_keys, grace)
            left = sorted(self.running_keys)
        if dropped:
            log.info("stopping: %d queued job(s) left to the other processes or the next slot", dropped)
        if left:
            log.warning("stopping before %d job(s) finished (%s): their leases are handed back", len(left),
                        ", ".join(left))
        return left

    def _next(self) -> _Queued | None:
        """The most urgent waiting job whose kind is under its cap (called holding the lock)."""
        ready = [queued for queued in self.waiting if self._startable(queued)]
        if not ready:
            return None
        chosen = min(ready)
        self.waiting.remove(chosen)
        return chosen

    def _work(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.stopping or self._ready())
                if self.stopping:
                    return
                job = self._next()
                if job is None:
                    continue
                self.running[job.kind] = self.running.get(job.kind, 0) + 1
                self.running_keys.add(job.key)
                JOBS_QUEUED.set(len(self.waiting))
            JOBS_RUNNING.labels(job.kind).inc()
            started = time.perf_counter()
            try:
                job.work()
            except Exception as error:  # noqa: BLE001 - a job never takes a worker down
                log.error("job %s failed: %s: %s", job.key, type(error).__name__, error)
            finally:
                JOBS_RUNNING.labels(job.kind).dec()
                log.debug("job %s took %.2f s", job.key, time.perf_counter() - started)
                with self.changed:
                    self.running[job.kind] -= 1
                    self.running_keys.discard(job.key)
                    self.changed.notify_all()

    def _ready(self) -> bool:
        return any(self._startable(queued) for queued in self.waiting)

    def _startable(self, queued: _Queued) -> bool:
        """Its kind is under its cap, and the same job is not running already (it waits for it)."""
        return (self.running.get(queued.kind, 0) < self.caps.get(queued.kind, self.workers)
                and queued.key not in self.running_keys)
