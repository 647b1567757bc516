"""Cheap reads for operators: is the warehouse readable, and how many alert episodes are open.

``database_problem`` opens a fresh connection for each probe, so a file damaged under a running
process is seen at once (a connection kept open may still answer from its page cache), then
reads two small tables. It does not scan the whole file (``PRAGMA quick_check`` takes seconds on
a large warehouse); commands that write run that check themselves (``connectors.transaction``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.redact import mask_urls_in

LIVE = ("open", "acknowledged", "snoozed")  # as connectors.episodes_store: not resolved, not expected


def database_problem(connect: Callable[[], Any]) -> str | None:
    """None when a fresh connection opens the warehouse and reads it; else one line saying what failed."""
    try:
        db = connect()
    except Exception as error:  # noqa: BLE001 - any failure to open is the answer, not a crash
        return _said(error)
    try:
        db.execute("SELECT COUNT(*) FROM _migrations").fetchone()
        db.execute("SELECT COUNT(*) FROM leases").fetchone()
        return None
    except Exception as error:  # noqa: BLE001 - likewise for a failed read
        return _said(error)
    finally:
        db.close()


def open_episode_counts(db: Any) -> dict[str, int]:
    """Open (live) alert episodes by kind: anomaly, target, relative."""
    rows = db.execute("SELECT kind, COUNT(*) FROM alert_episodes WHERE state IN (?, ?, ?) GROUP BY kind",
                      list(LIVE)).fetchall()
    return {str(kind): int(count) for kind, count in rows}


def _said(error: BaseException) -> str:
    return mask_urls_in(f"{type(error).__name__}: {error}")[:300]
