"""Failures are visible: one plain notice after N failures in a row, then quiet until recovery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from connectors.episodes_store import record_outcome, set_notified
from connectors.warehouse import Warehouse
from kpi.settings import StoreSettings

THRESHOLDS = {"sync": 3, "digest": 1}


@dataclass(frozen=True)
class Notice:
    """A failure (``error``) or a recovery (``error`` None) of a store's sync or digest; the bot words it."""

    kind: str  # sync | digest
    store: str
    failures: int
    error: str | None


class Notifier(Protocol):
    def notice(self, store: StoreSettings, notice: Notice) -> None: ...


def note_outcome(db: Warehouse, store: StoreSettings, kind: str, error: str | None, now: datetime,
                 notifier: Notifier) -> Notice | None:
    """Record a run; send a notice when failures reach the threshold or recover. Returns the notice sent."""
    counter = record_outcome(db, store.name, kind, error, now)
    notice = None
    if error and counter["consecutive"] >= THRESHOLDS[kind] and not counter["notified"]:
        notice = Notice(kind, store.name, counter["consecutive"], error)
        set_notified(db, store.name, kind, True)
    elif not error and counter["notified"]:
        notice = Notice(kind, store.name, counter["consecutive"], None)
        set_notified(db, store.name, kind, False)
    if notice:
        notifier.notice(store, notice)
    return notice
