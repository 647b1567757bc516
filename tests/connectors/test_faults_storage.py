"""Storage under faults: kill -9 at every step of a re-sync, a full disk, a held write lock.

The emulator serves a re-processed demo shop (every figure moved, rows gone and added),
so the old and the new content of each chunk differ everywhere. After each fault, every
report's rows, chunk metadata and sync state must be exactly the old ones or exactly the
new ones, never a mix or a hole, and ordinary runs afterwards must converge.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.ga4.emulator.server import serve_emulator
from connectors.ga4.sync import plan_range
from connectors.transaction import WarehouseBusy, WarehouseFull
from connectors.warehouse import open_database
from tests.support.ga4 import AS_OF, STORE, demo_shop, synced_demo_db
from tests.support.kill_at import resync
from tests.support.storage import REPORT_TABLES, dump, kill_at, report_state, reprocessed

# The warehouse holds two months; the re-sync rewrites its last two weeks, enough new rows for the
# full-disk steps below (at least 12 more pages) and still rows before them that it must leave alone.
SHOP_DAYS = 60
START, END = AS_OF - timedelta(days=14), AS_OF - timedelta(days=1)
TABLES = tuple(REPORT_TABLES.values())
State = dict[str, dict[str, list[tuple[Any, ...]]]]


@dataclass(frozen=True)
class World:
    base: Path  # the demo shop synced once, SHOP_DAYS days
    url: str  # the emulator, now answering with the re-processed shop
    old: State
    new: State  # after an uninterrupted re-sync of [START, END]
    new_tables: dict[str, list[tuple[Any, ...]]]
    new_pages: int


def copy_db(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resync")
    db = synced_demo_db(folder / "base.db", AS_OF, SHOP_DAYS)
    old = {report: report_state(db, report) for report in REPORT_TABLES}
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with serve_emulator(reprocessed(demo_shop(AS_OF, SHOP_DAYS), START, END)) as running:
        clean = open_database(copy_db(folder / "base.db", folder / "clean.db"))
        resync(clean, running.url, START, END)
        new = {report: report_state(clean, report) for report in REPORT_TABLES}
        assert all(old[report][part] != new[report][part] for report in old for part in old[report])
        yield World(folder / "base.db", running.url, old, new, {t: dump(clean, t) for t in TABLES},
                    clean.execute("PRAGMA page_count").fetchone()[0])


def kill_points() -> list[Any]:
    """Each step of each report's chunk write, as the statement the process dies before.

    sqlite-utils inserts in batches of statements; the users chunk (one row a day) fits in
    one statement, which SQLite applies whole, so it has no "mid-upsert" point.
    """
    points = []
    for position, (report, table) in enumerate(REPORT_TABLES.items()):
        delete, insert = rf"^\s*DELETE FROM {table}\b", rf"^\s*INSERT INTO {table}\b"
        before = list(REPORT_TABLES)[:position]
        steps = {
            "before-the-delete": ([delete], before),
            "after-the-delete": ([delete, insert], before),
            "mid-upsert": ([delete, insert, insert], before),
            "after-the-upsert-before-metadata": ([delete, r"^\s*INSERT INTO ga4_chunks\b"], before),
            "after-metadata": ([delete, r"^\s*INSERT INTO sync_state"], before),
            "after-sync-state-before-commit": ([delete, r"^\s*INSERT INTO sync_state", r"^\s*COMMIT"], before),
            "after-the-commit": ([delete, r"^\s*COMMIT", "."], [*before, report]),
        }
        if report == "users":
            del steps["mid-upsert"]
        points += [pytest.param(patterns, committed, id=f"{report}-{step}")
                   for step, (patterns, committed) in steps.items()]
    return points


def assert_each_report_old_or_new(db, world: World, committed: list[str]) -> None:
    for report in REPORT_TABLES:
        expected = world.new if report in committed else world.old
        assert report_state(db, report) == expected[report], f"{report} is neither wholly old nor as expected"


def assert_converges(db, world: World) -> None:
    """An ordinary sync re-pulls only the trailing days; re-running the re-sync restores the rest."""
    killed = {table: dump(db, table) for table in TABLES}
    start, end = plan_range(db, STORE, AS_OF)
    assert (start, end) == (END - timedelta(days=2), END)
    resync(db, world.url, start, end)
    for table in TABLES:
        kept = [row for row in killed[table] if row[1] < start.isoformat()]
        pulled = [row for row in world.new_tables[table] if row[1] >= start.isoformat()]
        assert Counter(dump(db, table)) == Counter(kept + pulled)  # the same rows, each as many times
    resync(db, world.url, START, END)
    for table in TABLES:
        assert dump(db, table) == world.new_tables[table]
    assert dump(db, "sync_state") == sorted(row for state in world.new.values() for row in state["state"])


@pytest.mark.parametrize(("patterns", "committed"), kill_points())
def test_a_resync_killed_at_any_step_leaves_each_chunk_old_or_new(world, tmp_path, patterns, committed):
    path = copy_db(world.base, tmp_path / "killed.db")
    process = kill_at(path, patterns, "sync", world.url, START.isoformat(), END.isoformat())
    assert process.returncode == -signal.SIGKILL, process.stderr
    db = open_database(path, check=True)
    assert_each_report_old_or_new(db, world, committed)
    assert_converges(db, world)


def committed_prefix(db, world: World) -> list[str]:
    """The reports whose re-sync got in; each report must be wholly old or wholly new."""
    done = []
    for report in REPORT_TABLES:
        state = report_state(db, report)
        assert state in (world.old[report], world.new[report]), f"{report} is a mix of old and new"
        if state == world.new[report]:
            done.append(report)
    assert done == list(REPORT_TABLES)[:len(done)]  # reports are synced in order
    return done


def test_a_full_disk_during_a_resync_undoes_the_chunk_and_the_next_run_converges(world, tmp_path):
    base_pages = open_database(world.base).execute("PRAGMA page_count").fetchone()[0]
    growth = world.new_pages - base_pages
    assert growth >= 12  # the re-processed shop needs room: the limits below fall inside its writes
    statements_before_full = []
    for extra in sorted({0, 1, *(growth * k // 6 for k in range(1, 6))}):
        path = copy_db(world.base, tmp_path / f"full-{extra}.db")
        db = open_database(path)
        db.execute(f"PRAGMA max_page_count = {base_pages + extra}")
        statements: list[str] = []
        db.engine.conn.set_trace_callback(statements.append)
        with pytest.raises(WarehouseFull) as error:
            resync(db, world.url, START, END)
        db.engine.conn.set_trace_callback(None)
        assert f"the disk holding the database {path} is full" in str(error.value)
        assert error.value.exit_code == 1
        assert committed_prefix(db, world) == []  # the sessions chunk is the one that grows
        statements_before_full.append(len(statements))
        db.close()
        db = open_database(path, check=True)  # space is back
        resync(db, world.url, START, END)
        assert {table: dump(db, table) for table in TABLES} == world.new_tables
    assert len(set(statements_before_full)) >= 5, statements_before_full  # the disk filled at different steps


def test_a_write_lock_held_past_the_busy_timeout_fails_the_resync_cleanly(world, tmp_path):
    path = copy_db(world.base, tmp_path / "locked.db")
    db = open_database(path, busy_timeout_ms=300)
    holder = sqlite3.connect(path, isolation_level=None)

    def lock_after_first_report(report: str, *_: int) -> None:
        if report == "sessions":
            holder.execute("BEGIN IMMEDIATE")  # another process starts a long write

    from connectors.ga4.client import build_client
    from connectors.ga4.sync import sync_store
    from tests.support.ga4 import PROPERTY, no_sleep_retry
    from tests.support.kill_at import RESYNC_CLOCK

    with pytest.raises(WarehouseBusy) as error:
        sync_store(db, build_client({"KPIBOT_GA4_ENDPOINT": world.url}), STORE, PROPERTY, START, END,
                   clock=lambda: RESYNC_CLOCK, retry=no_sleep_retry(), progress=lock_after_first_report)
    assert f"the database {path} stayed locked by another process for more than 0.3 s" in str(error.value)
    assert error.value.exit_code == 1
    holder.execute("ROLLBACK")
    holder.close()
    assert committed_prefix(db, world) == ["sessions"]
    assert_converges(db, world)
