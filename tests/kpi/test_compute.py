"""KPI answers against independent pandas arithmetic on the emulator's own rows."""

from __future__ import annotations

import math
from datetime import date
from functools import cache

import pandas as pd
import pytest

from bot.cli.demo.store import demo_store
from bot.i18n import query_error_text
from bot.render.json import answer_json
from kpi.periods import parse_period, resolve
from kpi.query.parser import Query, QueryError, parse
from kpi.service import answer
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db

STORE = demo_store()


def _share(frame, column, value, measure):
    return frame.loc[frame[column] == value, measure].sum() / frame[measure].sum()


# Independent formulas over raw rows: s = sessions rows, u = users rows, a = ads rows.
FORMULAS = {
    "revenue": lambda s, u, a: s.revenue.sum(),
    "orders": lambda s, u, a: s.orders.sum(),
    "aov": lambda s, u, a: s.revenue.sum() / s.orders.sum(),
    "sessions": lambda s, u, a: s.sessions.sum(),
    "users": lambda s, u, a: u.total_users.sum(),
    "new_users": lambda s, u, a: u.new_users.sum(),
    "cvr": lambda s, u, a: s.orders.sum() / s.sessions.sum(),
    "revenue_per_session": lambda s, u, a: s.revenue.sum() / s.sessions.sum(),
    "bounce_rate": lambda s, u, a: 1 - s.engaged_sessions.sum() / s.sessions.sum(),
    "cart_to_order": lambda s, u, a: s.orders.sum() / s.add_to_carts.sum(),
    "checkout_abandonment": lambda s, u, a: 1 - s.orders.sum() / s.checkouts.sum(),
    "email_revenue_share": lambda s, u, a: _share(s, "channel", "Email", "revenue"),
    "sms_revenue_share": lambda s, u, a: _share(s, "channel", "SMS", "revenue"),
    "mobile_share": lambda s, u, a: _share(s, "device", "mobile", "sessions"),
    "new_visitor_share": lambda s, u, a: _share(s, "visitor", "new", "sessions"),
    "ad_cost": lambda s, u, a: a.ad_cost.sum(),
    "ad_clicks": lambda s, u, a: a.ad_clicks.sum(),
    "cpc": lambda s, u, a: a.ad_cost.sum() / a.ad_clicks.sum(),
    "ecpc": lambda s, u, a: s.revenue.sum() / a.ad_clicks.sum(),
    "cpa": lambda s, u, a: a.ad_cost.sum() / s.key_events.sum(),
    "cpo": lambda s, u, a: a.ad_cost.sum() / s.orders.sum(),
    "roas": lambda s, u, a: s.revenue.sum() / a.ad_cost.sum(),
    "roi": lambda s, u, a: (s.revenue.sum() - a.ad_cost.sum()) / a.ad_cost.sum(),
}
PERIODS = ["yesterday", "last-7d", "last-30d", "last-week", "mtd", "last-month", "2026-03", "ytd",
           "2026-06-01..2026-06-20"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("compute") / "demo.db")


@pytest.fixture(scope="module")
def raw():
    return demo_frames()


def in_period(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return frame[(frame["date"] >= start.isoformat()) & (frame["date"] <= end.isoformat())]


def expected(raw, metric: str, start: date, end: date) -> float:
    return float(FORMULAS[metric](*(in_period(raw[n], start, end) for n in ("sessions", "users", "ads"))))


@pytest.fixture(scope="module")
def raw_in():
    """The raw frames cut to a period, cut once per period for every metric's test (they only read them)."""
    return cache(lambda start, end: {n: in_period(frame, start, end) for n, frame in demo_frames().items()})


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("metric", sorted(FORMULAS))
def test_value_and_comparison_match_pandas(db, raw, raw_in, metric, period):
    result = answer(db, STORE, Query(parse(metric).metric, parse_period(period)), AS_OF)
    span = resolve(parse_period(period), AS_OF)
    assert (result.period.start, result.period.end) == (span.start, span.end)
    assert math.isclose(result.value, expected(raw_in(span.start, span.end), metric, span.start, span.end),
                        rel_tol=1e-9)
    compared = result.compare.period
    before = expected(raw_in(compared.start, compared.end), metric, compared.start, compared.end)
    assert math.isclose(result.compare.value, before, rel_tol=1e-9)
    # the sources this GA4-only store has (ad cost may also read Meta, which it does not connect)
    first = max(raw[source]["date"].min() for source in parse(metric).metric.sources if source in raw)
    if result.compare.period.start.isoformat() < first:  # partly before the data: no change, and a line why
        assert result.compare.change is None and "compare_gap" in [c.code for c in result.caveats]
    else:
        assert math.isclose(result.compare.change, (result.value - before) / before, rel_tol=1e-9)


@pytest.mark.parametrize("text, dimension", [
    ("revenue last-30d by channel", "channel"), ("cvr last-7d by device", "device"),
    ("aov mtd by visitor", "visitor"), ("sessions last-month by channel", "channel"),
    ("bounce_rate last-30d by device", "device"), ("revenue_per_session ytd by visitor", "visitor"),
])
def test_breakdowns_match_pandas_and_are_sorted(db, raw, text, dimension):
    query = parse(text)
    result = answer(db, STORE, query, AS_OF)
    rows = in_period(raw["sessions"], result.period.start, result.period.end)
    for row in result.breakdown:
        part = rows[rows[dimension] == row.key]
        assert math.isclose(row.value, expected({"sessions": part, "users": raw["users"], "ads": raw["ads"]},
                                                query.metric.name, date.min, date.max), rel_tol=1e-9)
    values = [row.value for row in result.breakdown]
    assert values == sorted(values, reverse=True) and len(values) == rows[dimension].nunique()


def test_ad_metrics_by_campaign(db, raw):
    result = answer(db, STORE, parse("cpc last-30d by campaign"), AS_OF)
    ads = in_period(raw["ads"], result.period.start, result.period.end)
    by_campaign = ads.groupby("campaign")[["ad_cost", "ad_clicks"]].sum()
    assert {r.key: round(r.value, 9) for r in result.breakdown} == \
        {k: round(v.ad_cost / v.ad_clicks, 9) for k, v in by_campaign.iterrows()}


def test_vs_ly_compares_the_same_weekdays(db, raw):
    result = answer(db, STORE, parse("revenue last-7d vs ly"), AS_OF)
    assert result.compare.period.start.weekday() == result.period.start.weekday()
    assert math.isclose(result.compare.value,
                        expected(raw, "revenue", result.compare.period.start, result.compare.period.end))


def test_impossible_splits_are_query_errors(db):
    with pytest.raises(QueryError) as split:
        answer(db, STORE, parse("revenue last-7d by campaign"), AS_OF)
    assert "campaign" in query_error_text(split.value, "en")
    with pytest.raises(QueryError) as users:
        answer(db, STORE, parse("users last-7d by channel"), AS_OF)
    assert "per day only" in query_error_text(users.value, "en")


def test_caveats_flag_provisional_and_missing_days(db):
    recent = answer(db, STORE, parse("revenue last-7d"), AS_OF)
    assert [c.code for c in recent.caveats] == ["provisional"] and recent.caveats[0].params == {"days": 2}
    old = answer(db, STORE, parse("revenue 2020-01"), AS_OF)
    assert old.value is None and "no_data" in [c.code for c in old.caveats]
    json = answer_json(old)
    assert json["value"] is None and json["compare"]["change"] is None


def test_default_email_target_is_marked(db):
    store = demo_store().__class__(name="demo-shop", ga4_property="1")
    result = answer(db, store, parse("email_revenue_share last-30d"), AS_OF)
    assert result.target.is_default and (result.target.min, result.target.max) == (0.15, 0.20)
    assert answer_json(result)["target"]["default"] is True


def test_a_comparison_period_before_the_data_starts_is_flagged(db, raw):
    first_day = raw["sessions"]["date"].min()
    ytd = answer(db, STORE, parse("revenue ytd"), AS_OF)
    assert ytd.compare.period.start.isoformat() < first_day <= ytd.compare.period.end.isoformat()
    assert "compare_gap" in [c.code for c in ytd.caveats] and ytd.compare.change is None
    assert answer_json(ytd)["compare"]["change"] is None
    assert f"the data starts on {first_day}" in answer_json(ytd)["caveats"][-1]
    assert "compare_gap" not in [c.code for c in answer(db, STORE, parse("revenue last-7d"), AS_OF).caveats]


@pytest.mark.parametrize("metric", ["revenue", "cvr", "roas", "email_revenue_share", "users"])
def test_daily_values_match_pandas_day_by_day(db, raw, metric):
    from kpi.compute import daily_values

    period = resolve(parse_period("last-30d"), AS_OF)
    values = daily_values(db, STORE, parse(metric).metric, period)
    days = pd.date_range(period.start, period.end).date
    assert len(values) == len(days) == 30
    for day, value in zip(days, values, strict=True):
        assert math.isclose(value, expected(raw, metric, day, day), rel_tol=1e-9)
    assert daily_values(db, STORE, parse("revenue").metric, resolve(parse_period("2020-01"), AS_OF)) == [None] * 31


def test_a_cross_source_total_says_which_rows_it_blends_in(db, raw):
    """`roas by channel`: the total is all revenue / all ad cost, so it counts channels with no ad spend."""
    from bot.i18n import caveat_text

    result = answer(db, STORE, parse("roas last-30d by channel"), AS_OF)
    sessions = in_period(raw["sessions"], result.period.start, result.period.end)
    ads = in_period(raw["ads"], result.period.start, result.period.end)
    revenue = sessions.groupby("channel").revenue.sum()
    spend = ads.groupby("channel").ad_cost.sum()
    unpaid = sorted(k for k in revenue.index if revenue[k] > 0 and spend.get(k, 0) == 0)
    assert len(unpaid) >= 3
    (blended,) = [c for c in result.caveats if c.code == "blended_total"]
    assert blended.params["keys"] == ", ".join(unpaid)
    assert caveat_text(blended, "en").startswith("the total is all revenue / all ad spend: it includes Direct")
    assert "fatturato totale e spesa pubblicitaria totale" in caveat_text(blended, "it")
    assert math.isclose(result.value, revenue.sum() / spend.sum(), rel_tol=1e-9)
    same_source = answer(db, STORE, parse("cvr last-30d by channel"), AS_OF)
    assert "blended_total" not in [c.code for c in same_source.caveats]
