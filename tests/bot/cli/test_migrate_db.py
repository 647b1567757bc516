"""`kpibot migrate-db`: a SQLite warehouse copied into an empty one, checked, and its refusals.

The target is PostgreSQL (a fresh schema on the test server) or, so the copy is tested even
without a server, a new SQLite file. Row counts are checked independently of the command: the
source file is counted with the standard library's sqlite3, the target through a new connection.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from bot.cli.answer_check import answer_of
from bot.cli.main import main
from connectors.ga4.sync_log import start_run
from connectors.warehouse import open_database
from kpi.settings import StoreSettings
from tests.support.engines import ENGINES, fresh_location
from tests.support.ga4 import AS_OF, PROPERTY, STORE, synced_demo_db
from tests.support.shops import demo_orders, shopify, shopify_sync


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A SQLite warehouse with 400 days of GA4 and a few hundred shop orders."""
    path = tmp_path_factory.mktemp("source") / "kpibot.db"
    db = synced_demo_db(path, AS_OF, 400, True)
    with shopify(demo_orders(60)[:300]) as (running, clock):
        shopify_sync(db, running, clock)
    start_run(db, STORE, datetime(2026, 11, 24, 6, tzinfo=UTC))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture(params=ENGINES)
def target(request, tmp_path):
    with fresh_location(request.param, tmp_path) as where:
        yield str(where)


def counts_in_file(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite_%' AND name <> '_migrations'")]
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}


def test_a_copy_has_every_row_and_the_same_answers_and_refuses_a_second_run(source, target, capsys):
    assert main(["migrate-db", "--from", str(source), "--to", target]) == 0
    out = capsys.readouterr().out
    assert "row counts match table by table" in out and "sample answers match on both sides" in out
    expected = counts_in_file(source)
    assert expected["ga4_sessions"] > 1000 and expected["orders"] == 300
    copy = open_database(target)
    assert {table: copy.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in expected} == expected
    original = open_database(source)
    store = StoreSettings(STORE, PROPERTY)
    for text in ("revenue last-30d vs ly", "customers last-90d", "cvr mtd by channel"):
        assert answer_of(copy, store, text, AS_OF) == answer_of(original, store, text, AS_OF)
    # new rows are numbered on from the copied ones, not from 1
    assert start_run(copy, STORE, datetime(2026, 11, 25, tzinfo=UTC)) == expected["sync_runs"] + 1

    assert main(["migrate-db", "--from", str(source), "--to", target]) == 2
    err = capsys.readouterr().err
    assert "already holds data" in err and "only copies into an empty warehouse" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert copy.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 300  # nothing added by the refusal


@pytest.mark.parametrize(("argv", "said"), [
    (["--to", "mysql://kpibot@db/kpibot"], "--to must be a file path such as"),
    (["--to", "postgresql://kpibot@db:port/kpibot"], "--to is a postgresql:// URL that cannot be read"),
    (["--from", "no-such.db", "--to", "postgresql://kpibot@127.0.0.1/kpibot"], "--from no-such.db: no such file"),
])
def test_bad_locations_are_refused_in_one_sentence(source, argv, said, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPIBOT_DATABASE_URL", raising=False)
    if "--from" not in argv:
        argv = ["--from", str(source), *argv]
    assert main(["migrate-db", *argv]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # nothing made on the way
