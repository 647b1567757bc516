"""PostgreSQL's failures as the same sentences as SQLite's, against a real server (never a mock).

Each fault is real: a second connection holds the write lock, the server raises the SQLSTATE
itself, a backend is terminated under a connection, a port has nothing listening.
"""

from __future__ import annotations

import socket

import psycopg
import pytest

from connectors.transaction import DamagedDatabase, WarehouseBusy, WarehouseError, WarehouseFull, transaction
from connectors.warehouse import open_database
from tests.support.engines import fresh_schema, postgres_url


@pytest.fixture
def url():
    with fresh_schema() as where:
        yield where


def raise_state(db, state: str) -> None:
    """The server itself raises SQLSTATE ``state`` (as it would on a full disk or a damaged page)."""
    db.execute(f"DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '{state}'; END $$")


def free_port() -> int:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_write_waits_for_another_writer_then_gives_up_in_one_sentence(url):
    holder, waiter = open_database(url), open_database(url, busy_timeout_ms=300)
    with transaction(holder):  # the other process's write transaction holds the warehouse's lock
        holder.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        with pytest.raises(WarehouseBusy) as error:
            with transaction(waiter):
                waiter.execute("INSERT INTO meta (key, value) VALUES ('b', '1')")
    assert f"the database {waiter.label} stayed locked by another process for more than 0.3 s" in str(error.value)
    assert waiter.execute("SELECT key FROM meta").fetchall() == [("a",)]  # nothing of the given-up write
    with transaction(waiter):  # the lock is free again
        waiter.execute("INSERT INTO meta (key, value) VALUES ('b', '1')")
    assert sorted(holder.execute("SELECT key FROM meta").fetchall()) == [("a",), ("b",)]


def test_a_full_disk_and_a_damaged_page_are_the_sqlite_sentences_and_undo_the_write(url):
    db = open_database(url)
    for state, kind, words in (("53100", WarehouseFull, "is full, so this write was undone"),
                               ("XX001", DamagedDatabase, "is damaged: restore it from a backup")):
        with pytest.raises(kind, match=words) as error:
            with transaction(db):
                db.execute("INSERT INTO meta (key, value) VALUES ('half', '1')")
                raise_state(db, state)
        assert db.label in str(error.value)
        assert db.execute("SELECT COUNT(*) FROM meta WHERE key = 'half'").fetchone()[0] == 0


def test_an_unreachable_server_is_one_sentence_with_the_password_masked():
    postgres_url()  # only where the PostgreSQL tests run
    url = f"postgresql://kpibot:s3cr3t-pw@127.0.0.1:{free_port()}/kpibot"
    with pytest.raises(WarehouseError) as error:
        open_database(url)
    said = str(error.value)
    assert said.startswith("cannot reach the PostgreSQL database postgresql://kpibot:***@127.0.0.1:")
    assert "s3cr3t-pw" not in said and "\n" not in said and "Connection refused" in said


def test_a_database_that_does_not_exist_says_to_create_it():
    base = postgres_url()
    path_end = base.split("?", 1)
    missing = path_end[0].rsplit("/", 1)[0] + "/no_such_kpibot_db" + ("?" + path_end[1] if len(path_end) > 1 else "")
    with pytest.raises(WarehouseError, match="does not exist: create it"):
        open_database(missing)


def test_a_connection_lost_mid_transaction_undoes_it_and_says_so(url):
    db, other = open_database(url), open_database(url)
    pid = db.execute("SELECT pg_backend_pid()").fetchone()[0]
    with pytest.raises(WarehouseError, match="cannot reach the PostgreSQL database") as error:
        with transaction(db):
            db.execute("INSERT INTO meta (key, value) VALUES ('lost', '1')")
            other.execute("SELECT pg_terminate_backend(?)", [pid])
            db.execute("INSERT INTO meta (key, value) VALUES ('after', '1')")
    assert "\n" not in str(error.value)
    assert other.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0


def test_placeholders_percent_signs_and_sums_read_the_same_as_sqlite(url):
    db = open_database(url)
    assert db.execute("SELECT '?', 'a%b', ?, 'it''s ?'", [5]).fetchone() == ("?", "a%b", 5, "it's ?")
    db.execute("CREATE TABLE numbers (n BIGINT, x DOUBLE PRECISION)")
    db.executemany("INSERT INTO numbers (n, x) VALUES (?, ?)", [[2**40, 0.5], [3, 0.25], [True, 0.0]])
    total, flags, fraction = db.execute("SELECT SUM(n), SUM(n * 0 + 1), SUM(x) FROM numbers").fetchone()
    assert (total, flags, fraction) == (2**40 + 4, 3, 0.75)
    assert type(total) is int and type(fraction) is float  # never Decimal
    assert db.execute("SELECT AVG(n) FROM numbers WHERE n < 5").fetchone()[0] == 2.0


def test_a_warehouse_is_a_schema_and_two_schemas_never_share_rows():
    with fresh_schema() as one, fresh_schema() as two:
        first, second = open_database(one), open_database(two)
        first.execute("INSERT INTO meta (key, value) VALUES ('only', 'here')")
        assert second.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0
        with transaction(first):  # each warehouse has its own write lock
            with transaction(second):
                second.execute("INSERT INTO meta (key, value) VALUES ('also', 'fine')")


def test_psycopg_is_only_loaded_for_postgresql():
    import subprocess
    import sys

    from tests.support.paths import ROOT

    code = ("import sys; from connectors.warehouse import open_database; open_database(None); "
            "print('psycopg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
    assert psycopg.__version__ >= "3.1"
