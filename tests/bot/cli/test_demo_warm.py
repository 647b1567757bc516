"""A second `kpibot demo` on the same day syncs only what may have changed and shows the same; a demo of
another day, or of other demo code, starts its warehouse afresh; a file the demo did not write is kept."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest

from bot.cli.demo.warm import DEMO_MARK, STAMP, demo_stamp, prepare_warehouse
from tests.bot.cli.conftest import DEMO_AS_OF, DEMO_DAYS, DEMO_DB, copy_demo, run_demo

AS_OF = DEMO_AS_OF
TABLES = ("ga4_sessions", "ga4_users", "ga4_ads", "orders", "order_lines", "klaviyo_flow_days", "meta_ads_days")


def synced_rows(out: str) -> int:
    return int(re.search(r"Synced (\d+) rows in \d+ GA4 requests", out).group(1))


def after_the_syncs(out: str) -> list[str]:
    """What the demo shows once its sources are synced, without its timing."""
    lines = out.split("Stored ", 1)[1].splitlines()
    return [line for line in lines if not line.startswith("Done in")]


def counts(folder) -> dict[str, int]:
    with sqlite3.connect(folder / DEMO_DB) as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


# Both tests start where a first demo run left its folder: the conftest's run, copied to the test's folder
# (its --db is relative to the folder, so a run there finds the copy as its own).


def test_a_second_run_on_the_same_day_syncs_the_recent_days_and_shows_the_same(tmp_path, demo_run):
    first = copy_demo(demo_run, tmp_path)
    stored = counts(tmp_path)
    second = run_demo(tmp_path)
    assert 0 < synced_rows(second) < synced_rows(first) / 10
    assert "GraphQL requests (the orders updated lately)" in second and "one download" in first
    assert counts(tmp_path) == stored
    assert after_the_syncs(second) == after_the_syncs(first)


def test_a_run_on_another_day_starts_the_demos_warehouse_afresh(tmp_path, demo_run):
    copy_demo(demo_run, tmp_path)
    later = AS_OF + timedelta(days=1)
    out = run_demo(tmp_path, later)
    assert "one download" in out  # a backfill, not an update of the other day's orders
    with sqlite3.connect(tmp_path / DEMO_DB) as db:
        (first,) = db.execute("SELECT MIN(date) FROM ga4_sessions").fetchone()
    assert first == (later - timedelta(days=DEMO_DAYS)).isoformat()  # nothing left of the other day's history


def test_a_stamp_of_other_demo_code_or_history_is_not_warm(tmp_path):
    db = tmp_path / "kpibot.db"
    db.write_bytes(b"")
    (tmp_path / STAMP).write_text('{"as_of": "2026-11-24", "days": 60, "demo": "older-code"}')
    assert prepare_warehouse(db, demo_stamp(AS_OF, 60)) is False
    assert not db.exists() and not (tmp_path / STAMP).exists()


def test_a_demo_warehouse_from_before_stamps_is_started_afresh(tmp_path):
    db = tmp_path / "kpibot.db"
    db.write_bytes(b"")
    (tmp_path / "kpibot.toml").write_text(f'{DEMO_MARK}\n[kpibot]\ndatabase = "kpibot.db"\n')
    assert prepare_warehouse(db, demo_stamp(AS_OF, 60)) is False and not db.exists()


@pytest.mark.parametrize("config", [None, '[kpibot]\ndatabase = "kpibot.db"\n'])
def test_a_file_the_demo_did_not_write_is_kept(tmp_path, config):
    db = tmp_path / "kpibot.db"
    db.write_bytes(b"someone else's")
    if config:
        (tmp_path / "kpibot.toml").write_text(config)
    assert prepare_warehouse(db, demo_stamp(AS_OF, 60)) is False
    assert db.read_bytes() == b"someone else's"
