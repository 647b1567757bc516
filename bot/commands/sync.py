"""`kpibot sync`: pull every configured source of each store into SQLite. Safe to re-run.

Each source (GA4, Shopify, WooCommerce) has its own error handling: one that fails never
stops the others, and each failure gets one line naming the store and the source.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from bot.cli import iso_date

SLEEP: Callable[[float], None] = time.sleep  # the composition root's clock; tests put a recorder here
Failure = tuple[str, str, str, int]  # store, source, message, exit code


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="only this store (default: every store)")
    parser.add_argument("--since", type=iso_date, metavar="DATE",
                        help="first day to pull (GA4 default: the last synced day minus 3 days, or a 400-day "
                             "backfill; shops: only orders created from this day)")
    parser.add_argument("--until", type=iso_date, metavar="DATE",
                        help="last day to pull (GA4 default: yesterday; shops: only orders created up to this day)")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from functools import partial

    from bot.context import load_settings, open_warehouse, selected_stores
    from bot.shop_sources import shop_sources

    settings = load_settings(args)
    stores = selected_stores(settings, args.store)
    db = open_warehouse(settings, writing=True)
    failures: list[Failure] = []
    ga4 = _ga4_client()
    for store in stores:
        _guarded(args, failures, store.name, "ga4", partial(_sync_ga4, args, settings, db, ga4, store, failures))
        for source in shop_sources(store):
            _guarded(args, failures, store.name, source, partial(_sync_shop, args, db, store, source,
                                                                 datetime.now(UTC)))
    for store_name, source, message, _ in failures:
        print(f"kpibot: {store_name}: {source}: {message}", file=sys.stderr)
    return max((code for *_, code in failures), default=0)


def _guarded(args: argparse.Namespace, failures: list[Failure], store: str, source: str,
             sync: Callable[[], None]) -> None:
    """Run one source's sync; a failure is recorded, never raised (unless --debug)."""
    try:
        sync()
    except Exception as error:  # noqa: BLE001 - each source fails on its own
        if getattr(args, "debug", False):
            raise
        failures.append((store, source, _one_line(error), int(getattr(error, "exit_code", None) or 1)))


def _ga4_client() -> Any:
    """The GA4 client, or the error that building it raised (reported per store, as GA4's failure)."""
    from connectors.ga4_client import build_client

    try:
        return build_client(os.environ)
    except Exception as error:  # noqa: BLE001 - reported with each store's GA4 sync
        return error


def _sync_ga4(args: argparse.Namespace, settings: Any, db: Any, client: Any, store: Any,
              failures: list[Failure]) -> None:
    from datetime import UTC, datetime

    from bot.context import as_of_for
    from bot.progress import sync_progress
    from connectors.ga4_client import service_account_email
    from connectors.ga4_fetch import RetryPolicy
    from connectors.ga4_sync import plan_range, sync_store

    if isinstance(client, Exception):
        raise client
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
        failures.append((store.name, "ga4", f"{report} report: {message}", 1))


def _sync_shop(args: argparse.Namespace, db: Any, store: Any, source: str, now: Any) -> None:
    from bot.shop_sources import PLATFORMS, summary, sync_shop_source

    result = sync_shop_source(db, store, source, os.environ, now, args.since, args.until)
    print(summary(result))
    for note in result.notes(store.currency, PLATFORMS[source]):
        print(f"warning: {store.name}: {source}: {note}", file=sys.stderr)


def _one_line(error: Exception) -> str:
    """A failure's own sentence; anything unforeseen as its type and masked text."""
    from connectors.redact import mask_urls_in

    if getattr(error, "exit_code", None) is not None:
        return mask_urls_in(str(error))
    return f"unexpected error: {type(error).__name__}: {mask_urls_in(str(error))} (run again with --debug for details)"
