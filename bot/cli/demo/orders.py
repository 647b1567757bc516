"""The demo's shop orders: the demo shop served by the built-in Shopify emulator, synced through the
real Shopify client exactly as `kpibot sync` pulls a live store (one bulk operation, then its JSONL, the
first time; the orders updated since, on a later run).

The Shopify sync runs in a forked process while the demo syncs GA4, so the two syncs share the
machine's two cores instead of taking turns; where forking is not safe (macOS, Windows) it runs
after GA4's, in this process. Each process writes through its own connection, in short
transactions, as `kpibot sync` and `kpibot serve` do.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from rich.console import Console

from bot.cli.shop_sources import sync_shop_source
from bot.render.sections import tracking_line
from bot.render.terminal import print_slack_text
from connectors.demo.shop import PLANTED_ANOMALIES, DemoShop
from connectors.demo.shop_orders import demo_shop_orders
from connectors.shopify.emulator.server import serve_shopify
from connectors.shopify.emulator.state import ShopifyEmulatorState
from connectors.warehouse import Warehouse, open_database
from kpi.orders.tracking import tracking_check
from kpi.settings import StoreSettings


class DemoOrdersFailed(Exception):
    exit_code = 1


def sync_demo_orders(db_path: Path, shop: DemoShop, store: StoreSettings) -> str:
    """Serve the demo shop's orders as a Shopify store and sync them; what was synced, in one line."""
    assert store.shopify is not None, "the demo store is a Shopify store"
    db = open_database(db_path)
    try:
        state = ShopifyEmulatorState(demo_shop_orders(shop))
        with serve_shopify(state) as running:
            environ = {"KPIBOT_SHOPIFY_ENDPOINT": running.url, store.shopify.token_env: state.token}
            result = sync_shop_source(db, store, "shopify", environ, datetime.now(UTC))
    finally:
        db.close()
    how = "and one download (a bulk export)" if result.mode == "backfill" else "(the orders updated lately)"
    return (f"Shopify emulator on {running.url}: synced {result.orders} orders and {result.lines} line items "
            f"in {result.requests} GraphQL requests {how}.")


class OrdersSync:
    """The demo's Shopify sync, running beside GA4's (or, without fork, waiting to run)."""

    def __init__(self, shop: DemoShop, store: StoreSettings, db_path: Path) -> None:
        self.shop, self.store, self.db_path = shop, store, db_path
        self.process: multiprocessing.process.BaseProcess | None = None
        self.answer: Connection | None = None

    def start(self) -> None:
        if sys.platform != "linux":
            return
        context = multiprocessing.get_context("fork")
        self.answer, child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=self._child, args=(child_end,), name="demo-shopify-sync", daemon=True)
        self.process.start()
        child_end.close()

    def _child(self, answer: Connection) -> None:
        try:
            answer.send((True, sync_demo_orders(self.db_path, self.shop, self.store)))
        except BaseException as error:  # noqa: BLE001 - whatever went wrong is said by the parent
            answer.send((False, f"{type(error).__name__}: {error}"))
        finally:
            answer.close()

    def wait(self) -> str:
        """The sync's line, once it has finished (run here and now without a forked process)."""
        if self.process is None or self.answer is None:
            return sync_demo_orders(self.db_path, self.shop, self.store)
        try:
            ok, text = self.answer.recv()
        except EOFError:
            ok, text = False, f"the process syncing them ended with code {self.process.exitcode}"
        self.process.join()
        if not ok:
            raise DemoOrdersFailed(f"the demo could not sync its shop's orders from the Shopify emulator: {text}")
        return str(text)

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()


@contextmanager
def orders_alongside(shop: DemoShop, store: StoreSettings, db_path: Path) -> Iterator[OrdersSync]:
    """Start the demo's Shopify sync beside whatever the block does; ``wait()`` for its line."""
    open_database(db_path).close()  # create and migrate the file once, before two processes share it
    sync = OrdersSync(shop, store, db_path)
    sync.start()
    try:
        yield sync
    finally:
        sync.stop()


def show_tracking_outage(console: Console, db: Warehouse, store: StoreSettings, as_of: date, out: Path) -> None:
    """What the shop's orders say on the day of the planted tracking outage: the line that day's digest had."""

    for planted in PLANTED_ANOMALIES:
        if planted.name == "tracking_outage":
            for day in planted.dates(as_of):
                check = tracking_check(db, store, day)
                console.print(f"[bold]{planted.name}[/] {day}, seen from the shop's own orders:")
                print_slack_text(console, "   " + tracking_line(check, store.language))
