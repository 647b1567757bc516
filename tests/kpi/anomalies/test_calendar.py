"""Calendars: holidays and planned events are judged against last year, or not at all."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.demo.store import demo_store
from connectors.demo.shop import PLANTED_ANOMALIES
from kpi.anomalies.baselines import Thresholds, additive_baseline, judge_additive, judge_ratio
from kpi.anomalies.calendar import EMPTY, Calendar, build_calendar, event_for
from kpi.anomalies.detect import detect
from kpi.anomalies.watch import WATCHED
from kpi.anomalies.yearly import event_days
from kpi.answer import Period
from kpi.settings import PlannedEvent
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db

PATTERN = np.array([1.0, 0.95, 0.97, 1.02, 1.1, 0.8, 0.75])  # Monday first
MEAN = 2000.0


def daily(start: str, end: str, seed: int, scale: dict[str, float] | None = None) -> pd.Series:
    """Poisson(2000 × weekday pattern) per day, with some days' means multiplied by ``scale``."""
    index = pd.date_range(start, end)
    means = MEAN * PATTERN[index.day_of_week.to_numpy()]
    for day, factor in (scale or {}).items():
        means[index.get_loc(pd.Timestamp(day))] *= factor
    return pd.Series(np.random.default_rng(seed).poisson(means).astype(float), index=index)


def one_day(name: str, *days: str, expect: str | None = None) -> Calendar:
    planned = [PlannedEvent(name, date.fromisoformat(d), date.fromisoformat(d), expect) for d in days]
    return build_calendar(None, "it", planned, [])


def judged(values: pd.Series, calendar: Calendar) -> pd.DataFrame:
    return judge_additive(values, Thresholds(), days=event_days(calendar, values.index))


# -- the calendar itself -----------------------------------------------------------------------------------------


def test_italian_holidays_are_loaded_and_named_in_italian_and_english():
    italian, english = build_calendar("IT", "it", (), [2026]), build_calendar("IT", "en", (), [2026])
    assert event_for(date(2026, 12, 8), italian).name == "Immacolata Concezione"
    assert event_for(date(2026, 12, 8), english).name == "Immaculate Conception"
    assert event_for(date(2026, 4, 6), italian).name == "Lunedì dell'Angelo"  # Easter Sunday 2026 is 5 April
    assert event_for(date(2026, 4, 6), english).name == "Easter Monday"
    assert event_for(date(2026, 8, 15), italian).kind == "holiday"
    assert event_for(date(2026, 3, 10), italian) is None
    assert build_calendar(None, "it", (), [2026]) == EMPTY


def test_the_days_that_shape_around_holidays_are_events_too():
    sales = PlannedEvent("Saldi invernali", date(2027, 1, 2), date(2027, 2, 28), "up")
    calendar = build_calendar("IT", "it", [sales], [2026, 2027])
    assert event_for(date(2026, 12, 28), calendar).name == "Feste natalizie"
    assert event_for(date(2026, 8, 12), calendar).name == "Ferragosto"
    assert event_for(date(2027, 1, 6), calendar).name == "Epifania"  # a holiday names its day first
    assert event_for(date(2027, 1, 10), calendar).name == "Saldi invernali"  # then a planned event
    assert calendar.expectation(date(2027, 1, 10)) == "up"
    thanksgiving = date(2026, 11, 26)  # the fourth Thursday of November 2026
    friday_week = {d for d in (thanksgiving + timedelta(days=k) for k in range(-10, 10))
                   if (event := event_for(d, calendar)) and event.key == "season:black_friday"}
    assert min(friday_week) == thanksgiving - timedelta(days=5) and max(friday_week) == thanksgiving + timedelta(days=4)


def test_an_event_day_is_paired_with_the_same_day_of_the_same_event_last_year():
    sales = [PlannedEvent("Saldi", date(2025, 1, 4), date(2025, 2, 28)),
             PlannedEvent("Saldi", date(2026, 1, 3), date(2026, 2, 28))]
    calendar = build_calendar("IT", "it", sales, [2025, 2026])
    twins = {day: calendar.partner(calendar.on(day)[0], day)
             for day in (date(2026, 4, 6), date(2026, 12, 25), date(2026, 11, 27), date(2026, 1, 10))}
    assert twins == {date(2026, 4, 6): date(2025, 4, 21),  # Easter Monday
                     date(2026, 12, 25): date(2025, 12, 25),
                     date(2026, 11, 27): date(2025, 11, 28),  # Black Friday
                     date(2026, 1, 10): date(2025, 1, 11)}  # the sales' eighth day


# -- judging event days ------------------------------------------------------------------------------------------


def test_an_event_day_is_silent_without_a_year_of_data():
    values = daily("2025-01-01", "2025-06-30", seed=3, scale={"2025-05-14": 0.4})
    assert judge_additive(values, Thresholds()).loc["2025-05-14", "severity"] == "critical"  # odd without a calendar
    day = judged(values, one_day("Festa", "2025-05-14")).loc["2025-05-14"]
    assert day["severity"] == "" and np.isnan(day["expected"])


def test_an_event_day_is_judged_against_the_same_event_last_year():
    festa = one_day("Festa", "2025-05-14", "2026-05-13")  # both Wednesdays
    as_usual = daily("2025-01-01", "2026-06-30", seed=4, scale={"2025-05-14": 0.4, "2026-05-13": 0.4})
    day = judged(as_usual, festa).loc["2026-05-13"]
    true_mean = MEAN * PATTERN[2] * 0.4
    assert day["severity"] == "" and abs(day["expected"] - true_mean) / true_mean < 0.1
    collapsed = daily("2025-01-01", "2026-06-30", seed=4, scale={"2025-05-14": 0.4, "2026-05-13": 0.4 * 0.4})
    assert judged(collapsed, festa).loc["2026-05-13", "severity"] != ""


def test_days_of_an_event_stay_out_of_the_baselines_that_follow():
    values = daily("2025-01-01", "2025-06-30", seed=5, scale={f"2025-05-{d:02d}": 3.0 for d in range(5, 12)})
    promo = build_calendar(None, "it", [PlannedEvent("Promo", date(2025, 5, 5), date(2025, 5, 11))], [])
    after = additive_baseline(values, days=event_days(promo, values.index)).loc["2025-05-12":"2025-05-25"]
    unaware = additive_baseline(values).loc["2025-05-12":"2025-05-25"]
    truth = np.log1p(MEAN * PATTERN[after.index.day_of_week.to_numpy()])
    assert np.abs(after["expected"] - truth).max() < 0.06 < np.abs(unaware["expected"] - truth).max()


@pytest.mark.parametrize(("expect", "factor", "alerts"), [
    ("up", 0.5, True),  # a promotion that flops
    ("up", 1.8, False),  # a promotion that works
    (None, 0.5, False),  # an event with no expectation and no year: silent
    ("down", 2.0, True),  # a closure that sells anyway
])
def test_an_event_with_an_expected_direction_still_alerts_the_other_way(expect, factor, alerts):
    days = [f"2025-05-{d:02d}" for d in range(10, 17)]
    values = daily("2025-01-01", "2025-06-30", seed=6, scale=dict.fromkeys(days, factor))
    calendar = build_calendar(None, "it", [PlannedEvent("Promo", date(2025, 5, 10), date(2025, 5, 16), expect)], [])
    flagged = judged(values, calendar).loc[days[0]:days[-1], "severity"] != ""
    assert flagged.all() if alerts else not flagged.any()


def test_the_yearly_candidate_is_chosen_where_it_wins():
    """A shape that repeats every 52 weeks but no weekly pattern can explain: only last year knows it."""
    index = pd.date_range("2024-01-01", "2026-06-30")
    shape = np.random.default_rng(8).lognormal(0.0, 0.35, 364)
    means = 5000 * shape[np.arange(len(index)) % 364]
    values = pd.Series(np.random.default_rng(9).poisson(means).astype(float), index=index)
    drop = index.get_loc(pd.Timestamp("2026-03-11"))
    values.iloc[drop] = round(means[drop] * 0.6)
    base = additive_baseline(values, days=event_days(EMPTY, index))
    assert (base.loc[:"2024-12-29", "candidate"] != "yearly").all()  # no year behind these days yet
    assert (base.loc["2025-06-01":, "candidate"] == "yearly").mean() > 0.9
    later = base.loc["2026-03-01":"2026-03-31"]
    truth = np.log1p(means[index.get_indexer(later.index)])
    assert np.abs(later["expected"] - truth).median() < 0.03
    verdict = judge_additive(values, Thresholds(), days=event_days(EMPTY, index))
    assert verdict.loc["2026-03-11", "severity"] != ""


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=380, max_value=540), st.integers(min_value=0, max_value=10_000),
       st.lists(st.floats(min_value=0, max_value=1e5), min_size=1, max_size=20))
def test_no_look_ahead_with_a_calendar_and_a_year_of_history(cut, seed, future):
    values = daily("2024-01-01", "2025-06-30", seed=seed).to_numpy()
    calendar = build_calendar("IT", "it", [PlannedEvent("Promo", date(2024, 5, 6), date(2024, 5, 12), "up"),
                                           PlannedEvent("Promo", date(2025, 5, 5), date(2025, 5, 11), "up")],
                              [2023, 2024, 2025])
    past = pd.Series(values[:cut], index=pd.date_range("2024-01-01", periods=cut))
    extended = pd.Series(np.concatenate([values[:cut], future]), index=pd.date_range("2024-01-01",
                                                                                      periods=cut + len(future)))
    before = judge_additive(past, Thresholds(), days=event_days(calendar, past.index))
    again = judge_additive(extended, Thresholds(), days=event_days(calendar, extended.index)).iloc[:cut]
    pd.testing.assert_frame_equal(before, again)
    sessions = pd.Series(values[:cut] * 50, index=past.index)
    ratio = judge_ratio(past, sessions, Thresholds(), days=event_days(calendar, past.index))
    more = pd.concat([sessions, pd.Series(np.full(len(future), 1e5), index=extended.index[cut:])])
    pd.testing.assert_frame_equal(ratio, judge_ratio(extended, more, Thresholds(),
                                                     days=event_days(calendar, extended.index)).iloc[:cut])


# -- three years of the demo shop --------------------------------------------------------------------------------

DAYS = 3 * 365 + 1
JUDGED = Period(AS_OF - timedelta(days=DAYS - 90), AS_OF - timedelta(days=3))


@pytest.fixture(scope="module")
def three_years(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("three-years") / "demo.db", days=DAYS)


@pytest.fixture(scope="module")
def three_year_flags(three_years):
    return detect(three_years, demo_store(), AS_OF, period=JUDGED)


def test_three_years_every_planted_incident_found_and_at_most_half_a_false_day_per_100(three_year_flags):
    for planted in PLANTED_ANOMALIES:
        assert any(a.date in planted.dates(AS_OF) and a.metric in planted.metrics for a in three_year_flags), planted
    planted_days = {d for p in PLANTED_ANOMALIES for d in p.dates(AS_OF)}
    for metric in WATCHED:
        strays = [a for a in three_year_flags if a.metric == metric and a.date not in planted_days]
        assert len(strays) * 100 / JUDGED.days <= 0.5, (metric, strays)


def test_the_ferragosto_dip_is_real_and_never_flagged(three_years, three_year_flags):
    sessions = demo_frames(AS_OF, DAYS)["sessions"].groupby("date")["sessions"].sum()
    sessions.index = pd.to_datetime(sessions.index)
    mid_august = [pd.Timestamp(year, 8, 15) for year in (2024, 2025, 2026)]
    for day in mid_august:  # independently, from the emulator's own rows
        assert sessions[day] < 0.75 * sessions[day - pd.Timedelta(days=28):day - pd.Timedelta(days=14)].median()
    assert not [a for a in three_year_flags if a.date.month == 8 and 10 <= a.date.day <= 20]
    unaware = dataclasses.replace(demo_store(), country=None, events=())
    august = [detect(three_years, unaware, AS_OF, ["sessions"], Period(date(y, 8, 10), date(y, 8, 20)))
              for y in (2024, 2025, 2026)]
    assert any(august), "without its calendar the detector pages about Ferragosto"


def test_a_promotion_that_flops_alerts_and_names_its_event(three_years):
    outage = PLANTED_ANOMALIES[0].dates(AS_OF)[0]  # the tracking outage: orders fall to almost nothing
    promo = PlannedEvent("Promo autunno", outage - timedelta(days=2), outage + timedelta(days=2), "up")
    store = dataclasses.replace(demo_store(), events=(promo,))
    found = [a for a in detect(three_years, store, AS_OF, ["orders"], Period(outage, outage))]
    assert [(a.date, a.direction, a.event) for a in found] == [(outage, "down", "Promo autunno")]
    quiet = dataclasses.replace(store, events=(dataclasses.replace(promo, expect=None),))
    assert detect(three_years, quiet, AS_OF, ["orders"], Period(outage, outage)) == []
