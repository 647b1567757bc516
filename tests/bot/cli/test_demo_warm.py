"""A second `kpibot demo` on the same day syncs only what may have changed and shows the same; a demo of
another day, or of other demo code, starts its warehouse afresh; a file the demo did not write is kept."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.demo.warm import DEMO_MARK, STAMP, demo_stamp, prepare_warehouse
from bot.cli.main import main
from tests.support.ga4 import AS_OF
from tests.support.once import built_once, run_folder

DAYS = 60
TABLES = ("ga4_sessions", "ga4_users", "ga4_ads", "orders", "order_lines", "klaviyo_flow_days", "meta_ads_days")


def demo(capsys, folder, as_of=AS_OF) -> str:
    capsys.readouterr()
    assert main(["demo", "--days", str(DAYS), "--db", str(folder / "kpibot.db"), "--as-of", as_of.isoformat()]) == 0
    return capsys.readouterr().out


def synced_rows(out: str) -> int:
    return int(re.search(r"Synced (\d+) rows in \d+ GA4 requests", out).group(1))


def after_the_syncs(out: str) -> list[str]:
    """What the demo shows once its sources are synced, without its timing."""
    lines = out.split("Stored ", 1)[1].splitlines()
    return [line for line in lines if not line.startswith("Done in")]


def counts(folder) -> dict[str, int]:
    with sqlite3.connect(folder / "kpibot.db") as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


WIDE = "1000"  # columns: the demo's console wraps no line, so its output reads the same from any folder
HERE = "<the demo's folder>"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", WIDE)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[object, str]:
    """A first `kpibot demo` in an empty folder, and what it printed: both tests below start from it, so
    it runs once in the whole test run (and is copied before a test runs the demo again there)."""

    def first_demo(folder: Path) -> None:
        with pytest.MonkeyPatch.context() as patch, redirect_stdout(io.StringIO()) as printed:  # capsys is per test
            patch.setenv("COLUMNS", WIDE)
            assert main(["demo", "--days", str(DAYS), "--db", str(folder / "kpibot.db"),
                         "--as-of", AS_OF.isoformat()]) == 0
        (folder / "printed.txt").write_text(printed.getvalue().replace(str(folder), HERE))

    folder = built_once(run_folder(tmp_path_factory) / "first-demo", first_demo)
    return folder, (folder / "printed.txt").read_text()


def after(first_run, tmp_path) -> str:
    """The first run's folder copied to ``tmp_path`` as it was left, and what that run printed, as if it had
    run in ``tmp_path`` (the folder's name is the only thing in its output that says where it ran)."""
    folder, out = first_run
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*-shm", "printed.txt"))
    return out.replace(HERE, str(tmp_path))


def test_a_second_run_on_the_same_day_syncs_the_recent_days_and_shows_the_same(capsys, tmp_path, first_run):
    first = after(first_run, tmp_path)
    stored = counts(tmp_path)
    second = demo(capsys, tmp_path)
    assert 0 < synced_rows(second) < synced_rows(first) / 10
    assert "GraphQL requests (the orders updated lately)" in second and "one download" in first
    assert counts(tmp_path) == stored
    assert after_the_syncs(second) == after_the_syncs(first)


def test_a_run_on_another_day_starts_the_demos_warehouse_afresh(capsys, tmp_path, first_run):
    after(first_run, tmp_path)
    later = AS_OF + timedelta(days=1)
    out = demo(capsys, tmp_path, later)
    assert "one download" in out  # a backfill, not an update of the other day's orders
    with sqlite3.connect(tmp_path / "kpibot.db") as db:
        (first,) = db.execute("SELECT MIN(date) FROM ga4_sessions").fetchone()
    assert first == (later - timedelta(days=DAYS)).isoformat()  # nothing left of the other day's history


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
