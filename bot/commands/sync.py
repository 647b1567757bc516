"""`kpibot sync`: pull every configured source into SQLite. Safe to re-run."""

from __future__ import annotations

import argparse
import os
import sys

from bot.cli import iso_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="only this store (default: every store)")
    parser.add_argument("--since", type=iso_date, metavar="DATE",
                        help="first day to pull (default: the last synced day minus 3 days, or a 400-day backfill)")
    parser.add_argument("--until", type=iso_date, metavar="DATE", help="last day to pull (default: yesterday)")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.progress import sync_progress
    from connectors.ga4_client import build_client, service_account_email
    from connectors.ga4_sync import plan_range, sync_store

    settings = load_settings(args)
    stores = selected_stores(settings, args.store)
    db = open_warehouse(settings, writing=True)
    client = build_client(os.environ)
    failed = False
    for store in stores:
        start, end = plan_range(db, store.name, as_of_for(args, store), args.since, args.until)
        with sync_progress(store.name) as progress:
            result = sync_store(db, client, store.name, store.ga4_property, start, end,
                                clock=lambda: datetime.now(UTC), progress=progress,
                                service_account=service_account_email(os.environ))
        print(f"{store.name}: synced {start} to {end}: {result.rows} rows in {result.requests} request(s)")
        for report, message in result.errors.items():
            failed = True
            print(f"kpibot: {store.name}: GA4 refused the {report} report: {message}", file=sys.stderr)
    return 1 if failed else 0
