"""Backfill 3 years of the demo shop through the GA4 emulator with the official client.

Prints requests made, rows stored, wall time, rows per second and peak memory (RSS).
Figures to reach: at most 12 requests for the three reports, under 10 s, under 300 MB.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from connectors.demo.shop import build_demo_shop
from connectors.ga4.client import build_client
from connectors.ga4.emulator.server import serve_emulator
from connectors.ga4.sync import sync_store
from connectors.warehouse import open_database

DAYS = 3 * 365 + 1


def main() -> None:
    as_of = date(2026, 11, 24)
    shop = build_demo_shop(as_of, DAYS)  # the emulator's own data, built before the clock starts
    with tempfile.TemporaryDirectory() as folder, serve_emulator(shop) as emulator:
        db = open_database(Path(folder) / "bench.db")
        client = build_client({"KPIBOT_GA4_ENDPOINT": emulator.url})
        started = time.perf_counter()
        result = sync_store(db, client, "demo-shop", "100000001", as_of - timedelta(days=DAYS),
                            as_of - timedelta(days=1), clock=lambda: datetime.now(UTC))
        elapsed = time.perf_counter() - started
        stored = sum(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("ga4_sessions", "ga4_users", "ga4_ads"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench_sync: {DAYS} days backfilled")
    print(f"  requests      {emulator.state.requests} (target <= 12)")
    print(f"  rows stored   {stored}")
    print(f"  wall time     {elapsed:.2f} s (target < 10 s)")
    print(f"  rows/s        {stored / elapsed:,.0f}")
    print(f"  peak RSS      {peak_mb:.0f} MB for the whole process, emulator included (target < 300 MB)")
    assert result.ok


if __name__ == "__main__":
    main()
