"""Exactly-once delivery of a Slack message: claim, look before posting again, post, mark.

Each delivery has a key (store, kind, date, channel) and a row that goes due → claimed →
posted (→ corrected), or failed with a time to retry (``connectors.delivery_store``).

- A claim runs out (``CLAIM_TIME``, one minute; ``Timing.claim`` of ``[kpibot] takeover_seconds``)
  unless its live holder renews it, so a killed process never blocks a delivery for long: like a
  job's lease, it is gone within 60 s.
- Every message carries its key in Slack message metadata. Whoever takes a delivery that was
  tried before first looks for that message in the channel's history since the first try,
  and records it instead of posting again when Slack already has it.
- A failed post is retried with exponential backoff, a bounded number of times, and only
  inside the delivery's window (the digest's grace time).
- The first mark wins: a holder that finds another message recorded deletes its own.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from connectors.delivery_store import (
    FINAL,
    Key,
    claim_delivery,
    claim_follow_up,
    delivery,
    finish_follow_up,
    mark_failed,
    mark_posted,
    record_content,
    renew_claim,
    stamp,
)
from connectors.ops.metrics import DELIVERIES
from schedules.leasing import DEFAULT_TIMING

log = logging.getLogger("kpibot.delivery")

METADATA_EVENT = "kpibot_delivery"
CLAIM_TIME = DEFAULT_TIMING.claim  # also the shortest history lag that can double-post (README, Deliveries)
RENEW_EVERY = DEFAULT_TIMING.claim_renewal  # seconds of real time between renewals while a post is under way
LOOK_BACK = timedelta(minutes=10)  # Slack's clock and ours may differ; the key decides, not the time


def key_text(key: Key) -> str:
    return "|".join(key)


def delivery_metadata(key: Key) -> dict[str, Any]:
    """Slack message metadata that names the delivery, so the message can be found again."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key_text(key)}}


@dataclass(frozen=True)
class Sent:
    """A message that went out (or was found): its ts, and what a later correction needs."""

    ts: str | None
    provisional: bool = False
    detail: dict[str, float | None] | None = None


@dataclass(frozen=True)
class Message:
    """One delivery's message: how to post it, and what to do once it is recorded."""

    channel: str
    post: Callable[[dict[str, Any]], str]  # metadata → the new message's ts
    follow_up: Callable[[str], None] | None = None  # e.g. the chart in the thread; gets the ts
    thread_ts: str | None = None  # a reply in this thread: looked for there
    provisional: bool = False
    detail: dict[str, float | None] | None = None


class MessageFinder(Protocol):
    """Finds kpibot's own message by its delivery key (built in ``bot``, where Slack lives)."""

    def find(self, channel: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None: ...

    def delete(self, channel: str, ts: str) -> None: ...


@dataclass(frozen=True)
class Outcome:
    status: str  # posted | recovered | already | busy | waiting | failed | gave_up | cancelled
    ts: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    sent: Sent | None = None

    @property
    def delivered(self) -> bool:
        return self.status in ("posted", "recovered")


@dataclass(frozen=True)
class Backoff:
    """1, 2, 4, 8 … minutes between attempts, at most ``cap``, ``attempts`` tries in all."""

    first: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(minutes=30)
    attempts: int = 8

    def retry_at(self, tried: int, now: datetime, deadline: datetime | None) -> datetime | None:
        if tried >= self.attempts:
            return None
        when = now + min(self.first * 2 ** (tried - 1), self.cap)
        return when if deadline is None or when < deadline else None


def _nothing(step: str, key: Key) -> None:
    pass


@dataclass
class Deliverer:
    """Delivers messages exactly once; ``warehouse`` gives each thread its own connection."""

    warehouse: Callable[[], Any]
    finder: MessageFinder
    holder: str
    clock: Callable[[], datetime]
    backoff: Backoff = field(default_factory=Backoff)
    claim_time: timedelta = CLAIM_TIME
    checkpoint: Callable[[str, Key], None] = _nothing  # a test hook: "claimed", "answered", "marked"
    renew_every: float = RENEW_EVERY

    def deliver(self, key: Key, build: Callable[[], Message], deadline: datetime | None,
                manual: bool = False) -> Outcome:
        """Post the message built by ``build`` unless it is posted or being posted; never posts twice."""
        outcome = self._deliver(key, build, deadline, manual)
        DELIVERIES.labels(key[1], outcome.status).inc()
        return outcome

    def _deliver(self, key: Key, build: Callable[[], Message], deadline: datetime | None, manual: bool) -> Outcome:
        db, now = self.warehouse(), self.clock()
        row = delivery(db, key)
        if row is not None and row["status"] in FINAL:
            return self._already(db, key, row, build)
        waiting = _waiting(row, now, manual)
        if waiting is not None:
            return waiting
        message = build()
        claim = claim_delivery(db, key, self.holder, now, now + self.claim_time, deadline, manual)
        if claim is None:
            row = delivery(db, key)
            return Outcome("already", row["ts"]) if row and row["status"] in FINAL else Outcome("busy")
        self.checkpoint("claimed", key)
        with self._kept(key):
            return self._attempt(key, claim, message)

    def _attempt(self, key: Key, claim: dict[str, Any], message: Message) -> Outcome:
        db = self.warehouse()
        try:
            ts = self._look(key, claim, message) if claim["attempts"] > 1 else None
            recovered = ts is not None
            if ts is None:
                detail = json.dumps(message.detail) if message.detail is not None else None
                record_content(db, key, self.holder, message.provisional, detail)
                ts = message.post(delivery_metadata(key))
                self.checkpoint("answered", key)
        except Exception as error:  # noqa: BLE001 - Slack down, 429s beyond the client's retries, network
            return self._failed(key, claim, error)
        standing = mark_posted(db, key, ts, self.clock(), follow_up=message.follow_up is not None)
        self.checkpoint("marked", key)
        if standing != ts:
            self._withdraw(message.channel, ts)
            return Outcome("already", standing)
        self._follow_up(key, message, ts)
        return Outcome("recovered" if recovered else "posted", ts, sent=_sent(delivery(db, key)))

    def _look(self, key: Key, claim: dict[str, Any], message: Message) -> str | None:
        since = datetime.fromisoformat(claim["first_attempt_at"]) - LOOK_BACK
        found = self.finder.find(message.channel, key_text(key), since, message.thread_ts)
        if found:
            log.info("delivery %s was already in Slack (%s): recorded, not posted again", key_text(key), found)
        return found

    def _failed(self, key: Key, claim: dict[str, Any], error: Exception) -> Outcome:
        text = f"{type(error).__name__}: {error}"[:500]
        deadline = datetime.fromisoformat(claim["deadline"]) if claim["deadline"] else None
        retry_at = self.backoff.retry_at(claim["attempts"], self.clock(), deadline)
        mark_failed(self.warehouse(), key, self.holder, text, retry_at)
        when = f"retrying at {stamp(retry_at)}" if retry_at else "giving up"
        log.warning("delivery %s failed (attempt %d, %s): %s", key_text(key), claim["attempts"], when, text)
        return Outcome("failed" if retry_at else "gave_up", error=text, retry_at=retry_at)

    def _withdraw(self, channel: str, ts: str) -> None:
        """Another holder's message was recorded first: ours is the duplicate."""
        try:
            self.finder.delete(channel, ts)
        except Exception as error:  # noqa: BLE001 - a duplicate left behind is logged, never fatal
            log.warning("could not delete duplicate message %s in %s: %s", ts, channel, type(error).__name__)

    def _follow_up(self, key: Key, message: Message, ts: str) -> None:
        if message.follow_up is None:
            return
        try:
            message.follow_up(ts)
        except Exception as error:  # noqa: BLE001 - the message stands alone; a chart adds to it
            log.warning("follow-up of %s failed: %s", key_text(key), type(error).__name__)
        finish_follow_up(self.warehouse(), key)

    def _already(self, db: Any, key: Key, row: dict[str, Any], build: Callable[[], Message]) -> Outcome:
        """Posted: finish a follow-up a dead holder left undone, else nothing to do."""
        now = self.clock()
        if row["follow_up"] and claim_follow_up(db, key, self.holder, now, now + self.claim_time):
            with self._kept(key):
                self._follow_up(key, build(), row["ts"])
        return Outcome("already", row["ts"], sent=_sent(row))

    @contextmanager
    def _kept(self, key: Key) -> Iterator[None]:
        """Renew the claim in the background while the post is under way (429 waits can be long)."""
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.renew_every):
                try:
                    renew_claim(self.warehouse(), key, self.holder, self.clock() + self.claim_time)
                except Exception as error:  # noqa: BLE001 - a missed renewal only shortens the claim
                    log.warning("could not renew the claim on %s: %s", key_text(key), type(error).__name__)

        keeper = threading.Thread(target=renew, name=f"claim {key_text(key)}", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()


def _waiting(row: dict[str, Any] | None, now: datetime, manual: bool) -> Outcome | None:
    """Why the row cannot be taken now (saves building a message); the claim itself decides."""
    if row is None:
        return None
    at = stamp(now)
    if row["status"] == "cancelled":
        return Outcome("cancelled")
    if row["status"] == "claimed":
        return Outcome("busy") if (row["claim_expires_at"] or "") > at else None
    if manual:
        return None
    if row["deadline"] and row["deadline"] <= at:
        return Outcome("gave_up", error=row["last_error"] or "its window has passed")
    if row["status"] == "failed" and row["next_attempt_at"] is None:
        return Outcome("gave_up", error=row["last_error"])
    if row["next_attempt_at"] and row["next_attempt_at"] > at:
        return Outcome("waiting", error=row["last_error"], retry_at=datetime.fromisoformat(row["next_attempt_at"]))
    return None


def _sent(row: dict[str, Any] | None) -> Sent | None:
    if row is None:
        return None
    detail = json.loads(row["detail"]) if row["detail"] else None
    return Sent(row["ts"], bool(row["provisional"]), detail)
