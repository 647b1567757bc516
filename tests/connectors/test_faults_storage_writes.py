"""Migrations on a full disk, order imports killed with SIGKILL, claims racing another connection.

Each test checks the atomicity itself on the installed SQLite and sqlite-utils, not a
library's promise: the fault is real (``PRAGMA max_page_count``, SIGKILL, a second
connection holding the write lock) and the outcome is compared with a clean run.
"""

from __future__ import annotations

import re
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.delivery_store import claim_delivery
from connectors.engine.database import Database
from connectors.leases import take_lease
from connectors.migrations import discover, migrate
from connectors.orders.importer import import_file
from connectors.transaction import WarehouseError, WarehouseFull, transaction
from connectors.warehouse import open_database, write_chunk
from tests.support.engines import unmigrated
from tests.support.paths import ROOT
from tests.support.storage import dump, kill_at

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LATER = NOW.replace(hour=9)


def schema(db: Database) -> list[tuple[str, str, str | None]]:
    return sorted(db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall(),
                  key=repr)


def schemas_after_each_migration(folder: Path) -> list[list[tuple[str, str, str | None]]]:
    """The schema with 0, 1, 2... migrations applied, each applied alone on a clean file."""
    db = unmigrated(folder / "steps.db")
    db.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    steps = [schema(db)]
    for number, name, apply in discover():
        apply(db)
        db.execute("INSERT INTO _migrations (number, name) VALUES (?, ?)", [number, name])
        steps.append(schema(db))
    return steps


def test_a_full_disk_at_any_point_of_the_migrations_leaves_whole_migrations_and_heals(tmp_path):
    steps = schemas_after_each_migration(tmp_path)
    needed = open_database(tmp_path / "clean.db").execute("PRAGMA page_count").fetchone()[0]
    applied_when_full = []
    for pages in range(1, needed):  # every disk size too small for the whole schema
        path = tmp_path / f"full-{pages}.db"
        db = unmigrated(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(WarehouseFull, match=f"the disk holding the database {re.escape(str(path))} is full"):
            migrate(db)
        db.close()
        db = unmigrated(path)  # space is back: first look at what the failed run left
        applied = db.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] if db.has_table("_migrations") else 0
        assert schema(db) == (steps[applied] if db.has_table("_migrations") else []), f"{pages} pages"
        applied_when_full.append(applied)
        db.close()
        healed = open_database(path, check=True)
        assert schema(healed) == steps[-1]
        write_chunk(healed, "ga4_users", [{"store": "s", "date": "2026-01-01", "total_users": 1, "new_users": 1,
                                           "active_users": 1}],
                    {"store": "s", "report": "users", "start_date": "2026-01-01", "end_date": "2026-01-01",
                     "currency": "EUR", "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0, "sampled": 0,
                     "rows": 1, "fetched_at": "x"})
        assert claim_delivery(healed, ("s", "digest", "2026-01-01", "C1"), "me", NOW, LATER, None)
    assert set(applied_when_full) == set(range(len(steps) - 1))  # the disk filled inside every migration


def orders_csv(path: Path, orders: range, bump: int = 0) -> Path:
    lines = [f"O{n},C{n % 37},2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+01:00,{10 + n + bump}.50,EUR,"
             f"{'refunded' if bump and n % 5 == 0 else 'paid'}\n" for n in orders]
    path.write_text("order_id,customer_id,created_at,total,currency,status\n" + "".join(lines))
    return path


@pytest.fixture
def imported(tmp_path):
    """A warehouse holding 300 orders, and a changed export (50 changed, 200 new) to import next."""
    first = orders_csv(tmp_path / "first.csv", range(300))
    second = orders_csv(tmp_path / "second.csv", range(250, 500), bump=7)
    db = open_database(tmp_path / "before.db")
    import_file(db, first, "shop", "Europe/Rome", "EUR")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    clean = open_database(shutil.copyfile(tmp_path / "before.db", tmp_path / "clean.db"))
    counts = import_file(clean, second, "shop", "Europe/Rome", "EUR").counts
    assert (counts.inserted, counts.updated, counts.unchanged) == (200, 50, 0)
    return tmp_path / "before.db", second, dump(open_database(tmp_path / "before.db"), "orders"), dump(clean, "orders")


@pytest.mark.parametrize("patterns", [
    [r"^\s*INSERT INTO orders"],  # after the count, before the first row
    [r"^\s*INSERT INTO orders"] * 120,  # mid-way: 119 rows written
    [r"^\s*INSERT INTO orders"] * 250 + [r"^\s*SELECT COUNT"],  # every row written, before the commit
], ids=["before-the-first-row", "mid-file", "before-the-commit"])
def test_an_import_killed_mid_file_leaves_the_orders_as_they_were(imported, tmp_path, patterns):
    before_path, second, before, after = imported
    path = shutil.copyfile(before_path, tmp_path / "killed.db")
    process = kill_at(path, patterns, "import", str(second))
    assert process.returncode == -signal.SIGKILL, process.stderr
    db = open_database(path, check=True)
    assert dump(db, "orders") == before
    import_file(db, second, "shop", "Europe/Rome", "EUR")
    assert dump(db, "orders") == after


def test_a_first_import_killed_mid_file_writes_nothing_at_all(tmp_path):
    path = tmp_path / "fresh.db"
    open_database(path).close()
    process = kill_at(path, [r"^\s*INSERT INTO orders"] * 40, "import", str(orders_csv(tmp_path / "o.csv", range(80))))
    assert process.returncode == -signal.SIGKILL, process.stderr
    db = open_database(path)
    assert dump(db, "orders") == [] and dump(db, "meta") == []  # not even the salt


def test_a_delivery_claim_is_one_statement_so_only_one_process_takes_it(tmp_path):
    """The claim checks the row's state inside its own INSERT ... ON CONFLICT ... WHERE: no gap to slip into."""
    key = ("shop", "digest", "2026-11-23", "C1")
    first = open_database(tmp_path / "w.db")
    second = open_database(tmp_path / "w.db", busy_timeout_ms=0)
    statements: list[str] = []
    first.engine.conn.set_trace_callback(statements.append)
    assert claim_delivery(first, key, "a", NOW, LATER, None) is not None
    first.engine.conn.set_trace_callback(None)
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0]
    assert claim_delivery(second, key, "b", NOW, LATER, None) is None  # a live claim is nobody else's


def test_a_lease_is_one_statement_so_only_one_process_holds_it(tmp_path):
    first = open_database(tmp_path / "w.db")
    second = open_database(tmp_path / "w.db", busy_timeout_ms=0)
    statements: list[str] = []
    first.engine.conn.set_trace_callback(statements.append)
    assert take_lease(first, "scheduler", "a", NOW, LATER) is True
    first.engine.conn.set_trace_callback(None)
    assert [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "SELECT"))][0].lstrip() \
        .upper().startswith("INSERT")
    assert take_lease(second, "scheduler", "b", NOW, LATER) is False
    assert take_lease(second, "scheduler", "b", LATER, LATER.replace(hour=10)) is True  # once it ran out


def test_a_nested_transaction_commits_only_with_the_outer_one_and_undoes_its_own_part(tmp_path):
    db = open_database(tmp_path / "w.db")
    reader = open_database(tmp_path / "w.db")
    with transaction(db):
        db.execute("INSERT INTO meta (key, value) VALUES ('outer', '1')")
        with pytest.raises(ZeroDivisionError), transaction(db):
            db.execute("INSERT INTO meta (key, value) VALUES ('inner', '1')")
            raise ZeroDivisionError
        with transaction(db):
            db.upsert("meta", [{"key": "kept", "value": "1"}], ["key"])
        assert dump(reader, "meta") == []  # nothing is visible before the outer commit
    assert dump(reader, "meta") == [("kept", "1"), ("outer", "1")]


def test_a_database_path_that_cannot_be_opened_is_one_sentence(tmp_path):
    (tmp_path / "kpibot.db").mkdir()  # a directory where the file should be
    with pytest.raises(WarehouseError, match="cannot open the database file .*: check that the path names a file"):
        open_database(tmp_path / "kpibot.db")


def test_no_connector_relies_on_with_db_conn_for_a_transaction():
    """``with db.conn:`` opens no transaction under sqlite-utils 4 and commits an enclosing one."""
    offenders = [path.name for path in (ROOT / "connectors").rglob("*.py") if "with db.conn:" in path.read_text()
                 and path.name != "transaction.py"]
    assert offenders == []
