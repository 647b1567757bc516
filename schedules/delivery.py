"""Exactly-once delivery: claim (store, kind, date, channel) before sending, record after.

A claim is a row that only one process can insert, so a double-started scheduler, a
restart or a retry never posts the same digest twice. A send that failed is released
and may be tried again; one that succeeded never is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from connectors.schedule_store import claim_delivery, delivery, finish_delivery

log = logging.getLogger("kpibot.delivery")


@dataclass(frozen=True)
class Sent:
    ts: str | None
    provisional: bool = False
    detail: dict[str, float | None] | None = None


def deliver_once(db: Database, key: tuple[str, str, str, str], holder: str, now: datetime,
                 send: Callable[[], Sent]) -> Sent | None:
    """Run ``send`` unless (store, kind, date, channel) was delivered or is being delivered."""
    if not claim_delivery(db, key, holder, now):
        return None
    try:
        sent = send()
    except Exception as error:
        finish_delivery(db, key, "failed", now, detail=f"{type(error).__name__}: {error}"[:500])
        raise
    finish_delivery(db, key, "sent", now, sent.ts, sent.provisional,
                    json.dumps(sent.detail) if sent.detail is not None else None)
    return sent


def was_delivered(db: Database, key: tuple[str, str, str, str]) -> bool:
    row = delivery(db, key)
    return row is not None and row["status"] == "sent"
