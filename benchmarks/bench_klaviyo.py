"""Klaviyo at scale: a 3-year backfill of 20 flows and 300 campaigns under Klaviyo's report limits.

The emulator enforces 1 request/s, 2/min and 225/day per report endpoint on a simulated
clock that the client's pacer sleeps on, so the run takes seconds while the clock shows
how long it would take against Klaviyo. Prints the requests, the simulated and the real
wall time, and the budget a backfill and a daily run use against the 225 a day.
"""

from __future__ import annotations

import math
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from connectors.demo.shop import build_demo_shop
from connectors.klaviyo.client import KlaviyoClient
from connectors.klaviyo.demo import build_klaviyo_demo
from connectors.klaviyo.emulator import KlaviyoState, serve_klaviyo
from connectors.klaviyo.sync import DAILY_BUDGET, sync_klaviyo
from connectors.pacing import Pacer, RetryPolicy, SimClock
from connectors.warehouse import open_database
from kpi.settings import KlaviyoSettings, StoreSettings

AS_OF = date(2026, 11, 24)
DAYS, FLOWS, CAMPAIGNS = 3 * 365, 20, 300
STORE = StoreSettings("big-shop", "1", klaviyo=KlaviyoSettings("KLAVIYO_KEY"))
KLAVIYO_DAILY = 225


def build_account() -> KlaviyoState:
    demo = build_klaviyo_demo(build_demo_shop(AS_OF, DAYS + 5), flows=FLOWS, campaigns_per_month=(6, 3))
    picks = np.linspace(0, len(demo.campaigns) - 1, CAMPAIGNS).round().astype(int)
    demo.campaigns = demo.campaigns.iloc[np.unique(picks)].reset_index(drop=True)
    return KlaviyoState(demo)


def run(state: KlaviyoState, db_path: Path, clock: SimClock, as_of: date, since: date | None) -> tuple[float, float]:
    with serve_klaviyo(state) as url:
        client = KlaviyoClient("pk_bench", url, pacer=Pacer(clock=clock, sleep=clock.sleep),
                               retry=RetryPolicy(sleep=clock.sleep))
        started_sim, started = clock(), time.perf_counter()
        now = datetime.combine(as_of, datetime.min.time(), UTC) + timedelta(hours=6)
        result = sync_klaviyo(open_database(db_path), client, STORE, as_of, now=lambda: now, since=since)
        real = time.perf_counter() - started
    assert result.paused is None, result.paused
    print(f"  {result.windows} report windows, {result.report_requests} report requests, "
          f"{result.requests} requests in all, {result.rows:,} rows")
    return clock() - started_sim, real


def worst_day(state: KlaviyoState) -> int:
    """The most requests any one report endpoint got in any 24 hours."""
    return max(max(sum(1 for h in limiter.allowed if start <= h < start + 86_400) for start in limiter.allowed)
               for limiter in state.limits.values())


def main() -> None:
    print(f"Klaviyo backfill: {DAYS} days, {FLOWS} flows, {CAMPAIGNS} campaigns; limits 1/s, 2/min, "
          f"{KLAVIYO_DAILY}/day per report endpoint (simulated clock)")
    state = build_account()
    state.clock = clock = SimClock(1_000_000.0)
    messages = state.data.flow_days.groupby(["flow_id", "message_id", "send_channel"]).ngroups
    print(f"  account: {len(state.data.flows)} flows, {messages} flow messages, {len(state.data.campaigns)} campaigns")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        simulated, real = run(state, path, clock, AS_OF, AS_OF - timedelta(days=DAYS))
        print(f"  backfill: simulated wall time {simulated / 60:.1f} min, real {real:.1f} s; "
              f"429s: {sum(limiter.refused for limiter in state.limits.values())}")
        backfill_worst = worst_day(state)
        clock.sleep(86_400)
        state.limits.clear()
        simulated, real = run(state, path, clock, AS_OF + timedelta(days=1), None)
        daily = sum(len(limiter.allowed) for limiter in state.limits.values())
        print(f"  next daily run: {daily} report requests, simulated {simulated:.0f} s, real {real:.2f} s")
    flow_windows, campaign_windows = math.ceil(DAYS / 60), math.ceil(DAYS / 365)
    print(f"  plan: {flow_windows} flow windows (60 days) + {campaign_windows} campaign windows (1 year) = "
          f"{flow_windows + campaign_windows} requests plus pages")
    print(f"  busiest endpoint-day during the backfill: {backfill_worst} of {KLAVIYO_DAILY} "
          f"(kpibot stops itself at {DAILY_BUDGET}); a daily run: {daily} — the budget fits")


if __name__ == "__main__":
    main()
