"""`kpibot sync`: pull every configured source into SQLite. Safe to re-run."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from bot.cli import iso_date

SLEEP: Callable[[float], None] = time.sleep  # the composition root's clock; tests put a recorder here


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="only this store (default: every store)")
    parser.add_argument("--since", type=iso_date, metavar="DATE",
                        help="first day to pull (default: the last synced day minus 3 days, or a 400-day backfill)")
    parser.add_argument("--until", type=iso_date, metavar="DATE", help="last day to pull (default: yesterday)")


def run(args: argparse.Namespace) -> int:
    """Sync each selected store; a store that fails is reported in one line and the others go on."""
    from bot.context import load_settings, open_warehouse, selected_stores
    from connectors.ga4_client import build_client

    settings = load_settings(args)
    stores = selected_stores(settings, args.store)
    db = open_warehouse(settings, writing=True)
    client = build_client(os.environ)
    failed = False
    for store in stores:
        try:
            failed |= not _sync_one(args, settings, db, client, store)
        except Exception as error:  # noqa: BLE001 - one line per store, the other stores still sync
            if getattr(args, "debug", False):
                raise
            failed = True
            print(f"kpibot: {store.name}: {_one_line(error)}", file=sys.stderr)
    return 1 if failed else 0


def _sync_one(args: argparse.Namespace, settings: Any, db: Any, client: Any, store: Any) -> bool:
    from datetime import UTC, datetime

    from bot.context import as_of_for
    from bot.progress import sync_progress
    from connectors.ga4_client import service_account_email
    from connectors.ga4_fetch import RetryPolicy
    from connectors.ga4_sync import plan_range, sync_store

    retry = RetryPolicy(sleep=SLEEP)
    if settings.max_retry_wait is not None:
        retry.max_wait = settings.max_retry_wait
    start, end = plan_range(db, store.name, as_of_for(args, store), args.since, args.until)
    with sync_progress(store.name) as progress:
        result = sync_store(db, client, store.name, store.ga4_property, start, end,
                            clock=lambda: datetime.now(UTC), retry=retry, progress=progress,
                            service_account=service_account_email(os.environ))
    print(f"{store.name}: synced {start} to {end}: {result.rows} rows in {result.requests} request(s)")
    for report, message in result.errors.items():
        print(f"kpibot: {store.name}: {report} report: {message}", file=sys.stderr)
    return result.ok


def _one_line(error: Exception) -> str:
    """A failure's own sentence; anything unforeseen as its type and masked text."""
    from connectors.redact import mask_urls_in

    if getattr(error, "exit_code", None) is not None:
        return mask_urls_in(str(error))
    return f"unexpected error: {type(error).__name__}: {mask_urls_in(str(error))} (run again with --debug for details)"
