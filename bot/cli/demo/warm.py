"""A second `make demo` on the same day syncs like `kpibot sync` on a later run: only what may have
changed (GA4's re-pull window, orders updated since the last sync, Klaviyo's and Meta's recent days).

That is only right when the warehouse holds this very demo: the demo shop's data moves with its
day (its planted incidents sit a fixed number of days before it) and with its code. A stamp beside
the warehouse says which demo filled it; any other demo's warehouse is started afresh, but only
when the demo owns it (its stamp or its kpibot.toml is beside it), never a file someone else wrote.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from connectors.demo.version import demo_data_version

STAMP = ".kpibot-demo.json"
DEMO_MARK = "# written by kpibot demo: it rewrites this file on every run"


def demo_stamp(as_of: date, days: int) -> dict[str, object]:
    return {"as_of": as_of.isoformat(), "days": days, "demo": demo_data_version()}


def prepare_warehouse(db_path: Path, stamp: dict[str, object]) -> bool:
    """True when ``db_path`` already holds the demo ``stamp`` describes (sync incrementally); else the
    demo's own stale warehouse is removed so the syncs backfill a fresh one. The stamp is taken away
    until the run succeeds, so a run cut short is never mistaken for a whole one."""
    path = db_path.parent / STAMP
    recorded = _read(path)
    path.unlink(missing_ok=True)
    if recorded == stamp and db_path.exists():
        return True
    if recorded is not None or _config_is_ours(db_path):
        for stale in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
            stale.unlink(missing_ok=True)
    return False


def mark_complete(db_path: Path, stamp: dict[str, object]) -> None:
    (db_path.parent / STAMP).write_text(json.dumps(stamp))


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _config_is_ours(db_path: Path) -> bool:
    """A warehouse from a demo run before stamps existed: the demo's kpibot.toml names it."""
    config = db_path.parent / "kpibot.toml"
    try:
        text = config.read_text(errors="replace")
    except OSError:
        return False
    return text.startswith(DEMO_MARK) and f"database = {json.dumps(db_path.name)}" in text
