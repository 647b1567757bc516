"""m001–m003 became portable DDL: files migrated by the old sqlite-utils code and new files are alike.

Applied migrations are never re-run, so an old file keeps the schema the old code made; the
new code must read and write it exactly as a new file, and make a new file with the same shape.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database as SqliteUtilsDatabase

from connectors.episodes_store import open_episode
from connectors.ga4.sync_log import finish_run, last_runs, start_run
from connectors.warehouse import Warehouse, open_database, write_chunk
from tests.support.old_migrations import OLD

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def affinity(declared: str) -> str:
    """SQLite's column affinity for a declared type (https://www.sqlite.org/datatype3.html, 3.1)."""
    kind = declared.upper()
    if "INT" in kind:
        return "INTEGER"
    if any(word in kind for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not kind or "BLOB" in kind:
        return "BLOB"
    if any(word in kind for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def shape(db: Warehouse) -> dict[str, Any]:
    """Every table's columns (name, affinity, not null, default, key position) and every index."""
    tables = sorted(db.tables() - {"_migrations"})
    columns = {t: [(row[1], affinity(row[2]), row[3], row[4], row[5])
                   for row in db.execute(f"PRAGMA table_info({t})").fetchall()] for t in tables}
    indexes = {}
    for table in tables:
        for _, name, unique, origin, partial in db.execute(f"PRAGMA index_list({table})").fetchall():
            indexed = [row[2] for row in db.execute(f"PRAGMA index_info({name})").fetchall()]
            # SQLite names the indexes behind a PRIMARY KEY itself: compare those by their columns
            key = f"{table}:{','.join(indexed)}" if name.startswith("sqlite_autoindex") else name
            indexes[key] = (table, unique, origin, partial, indexed)
    return {"columns": columns, "indexes": indexes}


def old_file(path: Path) -> Warehouse:
    """A warehouse made by the old m001–m003 (sqlite-utils' create()), then migrated by today's code."""
    old = SqliteUtilsDatabase(path)
    old.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for number, (name, apply) in OLD.items():
        apply(old)
        old.execute("INSERT INTO _migrations VALUES (?, ?, 'then')", [number, name])
    old.close()
    return open_database(path)


def test_old_and_new_files_have_the_same_schema(tmp_path):
    old, new = old_file(tmp_path / "old.db"), open_database(tmp_path / "new.db")
    assert shape(old) == shape(new)
    assert len(shape(new)["columns"]) >= 20  # the comparison saw the tables


def test_an_old_file_is_read_and_written_like_a_new_one(tmp_path):
    results = []
    for db in (old_file(tmp_path / "old.db"), open_database(tmp_path / "new.db")):
        day = "2026-11-23"
        write_chunk(db, "ga4_sessions", [{"store": "s", "date": day, "channel": "Email", "device": "mobile",
                                          "visitor": "new", "sessions": 10, "engaged_sessions": 5, "orders": 2,
                                          "revenue": 99.5, "add_to_carts": 3, "checkouts": 2, "key_events": 2}],
                    {"store": "s", "report": "sessions", "start_date": day, "end_date": day, "currency": "EUR",
                     "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0, "sampled": 0, "rows": 1,
                     "fetched_at": "x"})
        first, second = start_run(db, "s", NOW), start_run(db, "s", NOW)
        finish_run(db, second, NOW, 1, 1, 1, None)
        episode = {"store": "s", "metric": "revenue", "kind": "anomaly", "opened_on": day, "last_seen_on": day,
                   "value": 1.5, "state": "open"}
        ids = (open_episode(db, episode), open_episode(db, episode))
        results.append((db.sums("s", "sessions", "revenue", date(2026, 11, 23), date(2026, 11, 23)),
                        (first, second), [run["id"] for run in last_runs(db, "s")], ids))
    assert results[0] == results[1]
    assert results[0][1] == (1, 2) and results[0][3] == (1, None)  # ids numbered from 1; a live episode once
