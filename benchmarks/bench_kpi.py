"""KPI engine speed on 3 years of demo data.

Prints `ask` latency in-process (p50/p95 over a mix of 20 queries; target p95 < 50 ms),
the cold `kpibot ask` CLI wall time (target < 1.5 s) and a full `anomalies` backtest of
every watched KPI over 3 years (target < 10 s).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.cli.demo.store import demo_store
from connectors.demo.shop import build_demo_shop
from connectors.ga4.client import build_client
from connectors.ga4.emulator.server import serve_emulator
from connectors.ga4.sync import sync_store
from connectors.warehouse import open_database
from kpi.anomalies.detect import detect
from kpi.answer import Period
from kpi.query.parser import Query, parse
from kpi.service import answer

AS_OF = date(2026, 11, 24)
DAYS = 3 * 365 + 1
QUERIES = [
    "aov last-30d", "revenue last-7d by channel", "cvr yesterday vs ly", "revenue mtd vs ly", "sessions ytd",
    "orders last-90d by device", "email_revenue_share last-30d", "roas last-month by channel",
    "cpc last-30d by campaign", "bounce_rate last-week by device", "revenue 2025-11 vs ly",
    "aov qtd by visitor", "users last-30d", "checkout_abandonment last-7d vs ly", "mobile_share ytd",
    "revenue_per_session last-30d by channel", "cpo last-90d", "revenue 2024-01-01..2026-10-31",
    "cvr last-365d by channel", "ad_cost ytd vs ly by campaign",
]


def build(folder: Path) -> Path:
    path = folder / "bench.db"
    db = open_database(path)
    with serve_emulator(build_demo_shop(AS_OF, DAYS)) as emulator:
        sync_store(db, build_client({"KPIBOT_GA4_ENDPOINT": emulator.url}), "demo-shop", "100000001",
                   AS_OF - timedelta(days=DAYS), AS_OF - timedelta(days=1), clock=lambda: datetime.now(UTC))
    return path


def in_process(path: Path) -> list[float]:
    db = open_database(path)
    store = demo_store()
    queries = [parse(text) for text in QUERIES]
    timings = []
    for _ in range(5):
        for query in queries:
            assert isinstance(query, Query)
            started = time.perf_counter()
            answer(db, store, query, AS_OF)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def cold_cli(path: Path) -> float:
    config = path.parent / "kpibot.toml"
    config.write_text(f'[kpibot]\ndatabase = "{path.name}"\n[[stores]]\nname = "demo-shop"\n'
                      'ga4_property = "100000001"\n')
    kpibot = Path(sys.executable).with_name("kpibot")
    started = time.perf_counter()
    subprocess.run([str(kpibot), "--config", str(config), "ask", "aov last-30d by channel", "--json",
                    "--as-of", AS_OF.isoformat()], check=True, capture_output=True)
    return time.perf_counter() - started


def backtest(path: Path) -> tuple[float, int]:
    db = open_database(path)
    started = time.perf_counter()
    found = detect(db, demo_store(), AS_OF, period=Period(AS_OF - timedelta(days=DAYS - 90), AS_OF - timedelta(days=3)))
    return time.perf_counter() - started, len(found)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder))
        timings = in_process(path)
        cold = cold_cli(path)
        seconds, flagged = backtest(path)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"bench_kpi: {DAYS} days of demo data, {len(QUERIES)} queries x 5")
    print(f"  ask in-process  p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms (target p95 < 50 ms)")
    print(f"  cold CLI ask    {cold:.2f} s (target < 1.5 s)")
    print(f"  anomalies backtest, every watched KPI, ~3 years: {seconds:.2f} s, {flagged} days flagged "
          "(target < 10 s)")


if __name__ == "__main__":
    main()
