"""The demo: emulator, a real sync through the official client, then what kpibot shows.

Each step is a function so the demo reads as the story it tells.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from sqlite_utils import Database

from bot.context import today_in
from bot.demo_store import demo_store
from bot.progress import sync_progress
from kpi.settings import StoreSettings


def run_demo(args: argparse.Namespace) -> int:
    from connectors.emulator.demo_shop import build_demo_shop
    from connectors.emulator.server import serve_emulator
    from connectors.warehouse import open_database

    console = Console()
    started = time.perf_counter()
    store = demo_store(args.lang)
    as_of = args.as_of or today_in(store.timezone)
    db_path = Path(args.db)
    out = db_path.parent
    console.rule(f"[bold]kpibot demo[/] · {store.name} · {as_of}")
    with serve_emulator(build_demo_shop(as_of, args.days)) as emulator:
        console.print(f"GA4 emulator running on {emulator.url} ({args.days} days of a demo shop).")
        db = open_database(db_path)
        sync_demo(db, emulator.url, store, as_of, args.days)
    show_summary(console, db, store)
    for step in demo_steps():
        step(console, db, store, as_of, out)
    console.print(f"\nDone in {time.perf_counter() - started:.1f} s. Outputs are in [bold]{out}/[/].")
    console.print(f"Try next: [bold].venv/bin/kpibot ask \"fatturato mtd by channel\" --config {out}/kpibot.toml"
                  f" --as-of {as_of}[/]")
    return 0


def sync_demo(db: Database, url: str, store: StoreSettings, as_of: date, days: int) -> None:
    from datetime import timedelta

    from connectors.ga4_client import build_client
    from connectors.ga4_sync import sync_store

    client = build_client({"KPIBOT_GA4_ENDPOINT": url})
    with sync_progress(store.name) as progress:
        result = sync_store(db, client, store.name, store.ga4_property, as_of - timedelta(days=days),
                            as_of - timedelta(days=1), clock=lambda: datetime.now(UTC), progress=progress)
    print(f"Synced {result.rows} rows in {result.requests} GA4 requests.")


def show_summary(console: Console, db: Database, store: StoreSettings) -> None:
    from bot.formatting import format_value

    row = db.execute("SELECT MIN(date), MAX(date), SUM(sessions), SUM(orders), SUM(revenue) "
                     "FROM ga4_sessions WHERE store = ?", [store.name]).fetchone()
    first, last, sessions, orders, revenue = row
    console.print(f"Stored {first} to {last}: {format_value(sessions, 'count', store.currency, store.language)} "
                  f"sessions, {format_value(orders, 'count', store.currency, store.language)} orders, "
                  f"{format_value(revenue, 'currency', store.currency, store.language)} revenue.")


def demo_steps() -> list:  # type: ignore[type-arg]
    """The parts of the demo after the sync; later issues add the digest and alerts."""
    return []
