"""Klaviyo end to end: the real client against the emulator over HTTP, into a real warehouse.

Expectations are pandas sums over the emulator's own rows, never numbers from the code.
"""

from __future__ import annotations

import math
import signal
from datetime import date, timedelta

import pytest

from connectors.klaviyo.client import KlaviyoAuthError, KlaviyoUnavailable
from connectors.klaviyo.reports import STATISTICS
from connectors.klaviyo.sync import DAILY_BUDGET, sync_klaviyo
from connectors.source_state import read_state
from connectors.warehouse import open_database
from tests.support import forked
from tests.support.engines import ENGINES, warehouse_on
from tests.support.ga4 import AS_OF
from tests.support.marketing import (
    KLAVIYO,
    STORE,
    Recorder,
    fixed_now,
    in_period,
    klaviyo_client,
    klaviyo_demo,
    klaviyo_emulator,
)

PERIODS = [(AS_OF - timedelta(days=7), AS_OF - timedelta(days=1)), (date(2026, 10, 1), date(2026, 10, 31)),
           (date(2026, 3, 15), date(2026, 6, 12)), (AS_OF - timedelta(days=400), AS_OF - timedelta(days=1))]


def sync(db, url, recorder=None, as_of=AS_OF, **options):
    client = klaviyo_client(url, recorder or Recorder())
    return sync_klaviyo(db, client, KLAVIYO, as_of, now=fixed_now, **options), client


def assert_sums_match(db, frame, source, by, start, end, statistics=STATISTICS):
    raw = in_period(frame, start, end)
    for name in statistics:
        stored = db.sums(STORE, source, name, start, end, by=by)
        expected = raw.groupby(by)[name].sum()
        expected = {str(k): float(v) for k, v in expected.items() if v or str(k) in stored}
        assert stored == pytest.approx(expected), (source, name, start, end)


@pytest.fixture(scope="module", params=ENGINES)
def synced(request, tmp_path_factory):
    with warehouse_on(request.param, tmp_path_factory.mktemp("klaviyo")) as db:
        yield from _synced(db)


def _synced(db):
    demo = klaviyo_demo()
    with klaviyo_emulator(demo) as (url, state):
        result, client = sync(db, url)
    yield db, demo, state, result, client


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_stored_flow_days_equal_the_emulator_rows_by_flow_and_channel(synced, start, end):
    db, demo, *_ = synced
    assert_sums_match(db, demo.flow_days, "klaviyo_flows", "flow_id", start, end)
    assert_sums_match(db, demo.flow_days, "klaviyo_flows", "send_channel", start, end)


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_stored_campaign_days_equal_the_emulator_rows_by_campaign(synced, start, end):
    db, demo, *_ = synced
    campaigns = demo.campaigns.rename(columns={"channel": "send_channel"})
    assert_sums_match(db, campaigns, "klaviyo_campaigns", "campaign_id", start, end)
    assert_sums_match(db, campaigns, "klaviyo_campaigns", "send_channel", start, end)


def test_each_campaign_is_on_its_local_send_day(synced):
    db, demo, *_ = synced
    stored = dict(db.execute("SELECT campaign_id, date FROM klaviyo_campaign_days").fetchall())
    assert stored == dict(zip(demo.campaigns["campaign_id"], demo.campaigns["date"], strict=True))
    utc_days = demo.campaigns["send_time"].str[:10]
    assert (utc_days != demo.campaigns["date"]).any()  # midnight SMS: the UTC day is the day before


def test_the_backfill_uses_the_largest_windows_and_records_its_state(synced):
    db, _, state, result, client = synced
    flow_windows, campaign_windows = math.ceil(400 / 60), math.ceil(400 / 365)
    assert state.requests["/api/flow-series-reports/"] == flow_windows
    assert state.requests["/api/campaign-values-reports/"] == campaign_windows
    assert client.report_requests == flow_windows + campaign_windows == result.windows
    for report in ("flow_series", "campaign_values"):
        assert read_state(db, STORE, "klaviyo", report).synced_through == AS_OF - timedelta(days=1)
    roles = dict(db.execute("SELECT name, role FROM klaviyo_flows WHERE role IS NOT NULL").fetchall())
    assert roles == {"Serie di benvenuto": "welcome", "Carrello abbandonato": "abandoned_cart",
                     "Post-acquisto": "post_purchase", "Riattivazione clienti": "winback"}


def test_a_daily_run_costs_two_report_requests_and_converges(tmp_path):
    demo = klaviyo_demo()
    first, second = open_database(tmp_path / "a.db"), open_database(tmp_path / "b.db")
    with klaviyo_emulator(demo) as (url, state):
        sync(first, url)
        before = dict(state.requests)
        result, _ = sync(first, url, as_of=AS_OF + timedelta(days=1))
        assert result.report_requests == 2
        assert sum(state.requests.values()) - sum(before.values()) == 2 + 1 + 1 + 2  # reports, flows, metrics, lists
        sync(second, url, as_of=AS_OF + timedelta(days=1), since=AS_OF - timedelta(days=400))
    for table in ("klaviyo_flow_days", "klaviyo_campaign_days"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5"
        assert first.execute(query).fetchall() == second.execute(query).fetchall()


def test_a_short_retry_after_is_waited_out_through_the_injected_sleep(tmp_path):
    db, recorder = open_database(tmp_path / "k.db"), Recorder()
    with klaviyo_emulator() as (url, state):
        state.inject(429, retry_after=30)
        result, _ = sync(db, url, recorder, since=AS_OF - timedelta(days=20))
        assert state.requests["/api/flow-series-reports/"] == 2  # the refused one, then the retry
    assert recorder.retry_sleeps == [30.0]
    assert result.paused is None and result.windows == 2


def test_the_daily_budget_pauses_klaviyo_and_a_later_run_resumes(tmp_path):
    demo, recorder = klaviyo_demo(), Recorder()
    db, clean = open_database(tmp_path / "k.db"), open_database(tmp_path / "clean.db")
    with klaviyo_emulator(demo, clock=recorder.clock, windows=((1.0, 1), (60.0, 2), (86_400.0, 4))) as (url, _):
        paused, _ = sync(db, url, recorder)
        assert paused.paused and "retry after" in paused.paused and paused.windows == 4
        resume = read_state(db, STORE, "klaviyo", "flow_series").resume_after
        assert resume is not None and resume - fixed_now() > timedelta(hours=20)
        again, client = sync(db, url, recorder)  # the same day: nothing is asked of Klaviyo
        assert again.paused and client.requests == 0
        recorder.clock.sleep(86_400)
        client = klaviyo_client(url, recorder)
        later = sync_klaviyo(db, client, KLAVIYO, AS_OF, now=lambda: fixed_now() + timedelta(days=1))
        assert later.paused is None and read_state(db, STORE, "klaviyo", "flow_series").resume_after is None
    assert recorder.retry_sleeps == []  # a budget measured in hours is never slept on
    with klaviyo_emulator(demo) as (url, _):
        sync(clean, url)
    for table in ("klaviyo_flow_days", "klaviyo_campaign_days"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5"
        assert db.execute(query).fetchall() == clean.execute(query).fetchall()


def test_kpibots_own_budget_stops_before_klaviyos(tmp_path):
    from connectors.klaviyo.store import record_requests

    db = open_database(tmp_path / "k.db")
    record_requests(db, STORE, "flow_series", fixed_now(), DAILY_BUDGET)
    with klaviyo_emulator() as (url, state):
        result, client = sync(db, url)
    assert result.paused and "kpibot's daily Klaviyo budget" in result.paused
    assert client.report_requests == 0 and state.requests["/api/flow-series-reports/"] == 0


def test_a_three_year_backfill_of_20_flows_stays_inside_the_daily_budget(tmp_path):
    demo, recorder = klaviyo_demo(days=1100, flows=20, per_month=(6, 3)), Recorder()
    db = open_database(tmp_path / "k.db")
    since = AS_OF - timedelta(days=3 * 365)
    with klaviyo_emulator(demo, clock=recorder.clock) as (url, state):
        result, client = sync(db, url, recorder, since=since)
        limiters = dict(state.limits)
        served = state.requests["/api/flow-series-reports/"] + state.requests["/api/campaign-values-reports/"]
    assert result.paused is None and recorder.retry_sleeps == []
    assert all(limiter.refused == 0 for limiter in limiters.values())  # not one 429
    for limiter in limiters.values():
        hits = limiter.allowed
        worst_day = max(sum(1 for h in hits if start <= h < start + 86_400) for start in hits)
        assert worst_day <= DAILY_BUDGET < 225
    flow_windows, campaign_windows = math.ceil(3 * 365 / 60), math.ceil(3 * 365 / 365)
    assert client.report_requests == served <= flow_windows + 2 * campaign_windows  # a campaign window may page once
    assert len(demo.flows) == 20 and len(demo.campaigns) >= 300
    assert_sums_match(db, demo.flow_days, "klaviyo_flows", "flow_id", since, AS_OF - timedelta(days=1))


def test_a_renamed_flow_keeps_its_history_and_its_role(tmp_path):
    demo = klaviyo_demo()
    db = open_database(tmp_path / "k.db")
    welcome = demo.flows.loc[demo.flows["name"] == "Serie di benvenuto", "flow_id"].item()
    with klaviyo_emulator(demo) as (url, _):
        sync(db, url)
        history = db.execute("SELECT COUNT(*), SUM(recipients) FROM klaviyo_flow_days WHERE flow_id = ?",
                             [welcome]).fetchone()
        demo.rename_flow(welcome, "Welcome Series 2027")
        sync(db, url, as_of=AS_OF + timedelta(days=1))
    assert db.execute("SELECT name, role FROM klaviyo_flows WHERE flow_id = ?", [welcome]).fetchone() == \
        ("Welcome Series 2027", "welcome")
    assert db.execute("SELECT COUNT(*), SUM(recipients) FROM klaviyo_flow_days WHERE flow_id = ?",
                      [welcome]).fetchone() == history
    assert db.execute("SELECT COUNT(*) FROM klaviyo_flows").fetchone()[0] == len(demo.flows)


def test_a_refused_statistic_is_skipped_and_the_rest_kept(tmp_path):
    demo = klaviyo_demo()
    db = open_database(tmp_path / "k.db")
    with klaviyo_emulator(demo, rejected_statistics={"conversion_uniques"}) as (url, _):
        result, _ = sync(db, url, since=AS_OF - timedelta(days=90))
    assert result.skipped == {"flow_series": ("conversion_uniques",), "campaign_values": ("conversion_uniques",)}
    assert db.execute("SELECT COUNT(*) FROM klaviyo_flow_days WHERE conversion_uniques IS NOT NULL").fetchone() == (0,)
    kept = tuple(s for s in STATISTICS if s != "conversion_uniques")
    assert_sums_match(db, demo.flow_days, "klaviyo_flows", "flow_id", AS_OF - timedelta(days=90),
                      AS_OF - timedelta(days=1), kept)
    assert "conversion_uniques" in read_state(db, STORE, "klaviyo", "flow_series").note


def test_a_wrong_key_is_named_by_its_variable_never_shown(tmp_path):
    with klaviyo_emulator(api_key="pk_" + "right") as (url, _):
        client = klaviyo_client(url, Recorder(), key="pk_" + "wrongwrong")
        with pytest.raises(KlaviyoAuthError) as error:
            sync_klaviyo(open_database(tmp_path / "k.db"), client, KLAVIYO, AS_OF, now=fixed_now)
    assert "KLAVIYO_KEY_TEST" in str(error.value) and "wrongwrong" not in str(error.value)
    assert "wrongwrong" not in repr(client)


def test_a_server_that_drips_bytes_is_cut_at_the_deadline(tmp_path):
    recorder = Recorder()
    with klaviyo_emulator(drip_reports=True) as (url, _):
        client = klaviyo_client(url, recorder, deadline=0.3)
        client.retry.max_attempts = 2
        with pytest.raises(KlaviyoUnavailable, match="did not answer"):
            sync_klaviyo(open_database(tmp_path / "k.db"), client, KLAVIYO, AS_OF, now=fixed_now,
                         since=AS_OF - timedelta(days=3))
    assert len(recorder.retry_sleeps) == 1  # one backoff between the two attempts, slept on the fake clock


def test_kill_9_inside_a_write_then_a_resync_equals_a_clean_run(tmp_path):
    demo = klaviyo_demo()
    killed, clean = tmp_path / "killed.db", open_database(tmp_path / "clean.db")
    with klaviyo_emulator(demo) as (url, _):
        process = forked.run("tests.support.kill_sync", ["klaviyo", url, str(killed), "5"], timeout=120)
        assert process.returncode == -signal.SIGKILL, process.stderr
        db = open_database(killed)
        # The fifth window died before COMMIT: the state claims exactly the four committed windows.
        through = read_state(db, STORE, "klaviyo", "flow_series").synced_through
        assert through == AS_OF - timedelta(days=400) + timedelta(days=4 * 60 - 1)
        assert db.execute("SELECT MAX(date) FROM klaviyo_flow_days").fetchone()[0] <= through.isoformat()
        sync(db, url)
        sync(clean, url)
    for query in ("SELECT * FROM klaviyo_flow_days ORDER BY 1, 2, 3, 4, 5",
                  "SELECT * FROM klaviyo_campaign_days ORDER BY 1, 2, 3, 4",
                  "SELECT flow_id, name, status, role FROM klaviyo_flows ORDER BY 1",
                  "SELECT source, report, synced_through FROM source_sync_state ORDER BY 1, 2"):
        assert db.execute(query).fetchall() == clean.execute(query).fetchall()
