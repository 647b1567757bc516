"""`kpibot sync`: pull every configured source of each store into SQLite. Safe to re-run.

Each source (GA4, Shopify, WooCommerce, Klaviyo, Meta Ads) runs isolated: a failure prints
one line naming the store and the source, the other sources go on, and the exit code is the
worst failure's (1 for a source that failed, 2 for a missing setting).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from bot.cli.main import iso_date
from bot.cli.sources import SyncRequest

SLEEP: Callable[[float], None] = time.sleep  # the composition root's clock; tests put a recorder here


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="only this store (default: every store)")
    parser.add_argument("--since", type=iso_date, metavar="DATE",
                        help="first day to pull (GA4 default: the last synced day minus 3 days, or a 400-day "
                             "backfill; shops: only orders created from this day)")
    parser.add_argument("--until", type=iso_date, metavar="DATE",
                        help="last day to pull (GA4 default: yesterday; shops: only orders created up to this day)")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.cli.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.cli.sources import run_isolated, store_sources
    from connectors.ga4.fetch import RetryPolicy

    settings = load_settings(args)
    stores = selected_stores(settings, args.store)
    db = open_warehouse(settings, writing=True)
    retry = RetryPolicy(sleep=SLEEP)
    if settings.max_retry_wait is not None:
        retry.max_wait = settings.max_retry_wait
    worst = 0
    for store in stores:
        request = SyncRequest(db, store, as_of_for(args, store), args.since, args.until, os.environ,
                              lambda: datetime.now(UTC), retry)
        for name, source in store_sources(store):
            report, failure, code = run_isolated(name, source, request, getattr(args, "debug", False))
            print("\n".join(report.lines), end="\n" if report.lines else "")
            for line in [*report.notices, *([failure] if failure else [])]:
                print(f"kpibot: {line}", file=sys.stderr)
            worst = max(worst, code)
    return worst
