"""Orders at scale: a 1,000,000-order generic CSV (200,000 customers, 3 years).

Prints import wall time and peak memory (targets: under 30 s, under 1 GB) and the p95
latency of repurchase_rate, ltv, aov_new and `customers by segment` over the whole range
(target: under 500 ms each).
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from connectors.orders.importer import import_file
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import breakdown, metric_value
from kpi.settings import StoreSettings

ORDERS, CUSTOMERS, DAYS = 1_000_000, 200_000, 3 * 365
START = date(2023, 11, 24)
STORE = StoreSettings(name="big-shop", ga4_property="1")


def write_csv(path: Path) -> None:
    rng = np.random.default_rng(1)
    customers = rng.zipf(1.3, ORDERS) % CUSTOMERS
    days = np.sort(rng.integers(0, DAYS, ORDERS))
    seconds = rng.integers(0, 86_400, ORDERS)
    totals = np.round(rng.gamma(2.5, 32.0, ORDERS), 2)
    stamps = (np.datetime64(START.isoformat()) + days.astype("timedelta64[D]")).astype("datetime64[s]") + seconds
    with path.open("w") as handle:
        handle.write("order_id,customer_id,created_at,total\n")
        for i in range(ORDERS):
            handle.write(f"O{i},C{customers[i]},{stamps[i]}+01:00,{totals[i]}\n")


def timed(run, repeat: int = 10, offset: int = 0) -> float:  # type: ignore[no-untyped-def]
    """p95 over ``repeat`` different periods, so no answer comes from the per-query cache."""
    timings = []
    for shift in range(repeat):
        period = Period(START + timedelta(days=offset), date(2026, 11, 23) - timedelta(days=shift))
        started = time.perf_counter()
        run(period)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(timings, n=20)[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "orders.csv"
        write_csv(csv)
        db = open_database(Path(folder) / "orders.db")
        started = time.perf_counter()
        result = import_file(db, csv, STORE.name, STORE.timezone, STORE.currency)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        whole = Period(START, date(2026, 11, 23))
        print(f"bench_orders: {ORDERS:,} orders, {CUSTOMERS:,} customer ids, {DAYS} days")
        print(f"  import         {seconds:.1f} s (target < 30 s), {result.counts.inserted:,} orders stored")
        print(f"  peak RSS       {peak:.0f} MB (target < 1 GB)")
        started = time.perf_counter()
        metric_value(db, STORE, BY_NAME["customers"], whole)  # the first query loads the orders once
        print(f"  first query    {(time.perf_counter() - started) * 1000:.0f} ms (loads the orders; cached after)")
        for offset, name in enumerate(("repurchase_rate", "ltv", "aov_new")):
            p95 = timed(lambda period, name=name: metric_value(db, STORE, BY_NAME[name], period), offset=offset)
            print(f"  {name:16s}p95 {p95:6.1f} ms (target < 500 ms)")
        p95 = timed(lambda period: breakdown(db, STORE, BY_NAME["customers"], period, "segment"))
        print(f"  by segment      p95 {p95:6.1f} ms (target < 500 ms)")


if __name__ == "__main__":
    main()
