"""Charts of the marketing KPIs: a day of ad cost is Google's plus Meta's that day, a line per
platform or flow is its own day's sums, and a KPI with no daily meaning (the entry message of a
flow, an order count over a period) gets bars or no chart.

The warehouse is filled through the real clients and emulators; every expectation is pandas
over the emulators' own rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from bot.render.charts import answer_chart
from kpi.anomalies.args import parse_anomaly_args
from kpi.answer import BarSeries, ChartSeries
from kpi.charts import chart_series
from kpi.query.errors import QueryError
from kpi.query.parser import Query, parse
from kpi.service import answer
from tests.support.ga4 import AS_OF, demo_frames
from tests.support.marketing import MARKETING_STORE, in_period, klaviyo_demo, meta_demo, synced_marketing_db

GOOGLE_CHANNELS = {"Paid Search", "Paid Shopping", "Paid Video", "Display", "Cross-network"}
START, END = AS_OF - timedelta(days=14), AS_OF - timedelta(days=1)
DAYS = [(START + timedelta(days=i)).isoformat() for i in range((END - START).days + 1)]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_marketing_db(tmp_path_factory.mktemp("charts") / "m.db")


def chart(db, text):
    query = parse(text)
    assert isinstance(query, Query)
    return chart_series(db, MARKETING_STORE, answer(db, MARKETING_STORE, query, AS_OF))


def per_day(frame: pd.DataFrame, column: str) -> pd.Series:
    return in_period(frame, START, END).groupby("date")[column].sum().reindex(DAYS, fill_value=0.0)


def google_cost() -> pd.Series:
    ads = demo_frames()["ads"]
    return per_day(ads[ads["channel"].isin(GOOGLE_CHANNELS)], "ad_cost")


def test_a_day_of_ad_cost_is_googles_plus_metas(db):
    series = chart(db, f"ad_cost {START}..{END}")
    assert isinstance(series, ChartSeries) and [d.isoformat() for d in series.days] == DAYS
    expected = google_cost() + per_day(meta_demo().rows, "spend")
    assert list(series.values) == pytest.approx(list(expected), rel=1e-9)


def test_ad_cost_by_platform_draws_a_line_per_platform_of_its_own_days(db):
    series = chart(db, f"ad_cost {START}..{END} by platform")
    assert isinstance(series, ChartSeries) and series.by == "platform"
    lines = dict(series.lines)
    assert lines["google"] == pytest.approx(list(google_cost()), rel=1e-9)
    assert lines["meta"] == pytest.approx(list(per_day(meta_demo().rows, "spend")), rel=1e-9)


def test_cpo_by_platform_puts_each_platforms_day_over_the_whole_days_orders(db):
    """Orders have no platform: each line is its platform's cost over all of the day's orders."""
    series = chart(db, f"cpo {START}..{END} by platform")
    assert isinstance(series, ChartSeries)
    orders = per_day(demo_frames()["sessions"], "orders")
    assert dict(series.lines)["meta"] == pytest.approx(list(per_day(meta_demo().rows, "spend") / orders), rel=1e-9)


def test_a_day_of_email_open_rate_counts_that_days_email_flows_and_campaigns(db):
    demo = klaviyo_demo()
    flows = demo.flow_days[demo.flow_days["send_channel"] == "email"]
    campaigns = demo.campaigns[demo.campaigns["channel"] == "email"]
    opens = per_day(flows, "opens_unique") + per_day(campaigns, "opens_unique")
    delivered = per_day(flows, "delivered") + per_day(campaigns, "delivered")
    series = chart(db, f"email_open_rate {START}..{END}")
    assert isinstance(series, ChartSeries)
    assert list(series.values) == pytest.approx(list(opens / delivered), rel=1e-9)


def test_cart_recovery_has_no_daily_chart_but_bars_per_flow(db):
    """Its denominator is the entry message of the period: a day of it is another KPI."""
    assert chart(db, f"cart_recovery_rate {START}..{END}") is None
    bars = chart(db, f"cart_recovery_rate {START}..{END} by flow")
    assert isinstance(bars, BarSeries) and bars.by == "flow" and bars.rows


def test_anomalies_watch_ad_cost_over_every_platform_but_not_cart_recovery():
    metrics, _ = parse_anomaly_args(["ad_cost", "last-90d"], date(2026, 11, 24))
    assert metrics == ["ad_cost"]
    with pytest.raises(QueryError) as refused:
        parse_anomaly_args(["cart_recovery_rate", "last-90d"], date(2026, 11, 24))
    assert refused.value.code == "not_watched"


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("text", ["ad_cost {s}..{e} by platform", "cart_recovery_rate {s}..{e} by flow",
                                  "email_attributed_revenue {s}..{e} by send_channel"])
def test_every_marketing_split_draws_in_both_languages(db, language, text):
    """`make demo` stopped on a chart titled by platform: every split has its words."""
    store = replace(MARKETING_STORE, language=language)
    query = parse(text.format(s=START, e=END))
    assert isinstance(query, Query)
    series = chart_series(db, store, answer(db, store, query, AS_OF))
    assert series is not None and answer_chart(series, store).startswith(b"\x89PNG")
