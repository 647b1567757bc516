"""`kpibot sync`: pull every configured source into SQLite. Safe to re-run.

Each source runs isolated: a failure prints one line naming the store and the source, the
other sources go on, and the exit code is 1 if any failed.
"""

from __future__ import annotations

import argparse
import os
import sys

from bot.cli import iso_date
from bot.sync_sources import SourceReport, SyncRequest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="only this store (default: every store)")
    parser.add_argument("--since", type=iso_date, metavar="DATE",
                        help="first day to pull (default: the last synced day minus 3 days, or a 400-day backfill)")
    parser.add_argument("--until", type=iso_date, metavar="DATE", help="last day to pull (default: yesterday)")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.sync_sources import marketing_sources, run_isolated

    settings = load_settings(args)
    stores = selected_stores(settings, args.store)
    db = open_warehouse(settings)
    failed = False
    for store in stores:
        request = SyncRequest(db, store, as_of_for(args, store), args.since, args.until, os.environ,
                              lambda: datetime.now(UTC))
        for name, source in [("GA4", sync_ga4_source), *marketing_sources(store)]:
            report, failure = run_isolated(name, source, request, getattr(args, "debug", False))
            print("\n".join(report.lines), end="\n" if report.lines else "")
            for line in [*report.notices, *([failure] if failure else [])]:
                print(f"kpibot: {line}", file=sys.stderr)
            failed |= failure is not None
    return 1 if failed else 0


def sync_ga4_source(request: SyncRequest) -> SourceReport:
    from bot.progress import sync_progress
    from connectors.ga4_client import build_client, service_account_email
    from connectors.ga4_sync import plan_range, sync_store

    store = request.store
    start, end = plan_range(request.db, store.name, request.as_of, request.since, request.until)
    with sync_progress(store.name) as progress:
        result = sync_store(request.db, build_client(request.environ), store.name, store.ga4_property, start, end,
                            clock=request.now, progress=progress,
                            service_account=service_account_email(request.environ))
    if result.errors:
        refused = "; ".join(f"the {report} report: {message}" for report, message in result.errors.items())
        raise Ga4Refused(f"GA4 refused {refused} (synced {result.rows} rows of the other reports)")
    return SourceReport([f"{store.name}: synced {start} to {end}: {result.rows} rows in {result.requests} request(s)"])


class Ga4Refused(Exception):
    exit_code = 1
