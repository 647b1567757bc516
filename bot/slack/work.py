"""Ack first, work later: Bolt listeners that answer Slack at once and queue their work.

Slack wants an ack within 3 seconds; an answer may take longer. Bolt's default runs each
listener on one of five threads and makes the request wait until the listener acks, so a
burst of commands queued their acks behind each other's work. Here the app runs with
``process_before_response`` (the listener runs in the request's own thread), the listener
only acks and queues the work on a bounded pool. The pool's queue is unbounded on purpose:
when every worker is busy, the work waits its turn and is never dropped, and the ack
never waits for it. (Bolt's lazy listeners do the same, but deep-copy the whole request,
client included, inside the ack path: a millisecond each, which a burst of 200 adds up.)
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from slack_bolt.kwargs_injection.args import Args

from connectors.ops.context import carried

log = logging.getLogger("kpibot.slack")

WORK_THREADS = 4  # answers compute with pandas on 2 cores: more threads only add GIL contention
ACK_PRIORITY = 1.0  # seconds a queued job gives way to requests still arriving
QUIET = 0.02  # seconds without a request that count as "the burst is over"


class AckFirst:
    """Requests being acked right now; queued work gives way to them for a moment.

    Acks and work share one interpreter lock, so answers computed during a burst slow the
    acks of the requests still arriving in it. A job starts once no request is mid-ack and
    none has ended for ``QUIET`` seconds, but never later than ``ACK_PRIORITY`` after it was
    queued: under a steady stream of requests work is delayed by that much, and still done.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.acking = 0
        self.last_ack = float("-inf")
        self.changed = threading.Condition()

    @contextmanager
    def acking_request(self) -> Iterator[None]:
        with self.changed:
            self.acking += 1
        try:
            yield
        finally:
            with self.changed:
                self.acking -= 1
                self.last_ack = self.clock()
                self.changed.notify_all()

    def give_way(self, queued_at: float) -> None:
        with self.changed:
            while True:
                now = self.clock()
                deadline = queued_at + ACK_PRIORITY - now
                calm_in = self.last_ack + QUIET - now
                if deadline <= 0 or (not self.acking and calm_in <= 0):
                    return
                self.changed.wait(min(deadline, calm_in if not self.acking else deadline))


IN_FLIGHT = AckFirst()  # one per process: the HTTP layer counts requests, the workers give way


def work_pool(workers: int = WORK_THREADS) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kpibot-work")


def never_raise(work: Callable[..., None]) -> Callable[..., None]:
    """Log a failure as one line instead of raising it: nobody waits on a queued job's result."""

    @functools.wraps(work)
    def guarded(**kwargs: Any) -> None:
        try:
            work(**kwargs)
        except Exception as error:  # noqa: BLE001 - see the docstring; Slack already has its ack
            # repr keeps any text the error quotes from a request on this one line
            log.error("Slack listener %s failed: %s: %r", work.__name__, type(error).__name__, str(error)[:200])

    return guarded


def deferred(pool: Executor, work: Callable[..., None], gate: AckFirst = IN_FLIGHT) -> Callable[[Args], None]:
    """A Bolt listener that acks, then queues ``work`` with the arguments it names (``body``, ``respond``...)."""
    names = list(inspect.signature(work).parameters)
    guarded = never_raise(work)

    def after_acks(queued_at: float, kwargs: dict[str, Any]) -> None:
        gate.give_way(queued_at)
        guarded(**kwargs)

    def listener(args: Args) -> None:
        args.ack()  # the work's log lines carry the request's id (set by the HTTP or Socket Mode edge)
        pool.submit(carried(after_acks), gate.clock(), {name: getattr(args, name) for name in names})

    listener.__name__ = f"ack_then_{work.__name__}"
    return listener
