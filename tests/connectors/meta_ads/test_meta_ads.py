"""Meta Ads end to end: the real client against the Graph API emulator over HTTP, into a real warehouse."""

from __future__ import annotations

import signal
from datetime import date, timedelta

import pytest

from connectors.meta_ads.client import MetaAuthError, MetaUnavailable
from connectors.meta_ads.sync import earliest_day, foreign_currencies, sync_meta_ads
from connectors.source_state import read_state
from connectors.warehouse import open_database
from tests.support import forked
from tests.support.engines import ENGINES, warehouse_on
from tests.support.ga4 import AS_OF
from tests.support.marketing import META, STORE, Recorder, fixed_now, in_period, meta_client, meta_demo, meta_emulator

MEASURES = ("spend", "impressions", "clicks", "purchases", "purchase_value")
PERIODS = [(AS_OF - timedelta(days=7), AS_OF - timedelta(days=1)), (date(2026, 10, 1), date(2026, 10, 31)),
           (date(2025, 11, 1), date(2026, 2, 28)), (AS_OF - timedelta(days=400), AS_OF - timedelta(days=1))]


def sync(db, url, recorder=None, store=META, **options):
    client = meta_client(url, recorder or Recorder())
    return sync_meta_ads(db, client, store, AS_OF, now=fixed_now, **options), client


@pytest.fixture(scope="module", params=ENGINES)
def synced(request, tmp_path_factory):
    with warehouse_on(request.param, tmp_path_factory.mktemp("meta")) as db:
        yield from _synced(db)


def _synced(db):
    with meta_emulator() as (url, state):
        result, _ = sync(db, url)
    yield db, state, result


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_stored_insights_equal_the_emulator_rows_by_campaign(synced, start, end):
    db, state, _ = synced
    raw = in_period(state.data.rows, start, end)
    for measure in MEASURES:
        expected = {str(k): float(v) for k, v in raw.groupby("campaign_id")[measure].sum().items()}
        assert db.sums(STORE, "meta_ads", measure, start, end, by="campaign_id") == \
            pytest.approx(expected), measure


def test_purchases_are_counted_once_whatever_the_action_types(synced):
    db, state, _ = synced
    rows = state.data.rows
    assert rows["omni"].any() and not rows["omni"].all()  # both kinds of day are in the demo
    for omni in (True, False):
        days = rows[rows["omni"] == omni]
        stored = db.execute(f"SELECT SUM(purchases) FROM meta_ads_days WHERE date IN ({','.join('?' * len(days))})",
                            list(days["date"])).fetchone()[0]
        assert stored == pytest.approx(days["purchases"].sum())


def test_the_backfill_pages_and_chunks_and_records_its_state(synced):
    db, state, result = synced
    assert state.requests == result.requests == result.chunks  # 2 campaigns × 31 days fit one 500-row page
    assert read_state(db, STORE, "meta_ads", "insights").synced_through == AS_OF - timedelta(days=1)
    assert {row[0] for row in db.execute("SELECT DISTINCT currency FROM meta_ads_days").fetchall()} == {"EUR"}


def test_small_pages_are_followed_through_the_after_cursor(tmp_path, monkeypatch):
    import connectors.meta_ads.client as client_module

    monkeypatch.setattr(client_module, "PAGE_LIMIT", 7)
    db = open_database(tmp_path / "m.db")
    with meta_emulator() as (url, state):
        result, _ = sync(db, url, since=AS_OF - timedelta(days=10))
    assert result.requests == state.requests == -(-20 // 7)  # 10 days × 2 campaigns in pages of 7
    assert db.execute("SELECT COUNT(*) FROM meta_ads_days").fetchone()[0] == 20


def test_code_17_twice_then_success(tmp_path):
    db, recorder = open_database(tmp_path / "m.db"), Recorder()
    with meta_emulator() as (url, state):
        state.inject(17, times=2)
        result, client = sync(db, url, recorder, since=AS_OF - timedelta(days=20))
    assert len(recorder.retry_sleeps) == 2 and all(15.0 <= s <= 300.0 for s in recorder.retry_sleeps)
    assert client.requests == state.requests == 3 and result.rows == 40


@pytest.mark.parametrize("code", [4, 613, 80000, 80004])
def test_every_throttle_code_is_backed_off_and_bounded(tmp_path, code):
    recorder = Recorder()
    with meta_emulator() as (url, state):
        state.inject(code, times=10)
        with pytest.raises(MetaUnavailable, match=f"code {code}"):
            sync(open_database(tmp_path / "m.db"), url, recorder, since=AS_OF - timedelta(days=3))
    assert len(recorder.retry_sleeps) == 4 and state.requests == 5  # five attempts, four waits, then a clear stop


def test_an_expired_token_stops_with_the_store_and_the_variable_never_the_token(tmp_path):
    db = open_database(tmp_path / "m.db")
    with meta_emulator(token="EAA" + "rightone") as (url, _):
        with pytest.raises(MetaAuthError) as error:
            sync(db, url)
    message = str(error.value)
    assert STORE in message and "META_TOKEN_TEST" in message and "190" in message
    assert "testtoken" not in message and "\n" not in message


def test_spend_in_another_currency_is_stored_as_is_and_flagged(tmp_path):
    db = open_database(tmp_path / "m.db")
    with meta_emulator(meta_demo(currency="USD")) as (url, state):
        result, _ = sync(db, url, since=AS_OF - timedelta(days=40))
    assert any("USD" in warning and "EUR" in warning for warning in result.warnings)
    assert foreign_currencies(db, META) == ["USD"]
    raw = in_period(state.data.rows, AS_OF - timedelta(days=40), AS_OF - timedelta(days=1))
    assert db.sums(STORE, "meta_ads", "spend", AS_OF - timedelta(days=40), AS_OF)[""] == \
        pytest.approx(raw["spend"].sum())  # kept in dollars, not converted
    assert "USD" in read_state(db, STORE, "meta_ads", "insights").note


def test_high_usage_slows_down_before_the_limit_then_stops_and_resumes(tmp_path):
    recorder = Recorder()
    db, clean = open_database(tmp_path / "m.db"), open_database(tmp_path / "clean.db")
    with meta_emulator(calls_per_hour=12, clock=recorder.clock) as (url, state):
        first, _ = sync(db, url, recorder)
        assert recorder.retry_sleeps and first.paused  # waited as usage climbed, then stopped short of 100%
        assert state.usage_percent() < 100
        recorder.clock.sleep(3600)
        second, _ = sync(db, url, recorder)
        assert second.paused is None
    with meta_emulator() as (url, _):
        sync(clean, url)
    query = "SELECT * FROM meta_ads_days ORDER BY 1, 2, 3, 4"
    assert db.execute(query).fetchall() == clean.execute(query).fetchall()


def test_a_backfill_never_asks_for_more_than_37_months(tmp_path):
    db = open_database(tmp_path / "m.db")
    with meta_emulator() as (url, state):
        result, _ = sync(db, url, since=AS_OF - timedelta(days=5 * 365))
    first = min(entry["time_range"] for entry in state.log)
    assert f'"since": "{earliest_day(AS_OF)}"' in first and result.paused is None
    assert any("37 months" in warning for warning in result.warnings)
    assert earliest_day(date(2026, 3, 31)) == date(2023, 3, 1)  # 2023-02-28, plus a day of margin


def test_kill_9_inside_a_write_then_a_resync_equals_a_clean_run(tmp_path):
    killed, clean = tmp_path / "killed.db", open_database(tmp_path / "clean.db")
    with meta_emulator() as (url, _):
        process = forked.run("tests.support.kill_sync", ["meta", url, str(killed), "4"], timeout=120)
        assert process.returncode == -signal.SIGKILL, process.stderr
        db = open_database(killed)
        assert read_state(db, STORE, "meta_ads", "insights").synced_through == \
            AS_OF - timedelta(days=400) + timedelta(days=3 * 31 - 1)
        sync(db, url)
        sync(clean, url)
    query = "SELECT * FROM meta_ads_days ORDER BY 1, 2, 3, 4"
    assert db.execute(query).fetchall() == clean.execute(query).fetchall()
