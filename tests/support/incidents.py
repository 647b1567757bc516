"""Test support for incidents: faults planted in a synced warehouse, stores copied, alert messages read back.

Faults are planted by editing the stored GA4 rows the way the fault would have shaped them
(the tag stops firing: GA4 loses the orders; a mobile checkout bug: mobile sessions stop
converting), so the whole alert check (detector, diagnosis, incidents, deliveries) runs on
them unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.support.deliveries import delivery_key_of

TABLES = ("ga4_sessions", "ga4_users", "ga4_ads")


def plant(db: Any, store: str, day: date, fault: str) -> None:
    """Edit ``store``'s GA4 rows of ``day`` as ``fault`` would have: ``outage`` or ``mobile_checkout``."""
    where = "store = ? AND date = ?" + (" AND device = 'mobile'" if fault == "mobile_checkout" else "")
    kept = {"outage": 0.04, "mobile_checkout": 0.25}[fault]
    with db.transaction():
        db.execute(f"UPDATE ga4_sessions SET orders = CAST(ROUND(orders * {kept}) AS INTEGER), "
                   f"revenue = ROUND(revenue * {kept}, 2) WHERE {where}", [store, day.isoformat()])


def copy_store(db: Any, source: str, target: str) -> None:
    """Every GA4 row of ``source`` again under the name ``target`` (another shop with the same history)."""
    with db.transaction():
        for table in TABLES:
            columns = [name for name in db.columns(table) if name != "store"]
            names = ", ".join(columns)
            db.execute(f"INSERT INTO {table} (store, {names}) SELECT ?, {names} FROM {table} WHERE store = ?",
                       [target, source])


def kind_of(message: dict[str, Any]) -> str | None:
    key = delivery_key_of(message)
    return key.split("|")[1] if key else None


def shown(slack: Any, channel: str, kind: str = "incident") -> list[dict[str, Any]]:
    """The messages the channel shows (not thread replies) that carry a delivery of ``kind``, as they stand now."""
    return [m for m in slack.messages(channel) if kind_of(m) == kind and m.get("thread_ts") in (None, m["ts"])]


def replies(slack: Any, channel: str, parent: str) -> list[dict[str, Any]]:
    return [m for m in slack.thread(channel, parent) if m["ts"] != parent]
