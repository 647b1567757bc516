"""The anomaly detector: planted anomalies found, quiet on a clean shop, no look-ahead."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.demo.store import demo_store
from bot.cli.main import main
from connectors.demo.shop import PLANTED_ANOMALIES
from kpi.anomalies.baselines import Thresholds, judge_additive, judge_ratio
from kpi.anomalies.detect import backtest, detect, judge_day
from kpi.anomalies.watch import WATCHED
from kpi.answer import Period
from kpi.catalogue import CATALOGUE
from kpi.series import has_daily_values
from tests.support.ga4 import AS_OF, synced_demo_db

STORE = demo_store()


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("planted") / "demo.db")


@pytest.fixture(scope="module")
def planted_flags(planted_db):
    """What the detector flags on the planted shop by default as of AS_OF: one run, read by the tests below."""
    return tuple(detect(planted_db, STORE, AS_OF))


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("clean") / "demo.db", planted=False)


@pytest.mark.parametrize("planted", PLANTED_ANOMALIES, ids=lambda p: p.name)
def test_every_planted_anomaly_is_found(planted_flags, planted):
    found = planted_flags
    days = set(planted.dates(AS_OF))
    hits = [a for a in found if a.date in days and a.metric in planted.metrics]
    assert hits, f"{planted.name} not found among {[(a.date, a.metric) for a in found]}"
    if planted.dimension:
        assert any(a.contributor == planted.dimension for a in hits)
    for hit in hits:
        assert hit.low <= hit.expected <= hit.high and not hit.low <= hit.value <= hit.high


def test_nothing_outside_the_planted_days(planted_flags):
    planted_days = {d for p in PLANTED_ANOMALIES for d in p.dates(AS_OF)}
    strays = [a for a in planted_flags if a.date not in planted_days]
    assert len(strays) <= 1, strays


def test_a_clean_shop_gets_fewer_than_one_false_day_per_100_days_per_kpi(clean_db):
    period = Period(AS_OF - timedelta(days=300), AS_OF - timedelta(days=3))
    counts = Counter(a.metric for a in detect(clean_db, STORE, AS_OF, period=period))
    for metric in WATCHED:
        assert counts[metric] * 100 / period.days < 1.0, (metric, counts)


def test_judge_day_is_the_same_judgement_as_detect(planted_db, planted_flags):
    outage = PLANTED_ANOMALIES[0].dates(AS_OF)[0]
    single = judge_day(planted_db, STORE, "revenue", outage, AS_OF)
    in_range = [a for a in planted_flags if a.date == outage and a.metric == "revenue"]
    assert single == in_range[0]
    assert judge_day(planted_db, STORE, "revenue", outage + timedelta(days=2), AS_OF) is None


def test_days_ga4_is_processing_are_never_judged(planted_db):
    bot_day = PLANTED_ANOMALIES[-1].dates(AS_OF)[0]
    as_of = bot_day + timedelta(days=1)  # the bot day is "yesterday": still provisional
    assert detect(planted_db, STORE, as_of, ["sessions"], Period(bot_day, bot_day)) == []
    assert detect(planted_db, STORE, bot_day + timedelta(days=3), ["sessions"], Period(bot_day, bot_day))


def test_expected_days_are_left_out_of_later_baselines(planted_db):
    outage = PLANTED_ANOMALIES[0].dates(AS_OF)[0]
    marked = detect(planted_db, STORE, AS_OF, ["revenue"], excluded_days={"revenue": {outage}})
    assert outage not in [a.date for a in marked]


def series(values, start="2026-01-05"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values)))


def weekly_series(days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pattern = np.array([1.0, 0.95, 0.97, 1.02, 1.1, 0.8, 0.75])
    return rng.poisson(2000 * pattern[np.arange(days) % 7])


def test_a_synthetic_spike_and_drop_are_flagged_with_their_range():
    values = weekly_series(120, seed=1).astype(float)
    values[100] *= 1.8
    values[110] *= 0.4
    judged = judge_additive(series(values), Thresholds())
    flagged = list(np.flatnonzero(judged["severity"].to_numpy() != ""))
    assert flagged == [100, 110]
    day = judged.iloc[100]
    assert day["low"] < day["expected"] < day["high"] < day["value"]


def test_small_denominators_never_page():
    rng = np.random.default_rng(3)
    n = pd.Series(rng.integers(30, 45, 90).astype(float), index=pd.date_range("2026-01-01", periods=90))
    k = pd.Series(rng.binomial(n.astype(int), 0.02).astype(float), index=n.index)
    k.iloc[80] = 8  # 20% conversion on 40 sessions: ten times normal, but only 40 sessions
    judged = judge_ratio(k, n, WATCHED["cvr"])
    assert (judged["severity"] == "").all()
    big = n * 100
    k_big = k * 100
    judged = judge_ratio(k_big, big, WATCHED["cvr"])
    assert judged["severity"].iloc[80] == "critical"


def test_a_mean_per_order_is_judged_as_a_mean_not_as_a_proportion():
    """AOV = revenue / orders is no proportion: its band is around the typical AOV, a doubled AOV is
    flagged, ordinary days are not, and no numpy warning is raised on the way (pytest makes one an error)."""
    rng = np.random.default_rng(11)
    index = pd.date_range("2026-01-01", periods=120)
    orders = pd.Series(rng.poisson(150, 120).astype(float), index=index)
    revenue = pd.Series([rng.gamma(4.0, 20.0, int(n)).sum() for n in orders], index=index)  # orders of ~80
    revenue.iloc[100] *= 2.0
    judged = judge_ratio(revenue, orders, Thresholds(), proportion=False)
    flagged = list(np.flatnonzero(judged["severity"].to_numpy() != ""))
    assert flagged == [100]
    ordinary = judged.iloc[30:100]
    assert ordinary["expected"].between(75, 85).all()  # the typical AOV, not a "rate" clipped to 1
    assert (ordinary["low"] < ordinary["expected"]).all() and (ordinary["expected"] < ordinary["high"]).all()


@pytest.mark.parametrize("metric", [m.name for m in CATALOGUE if has_daily_values(m)])
def test_every_daily_kpi_is_judged_without_a_warning(planted_db, metric):
    """`kpibot anomalies aov` printed numpy's "invalid value encountered in sqrt": every KPI with daily
    values is judged with no warning (an error here), and every verdict's expected value sits in its band."""
    for anomaly in detect(planted_db, STORE, AS_OF, [metric]):
        assert anomaly.low <= anomaly.expected <= anomaly.high, anomaly


@pytest.mark.parametrize("metric", ["ltv", "customers", "repurchase_rate", "tracking_gap", "clienti"])
def test_order_kpis_get_one_sentence_naming_what_is_watched(planted_db, tmp_path, capsys, metric):
    config = tmp_path / "kpibot.toml"
    config.write_text(f'[kpibot]\ndatabase = "{planted_db.label}"\n'
                      '[[stores]]\nname = "demo-shop"\nga4_property = "1"\n')
    assert main(["--config", str(config), "anomalies", metric, "--as-of", AS_OF.isoformat()]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "unexpected" not in err and "Error" not in err
    assert "day by day" in err and all(name in err for name in WATCHED)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=40, max_value=100), st.integers(min_value=0, max_value=10_000),
       st.lists(st.floats(min_value=0, max_value=1e5), min_size=1, max_size=20))
def test_no_look_ahead_future_days_never_change_a_past_verdict(cut, seed, future):
    values = weekly_series(110, seed).astype(float)
    past = judge_additive(series(values[:cut]), Thresholds())
    extended = np.concatenate([values[:cut], future])
    again = judge_additive(series(extended), Thresholds()).iloc[:cut]
    pd.testing.assert_frame_equal(past, again)


def test_cli_json_shape(planted_db, tmp_path, capsys):
    config = tmp_path / "kpibot.toml"
    planted_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    config.write_text(f'[kpibot]\ndatabase = "{planted_db.label}"\n'
                      '[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n')
    assert main(["--config", str(config), "anomalies", "sessions", "last-30d", "--json", "--as-of",
                 AS_OF.isoformat()]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["store"] == "demo-shop"
    bot_day = PLANTED_ANOMALIES[-1].dates(AS_OF)[0].isoformat()
    assert [a["date"] for a in out["anomalies"]] == [bot_day]
    assert set(out["anomalies"][0]) == {"date", "metric", "value", "expected", "low", "high", "severity",
                                        "contributor"}
    assert out["anomalies"][0]["contributor"] == "Referral"


def test_bad_anomaly_arguments_are_helpful(planted_db, tmp_path, capsys):
    config = tmp_path / "kpibot.toml"
    config.write_text('[kpibot]\ndatabase = "x.db"\n[[stores]]\nname = "demo-shop"\nga4_property = "1"\n')
    assert main(["--config", str(config), "anomalies", "sesions", "--as-of", "2026-11-24"]) == 2
    assert "Did you mean `sessions`?" in capsys.readouterr().err


def test_first_days_without_history_are_not_judged():
    judged = judge_additive(series(weekly_series(4, seed=2)), Thresholds())
    assert (judged["severity"] == "").all() and judged["expected"].isna().all()


def test_dates_are_real_dates():
    assert isinstance(PLANTED_ANOMALIES[0].dates(AS_OF)[0], date)


def test_an_expected_day_has_no_say_in_any_baseline():
    values = weekly_series(120, seed=5).astype(float)
    mask = series(np.zeros(120, dtype=bool)).astype(bool)
    mask.iloc[90] = True
    judged = judge_additive(series(values), Thresholds(), mask)
    values[90] *= 5  # a promotion marked Expected: whatever it did, later expectations are unchanged
    promo = judge_additive(series(values), Thresholds(), mask)
    pd.testing.assert_series_equal(judged["expected"], promo["expected"])
    unmarked = judge_additive(series(values), Thresholds())
    assert not np.allclose(unmarked["expected"].iloc[91:], judged["expected"].iloc[91:])


def test_backtest_counts_what_detect_flags(planted_db):
    start, end = AS_OF - timedelta(days=90), AS_OF - timedelta(days=3)
    result = backtest(planted_db, STORE, start, end)
    flagged = detect(planted_db, STORE, AS_OF, period=Period(start, end))
    assert result["anomalies"] == [a.to_json() for a in flagged]
    assert sum(result["flagged"].values()) == len(flagged) and result["days"] == 88


def test_the_expected_value_follows_the_weekday_the_series_was_drawn_from():
    values = weekly_series(120, seed=7).astype(float)
    values[101] *= 0.3  # a Wednesday-shaped day (index % 7 == 3 is the 1.02 weekday) collapses
    judged = judge_additive(series(values), Thresholds()).iloc[101]
    true_mean = 2000 * 1.02  # weekly_series draws Poisson(2000 × pattern[weekday])
    assert judged["severity"] == "critical"
    assert abs(judged["expected"] - true_mean) / true_mean < 0.05
    assert judged["low"] < true_mean < judged["high"]
