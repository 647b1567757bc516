"""Run a GA4 re-sync or an order import, and SIGKILL this process at a chosen SQL statement.

    python -m tests.support.kill_at DB --at REGEX [--at REGEX ...] sync URL START END
    python -m tests.support.kill_at DB --at REGEX [--at REGEX ...] import FILE

The ``--at`` patterns are matched in order against every statement the warehouse
connection starts (``sqlite3``'s trace callback fires before a statement runs): the
process kills itself with SIGKILL just before the statement matching the last pattern,
once the earlier ones have been seen. No cleanup, no rollback, no ``finally``: exactly
what a power cut or the OOM killer does. If no statement matches, it exits 3.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.engine.database import Database

RESYNC_CLOCK = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a day after the first sync: metadata tells runs apart


def killer(patterns: list[str]) -> Callable[[str], None]:
    compiled = [re.compile(pattern, re.IGNORECASE | re.DOTALL) for pattern in patterns]
    progress = {"matched": 0}

    def trace(statement: str) -> None:
        if compiled[progress["matched"]].search(statement):
            progress["matched"] += 1
            if progress["matched"] == len(compiled):
                os.kill(os.getpid(), signal.SIGKILL)

    return trace


def resync(db: Database, url: str, start: date, end: date) -> None:
    from connectors.ga4.client import build_client
    from connectors.ga4.sync import sync_store
    from tests.support.ga4 import PROPERTY, STORE, no_sleep_retry

    sync_store(db, build_client({"KPIBOT_GA4_ENDPOINT": url}), STORE, PROPERTY, start, end,
               clock=lambda: RESYNC_CLOCK, retry=no_sleep_retry())


def import_orders(db: Database, path: Path) -> None:
    from connectors.orders.importer import import_file

    import_file(db, path, "shop", "Europe/Rome", "EUR")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--at", action="append", required=True)
    work = parser.add_subparsers(dest="work", required=True)
    sync = work.add_parser("sync")
    sync.add_argument("url")
    sync.add_argument("start", type=date.fromisoformat)
    sync.add_argument("end", type=date.fromisoformat)
    orders = work.add_parser("import")
    orders.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    from connectors.warehouse import open_database

    db = open_database(args.db)
    db.engine.conn.set_trace_callback(killer(args.at))
    if args.work == "sync":
        resync(db, args.url, args.start, args.end)
    else:
        import_orders(db, args.file)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
