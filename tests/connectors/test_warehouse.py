from datetime import date

from connectors.migrations import discover
from connectors.warehouse import open_database, write_chunk


def chunk(start: str, end: str) -> dict:
    return {"store": "s", "report": "sessions", "start_date": start, "end_date": end,
            "currency": "EUR", "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0,
            "sampled": 0, "rows": 0, "fetched_at": "2026-01-01T00:00:00"}


def row(day: str, channel: str, sessions: int) -> dict:
    return {"store": "s", "date": day, "channel": channel, "device": "mobile", "visitor": "new",
            "sessions": sessions, "engaged_sessions": 0, "orders": 0, "revenue": 0.0,
            "add_to_carts": 0, "checkouts": 0, "key_events": 0}


def test_migrations_are_numbered_uniquely_and_run_once(location):
    numbers = [number for number, _, _ in discover()]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    first = open_database(location)
    assert "ga4_sessions" in first.tables()
    reopened = open_database(location)
    assert reopened.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == len(numbers)
    first.close()
    reopened.close()


def test_rewriting_a_chunk_replaces_rows_of_that_range_only(warehouse):
    db = warehouse
    write_chunk(db, "ga4_sessions", [row("2026-01-01", "Email", 5), row("2026-01-02", "Email", 7)],
                chunk("2026-01-01", "2026-01-02"))
    write_chunk(db, "ga4_sessions", [row("2026-01-02", "Direct", 3)], chunk("2026-01-02", "2026-01-02"))
    frame = db.daily("s", "sessions", "sessions", date(2026, 1, 1), date(2026, 1, 2), by=["channel"])
    assert frame.to_dict("records") == [
        {"date": "2026-01-01", "channel": "Email", "value": 5},
        {"date": "2026-01-02", "channel": "Direct", "value": 3},
    ]
