"""What kpibot delivers, each through the same exactly-once machinery (``schedules.delivery``).

- digest (key date: the day reported on): the digest, then its chart in the thread; retried
  within the grace time after the slot.
- alert (the episode id): the episode's one message, then its ts on the episode; 24 hours.
- alert_resolved (the episode id): that message edited into its ended version, and a reply
  in its thread; 24 hours.
- notice (when it was decided, and a hash of its words): a failure or recovery notice, its
  text kept in the row; 24 hours.
- incident, incident_update, incident_summary(_update): an incident's one message and its
  edits, and the day's summary beyond the budget (``schedules.incidents.outbox``).

A pending row (failed with a retry time, or a claim that ran out) is rebuilt from its key by
``retry``, so the scheduler's sweep can finish any of them after a crash or an outage.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from connectors.delivery_store import Key, cancel_delivery, plan_delivery, stamp
from connectors.episodes_store import update_episode
from kpi.settings import Settings, StoreSettings
from schedules.delivery import Deliverer, Message, Outcome
from schedules.digest import Digest, build_digest
from schedules.episodes import Episode, find_episode
from schedules.incidents.outbox import IncidentOutbox, IncidentPoster

log = logging.getLogger("kpibot.delivery")

ALERT_WINDOW = timedelta(hours=24)
NOTICE_WINDOW = timedelta(hours=24)


class DigestPoster(Protocol):
    def post(self, digest: Digest, metadata: dict[str, Any]) -> str: ...

    def attach_chart(self, digest: Digest, ts: str) -> None: ...

    def correct(self, digest: Digest, ts: str, before: dict[str, float | None]) -> None: ...


class AlertPoster(IncidentPoster, Protocol):
    def post(self, store: StoreSettings, episode: Episode, metadata: dict[str, Any]) -> str: ...

    def resolve(self, store: StoreSettings, episode: Episode, metadata: dict[str, Any]) -> str: ...

    def notice(self, store: StoreSettings, text: str, metadata: dict[str, Any]) -> str: ...


@dataclass
class Outbox:
    settings: Settings
    deliverer: Deliverer
    digests: DigestPoster
    alerts: AlertPoster

    @property
    def incidents(self) -> IncidentOutbox:
        return IncidentOutbox(self.settings, self.deliverer, self.alerts)

    def digest(self, store: StoreSettings, day: date, deadline: datetime | None, manual: bool = False) -> Outcome:
        assert store.digest_channel
        key = (store.name, "digest", day.isoformat(), store.digest_channel)
        return self.deliverer.deliver(key, lambda: self.digest_message(store, day), deadline, manual)

    def alert(self, store: StoreSettings, episode_id: int) -> Outcome | None:
        """Post the episode's message once (planned first, so a failure is retried by the sweep)."""
        key = self._episode_key(store, "alert", episode_id)
        if key is None:
            return None
        self._plan(key)
        return self.deliverer.deliver(key, lambda: self._alert_message(store, episode_id, key[3]), None)

    def resolved(self, store: StoreSettings, episode_id: int) -> Outcome | None:
        key = self._episode_key(store, "alert_resolved", episode_id)
        if key is None:
            return None
        self._plan(key)
        return self._resolve(key, store, episode_id, None)

    def notice(self, store: StoreSettings, text: str) -> Outcome | None:
        if not store.alert_channel:
            return None
        now = self.deliverer.clock()
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]  # the same words at the same instant: one notice
        key = (store.name, "notice", f"{stamp(now)}/{digest}", store.alert_channel)
        plan_delivery(self.deliverer.warehouse(), key, now, now + NOTICE_WINDOW, payload=text)
        return self.deliverer.deliver(key, lambda: self._notice_message(store, text), None)

    def retry(self, row: dict[str, Any]) -> Outcome | None:
        """Finish a pending delivery from its row: a retry after a failure, or after a crash."""
        store = self.settings.store(row["store"])
        key: Key = (row["store"], row["kind"], row["date"], row["channel"])
        deadline = datetime.fromisoformat(row["deadline"]) if row["deadline"] else None
        if row["kind"] == "digest" and store.digest_channel == row["channel"]:
            day = date.fromisoformat(row["date"])
            return self.deliverer.deliver(key, lambda: self.digest_message(store, day), deadline)
        if row["kind"] == "alert":
            return self.deliverer.deliver(key, lambda: self._alert_message(store, int(row["date"]), key[3]), deadline)
        if row["kind"] == "alert_resolved":
            return self._resolve(key, store, int(row["date"]), deadline)
        if row["kind"].startswith("incident"):
            return self.incidents.retry(store, row)
        if row["kind"] == "notice" and row["payload"]:
            return self.deliverer.deliver(key, lambda: self._notice_message(store, row["payload"]), deadline)
        log.warning("no way to deliver %s of %s any more (the configuration changed): cancelled", row["kind"],
                    row["store"])
        cancel_delivery(self.deliverer.warehouse(), key)
        return None

    def _plan(self, key: Key) -> None:
        now = self.deliverer.clock()
        plan_delivery(self.deliverer.warehouse(), key, now, now + ALERT_WINDOW)

    def _episode_key(self, store: StoreSettings, kind: str, episode_id: int) -> Key | None:
        found = find_episode(self.deliverer.warehouse(), episode_id)
        channel = found and (found.channel or store.alert_channel)
        return (store.name, kind, str(episode_id), channel) if channel else None

    def digest_message(self, store: StoreSettings, day: date) -> Message:
        digest = build_digest(self.deliverer.warehouse(), store, day + timedelta(days=1))
        assert store.digest_channel
        return Message(store.digest_channel, post=lambda metadata: self.digests.post(digest, metadata),
                       follow_up=lambda ts: self.digests.attach_chart(digest, ts), provisional=digest.provisional,
                       detail=digest.key_figures())

    def _alert_message(self, store: StoreSettings, episode_id: int, channel: str) -> Message:
        shown = replace(self._episode(episode_id), channel=channel)
        return Message(channel, post=lambda metadata: self.alerts.post(store, shown, metadata),
                       follow_up=lambda ts: update_episode(self.deliverer.warehouse(), episode_id, ts=ts))

    def _resolve(self, key: Key, store: StoreSettings, episode_id: int, deadline: datetime | None) -> Outcome:
        """Edit the episode's message into its ended version, once it has one (found again, or posted now)."""
        ended = self._episode(episode_id)
        if not ended.ts:
            opened = self.alert(store, episode_id)
            ended = self._episode(episode_id)
            if not ended.ts:
                if opened is None or opened.status == "gave_up":
                    cancel_delivery(self.deliverer.warehouse(), key)  # nothing was ever shown: nothing to edit
                    return Outcome("cancelled")
                return Outcome("waiting", error="the alert's own message is not posted yet")
        shown = replace(ended, channel=key[3])
        return self.deliverer.deliver(key, lambda: Message(
            key[3], thread_ts=shown.ts, post=lambda metadata: self.alerts.resolve(store, shown, metadata)), deadline)

    def _notice_message(self, store: StoreSettings, text: str) -> Message:
        assert store.alert_channel
        return Message(store.alert_channel, post=lambda metadata: self.alerts.notice(store, text, metadata))

    def _episode(self, episode_id: int) -> Episode:
        found = find_episode(self.deliverer.warehouse(), episode_id)
        if found is None:
            raise LookupError(f"alert episode {episode_id} does not exist")
        return found
