"""A Shopify backfill of 100,000 orders (300,000 line items) through the emulator, then an
incremental sync after 500 of them changed.

The emulator runs in its own process, so the peak memory printed is the sync's alone.
Its bulk operations answer RUNNING to the first two polls, so the client's 1 s and 2 s
pauses are in the wall time. Figures to reach: backfill <= 10 GraphQL requests, <= 60 s,
<= 500 MB; incremental with 500 changed orders <= 3 requests.
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

ORDERS = 100_000
LINES_PER_ORDER = 3
CHANGED = 500
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def emulator_process(pipe: Connection) -> None:
    from connectors.demo.shop_orders import synthetic_orders
    from connectors.emulation.shop_model import refund
    from connectors.shopify.emulator.server import serve_shopify
    from connectors.shopify.emulator.state import ShopifyEmulatorState

    orders = synthetic_orders(ORDERS, NOW - timedelta(days=400), LINES_PER_ORDER)
    state = ShopifyEmulatorState(orders, clock=time.monotonic, bulk_polls_running=2)
    with serve_shopify(state) as running:
        pipe.send(running.url)
        while (command := pipe.recv()) != "stop":
            assert command == "change"
            state.bulk_polls_running = 0
            for order in orders[:CHANGED]:
                refund(order, 1.0, NOW + timedelta(hours=1))
            pipe.send(state.requests)
        pipe.send(state.requests)


def main() -> None:
    parent, child = multiprocessing.Pipe()
    emulator = multiprocessing.get_context("spawn").Process(target=emulator_process, args=(child,), daemon=True)
    emulator.start()
    url = parent.recv()

    from connectors.ga4.fetch import RetryPolicy
    from connectors.orders.shop_store import Destination
    from connectors.shopify.client import ShopifyAccess, ShopifyClient
    from connectors.shopify.sync import sync_shopify
    from connectors.warehouse import open_database

    def client() -> ShopifyClient:
        return ShopifyClient(ShopifyAccess("bench", "bench.myshopify.com", url, "emulator-token", "TOKEN"),
                             RetryPolicy())

    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "bench.db")
        to = Destination.of(db, "bench", "shopify", "Europe/Rome", "EUR")
        backfill_client = client()
        started, cpu = time.perf_counter(), time.process_time()
        backfill = sync_shopify(db, backfill_client, to, now=NOW)
        backfill_time, backfill_cpu = time.perf_counter() - started, time.process_time() - cpu
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stored = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        lines = db.execute("SELECT COUNT(*) FROM order_lines").fetchone()[0]
        parent.send("change")
        parent.recv()
        started = time.perf_counter()
        incremental = sync_shopify(db, client(), to, now=NOW + timedelta(days=1))
        incremental_time = time.perf_counter() - started
        parent.send("stop")
        emulator_requests = parent.recv()
    emulator.join(timeout=10)
    print(f"bench_shop: Shopify backfill of {ORDERS:,} orders with {ORDERS * LINES_PER_ORDER:,} line items")
    print(f"  GraphQL requests  {backfill.requests} (target <= 10), downloads {backfill_client.downloads}")
    print(f"  stored            {stored:,} orders, {lines:,} line items")
    print(f"  wall time         {backfill_time:.1f} s (target <= 60 s), {stored / backfill_time:,.0f} orders/s")
    print(f"  CPU time          {backfill_cpu:.1f} s in the syncing process (the rest is the emulator and I/O)")
    print(f"  peak RSS          {peak_mb:.0f} MB for the syncing process (target <= 500 MB)")
    print(f"incremental sync after {CHANGED} orders changed")
    print(f"  GraphQL requests  {incremental.requests} (target <= 3), {incremental.orders} orders read")
    print(f"  wall time         {incremental_time:.2f} s")
    print(f"  the emulator answered {emulator_requests} GraphQL requests in all")
    assert stored == ORDERS and lines == ORDERS * LINES_PER_ORDER and incremental.orders == CHANGED


if __name__ == "__main__":
    main()
