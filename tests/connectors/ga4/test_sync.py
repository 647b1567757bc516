"""The GA4 connector against the emulator, through the official client over HTTP."""

from __future__ import annotations

import signal
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache

import pandas as pd
import pytest

from connectors.demo.shop import DemoShop
from connectors.ga4.fetch import Ga4AccessError
from connectors.ga4.sync import plan_range
from connectors.ga4.sync_log import last_runs
from connectors.warehouse import open_database
from tests.support.engines import ENGINES, warehouse_on
from tests.support.ga4 import AS_OF, STORE, demo_frames, demo_shop, emulator, sync_all
from tests.support.storage import kill_at

# Two months: every channel, device and campaign, and room for the overlapping ranges below.
DAYS = 60
START, END = AS_OF - timedelta(days=DAYS), AS_OF - timedelta(days=1)
THREE_YEARS = 1096


def table(db, name: str) -> pd.DataFrame:
    frame = pd.DataFrame(list(db.query(f"SELECT * FROM {name}")))
    return frame.sort_values(list(frame.columns[:5])).reset_index(drop=True)


@pytest.fixture(params=ENGINES)
def synced(request, tmp_path):
    with warehouse_on(request.param, tmp_path) as db, emulator(demo_shop()) as (running, client):
        result = sync_all(db, client, START, END)
        yield db, result, running, client


def test_synced_range_equals_independent_sums_by_day_and_channel(synced):
    db, result, _, _ = synced
    raw = demo_frames()["sessions"]
    raw = raw[(raw["date"] >= START.isoformat()) & (raw["date"] <= END.isoformat())]
    stored = table(db, "ga4_sessions")
    for keys in (["date"], ["channel"], ["date", "channel"]):
        expected = raw.groupby(keys)[["sessions", "orders", "revenue", "checkouts"]].sum()
        got = stored.groupby(keys)[["sessions", "orders", "revenue", "checkouts"]].sum()
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9)
    users = demo_frames()["users"].set_index("date").loc[START.isoformat():END.isoformat(), "total_users"]
    assert table(db, "ga4_users").set_index("date")["total_users"].tolist() == users.tolist()
    assert result.ok and result.rows == len(stored) + len(users) + len(table(db, "ga4_ads"))


def test_syncing_twice_or_overlapping_ranges_leaves_identical_tables(synced):
    db, _, _, client = synced
    before = {name: table(db, name) for name in ("ga4_sessions", "ga4_users", "ga4_ads")}
    sync_all(db, client, START, END)
    sync_all(db, client, START + timedelta(days=30), END - timedelta(days=10))
    sync_all(db, client, START - timedelta(days=5), START + timedelta(days=40))
    for name, frame in before.items():
        after = table(db, name)
        after = after[after["date"] >= START.isoformat()].reset_index(drop=True)
        pd.testing.assert_frame_equal(after, frame)


def test_429_and_503_are_retried_and_the_sync_succeeds():
    db = open_database()
    with emulator(demo_shop()) as (running, client):
        running.state.inject(429, 2)
        running.state.inject(503, 2)
        result = sync_all(db, client, START, END)
    assert result.ok
    assert result.requests == 3 + 4  # three reports in one chunk each, plus four refused attempts
    assert db.execute("SELECT COUNT(DISTINCT date) FROM ga4_sessions").fetchone()[0] == DAYS


def test_a_400_on_one_report_leaves_the_others_synced_with_the_api_message():
    db = open_database()
    with emulator(demo_shop()) as (running, client):
        running.state.invalid_fields.add("advertiserAdCost")
        result = sync_all(db, client, START, END)
    assert "advertiserAdCost is not a valid metric" in result.errors["ads"]
    assert db.execute("SELECT COUNT(*) FROM ga4_ads").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(DISTINCT date) FROM ga4_users").fetchone()[0] == DAYS
    assert "ads" in last_runs(db, STORE)[0]["error"]


def test_a_403_names_the_property_and_the_service_account(tmp_path):
    db = open_database()
    with emulator(demo_shop(), property_id="999") as (_, client):
        with pytest.raises(Ga4AccessError) as error:
            sync_all(db, client, START, END, service_account="kpibot@shop.iam.gserviceaccount.com")
    assert "100000001" in str(error.value) and "kpibot@shop.iam.gserviceaccount.com" in str(error.value)
    assert last_runs(db, STORE)[0]["error"]


@lru_cache(maxsize=1)
def three_thin_years() -> DemoShop:
    """Three years of the demo shop with one sessions row and one ad row a day.

    How many requests a backfill takes depends on its days (chunks of up to 400) and on
    rows per page (250,000): a year of the full shop, 19,200 sessions rows, fits one page
    as a year of this one does, and parsing 52,000 rows would only spend time.
    """
    shop = demo_shop(AS_OF, days=1100)  # the Klaviyo tests' three years: one build serves both
    sessions = shop.sessions
    one = ((sessions["sessionDefaultChannelGroup"] == "Direct") & (sessions["deviceCategory"] == "desktop")
           & (sessions["newVsReturning"] == "new"))
    ads = shop.ads[shop.ads["sessionCampaignName"] == "brand"]
    return replace(shop, sessions=sessions[one].reset_index(drop=True), ads=ads.reset_index(drop=True))


def test_a_three_year_backfill_uses_few_requests():
    db = open_database()
    with emulator(three_thin_years()) as (running, client):
        result = sync_all(db, client, AS_OF - timedelta(days=THREE_YEARS), AS_OF - timedelta(days=1))
    assert running.state.requests == result.requests <= 9
    assert db.execute("SELECT COUNT(DISTINCT date) FROM ga4_sessions").fetchone()[0] == THREE_YEARS


def test_incremental_runs_repull_the_trailing_three_days(synced):
    db, _, _, _ = synced
    assert plan_range(db, STORE, AS_OF + timedelta(days=1)) == (END - timedelta(days=2), AS_OF)


def test_a_killed_sync_rerun_ends_with_the_same_tables(tmp_path):
    """A process killed after its first chunk, then re-run, converges to an uninterrupted run."""
    days = 60  # two months hold every kind of row; the kill is what is tested, not the volume
    start, end = AS_OF - timedelta(days=days), AS_OF - timedelta(days=1)
    reference = open_database()
    shop = demo_shop(AS_OF, days=days)
    killed_db = tmp_path / "killed.db"
    with emulator(shop) as (running, client):
        sync_all(reference, client, start, end)
        # SIGKILL once the first chunk has advanced its sync state, before that transaction commits
        process = kill_at(killed_db, [r"^\s*INSERT INTO sync_state\b", r"^\s*COMMIT"], "sync", running.url,
                          start.isoformat(), end.isoformat())
        assert process.returncode == -signal.SIGKILL, process.stderr
        db = open_database(killed_db)
        assert db.execute("SELECT COUNT(*) FROM ga4_users").fetchone()[0] == 0  # only the first report got in
        sync_all(db, client, start, end)
    for name in ("ga4_sessions", "ga4_users", "ga4_ads"):
        pd.testing.assert_frame_equal(table(db, name), table(reference, name))


def test_a_nearly_spent_hourly_quota_stops_the_sync_and_keeps_what_was_stored():
    from connectors.ga4.fetch import Ga4QuotaLow

    db = open_database()
    with emulator(three_thin_years()) as (running, client):
        running.state.tokens_used = 39_990  # the emulator's hourly allowance is 40,000 tokens
        with pytest.raises(Ga4QuotaLow, match="tokens left this hour"):
            sync_all(db, client, AS_OF - timedelta(days=THREE_YEARS), AS_OF - timedelta(days=1))
        assert running.state.requests == 1
    assert db.execute("SELECT COUNT(DISTINCT date) FROM ga4_sessions").fetchone()[0] == 400
