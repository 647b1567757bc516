"""The marketing KPIs against independent arithmetic on the emulators' own rows.

The warehouse is filled the real way (GA4, Klaviyo and Meta emulators over HTTP, the real
clients, the demo order export through the importer); every expectation is computed here from
the rows the emulators serve and the CSV they were built from, with plain pandas and loops.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import cache

import pandas as pd
import pytest

from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import breakdown, metric_value
from tests.support.ga4 import AS_OF, demo_frames
from tests.support.marketing import (
    MARKETING_STORE,
    demo_orders_csv,
    demo_orders_frame,
    in_period,
    klaviyo_demo,
    meta_demo,
    synced_marketing_db,
)

STORE = MARKETING_STORE
PERIODS = [(AS_OF - timedelta(days=7), AS_OF - timedelta(days=1)), (date(2026, 10, 1), date(2026, 10, 31)),
           (date(2026, 3, 15), date(2026, 6, 12)), (AS_OF - timedelta(days=400), AS_OF - timedelta(days=1))]
# The demo account's flows named in Italian, each role's by the seed's words (independent of roles.py).
ROLE_OF = {"Serie di benvenuto": "welcome", "Carrello abbandonato": "abandoned_cart", "Post-acquisto": "post_purchase",
           "Riattivazione clienti": "winback"}
GOOGLE_CHANNELS = {"Paid Search", "Paid Shopping", "Paid Video", "Display", "Cross-network"}

# The emulators' rows, read on first use (not at import: collection runs in every xdist worker).


@cache
def flow_days() -> pd.DataFrame:
    klaviyo = klaviyo_demo()
    days = klaviyo.flow_days.merge(klaviyo.flows[["flow_id", "name"]], on="flow_id")
    days["role"] = days["name"].map(ROLE_OF)
    return days


@cache
def campaign_rows() -> pd.DataFrame:
    return klaviyo_demo().campaigns


@cache
def meta_rows() -> pd.DataFrame:
    return meta_demo().rows


@cache
def ga4_rows() -> dict[str, pd.DataFrame]:
    return demo_frames()


@cache
def order_rows() -> pd.DataFrame:
    return demo_orders_frame(demo_orders_csv())


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_marketing_db(tmp_path_factory.mktemp("marketing") / "m.db")


@pytest.fixture(scope="module")
def db_without_orders(tmp_path_factory):
    return synced_marketing_db(tmp_path_factory.mktemp("marketing") / "m.db", orders=False)


def email(start, end):
    flows = in_period(flow_days(), start, end)
    campaigns = in_period(campaign_rows(), start, end)
    return flows[flows["send_channel"] == "email"], campaigns[campaigns["channel"] == "email"]


def email_sum(measure, start, end):
    flows, campaigns = email(start, end)
    return flows[measure].sum() + campaigns[measure].sum()


def role_rows(role, start, end):
    flows = in_period(flow_days(), start, end)
    return flows[(flows["role"] == role) & (flows["send_channel"] == "email")]


def entry_recipients(rows):
    """Σ over flows of the recipients of the flow's message with the most recipients: plain loops."""
    per_message = defaultdict(float)
    for row in rows.itertuples():
        per_message[(row.flow_id, row.message_id)] += row.recipients
    entry = {}
    for (flow, _), recipients in per_message.items():
        entry[flow] = max(entry.get(flow, 0.0), recipients)
    return sum(entry.values())


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def ad_cost(start, end):
    ads = in_period(ga4_rows()["ads"], start, end)
    google = ads.loc[ads["channel"].isin(GOOGLE_CHANNELS), "ad_cost"].sum()
    return google + in_period(meta_rows(), start, end)["spend"].sum()


def ga4(measure, start, end):
    return in_period(ga4_rows()["sessions"], start, end)[measure].sum()


def shop_revenue(start, end):
    return in_period(order_rows(), start, end)["total"].sum()


@cache
def days_by_customer():
    days = defaultdict(set)
    orders = order_rows()
    for customer, day in zip(orders["customer_id"], orders["date"], strict=True):
        days[customer].add(date.fromisoformat(day))
    return days


def repurchase_30d(start, end):
    base, back = set(), set()
    for customer, days in days_by_customer().items():
        for day in days:
            if start <= day <= end:
                base.add(customer)
                if any(0 < (other - day).days <= 30 for other in days):
                    back.add(customer)
    return ratio(len(back), len(base))


def winback(start, end):
    lapsed = {c for c, days in days_by_customer().items()
              if any(d < start for d in days) and not any(start - timedelta(days=180) <= d < start for d in days)}
    won = {c for c in lapsed if any(start <= d <= end for d in days_by_customer()[c])}
    return ratio(len(won), len(lapsed))


def new_customers(start, end):
    return sum(1 for days in days_by_customer().values() if start <= min(days) <= end)


EXPECTED = {
    "email_attributed_revenue": lambda s, e: email_sum("conversion_value", s, e),
    "email_attributed_share": lambda s, e: ratio(email_sum("conversion_value", s, e), shop_revenue(s, e)),
    "email_open_rate": lambda s, e: ratio(email_sum("opens_unique", s, e), email_sum("delivered", s, e)),
    "email_click_rate": lambda s, e: ratio(email_sum("clicks_unique", s, e), email_sum("delivered", s, e)),
    "welcome_open_rate": lambda s, e: ratio(role_rows("welcome", s, e)["opens_unique"].sum(),
                                            role_rows("welcome", s, e)["delivered"].sum()),
    "cart_recovery_rate": lambda s, e: ratio(role_rows("abandoned_cart", s, e)["conversion_uniques"].sum(),
                                             entry_recipients(role_rows("abandoned_cart", s, e))),
    "cart_recovery_revenue": lambda s, e: role_rows("abandoned_cart", s, e)["conversion_value"].sum(),
    "repurchase_30d": repurchase_30d,
    "winback_rate": winback,
    "meta_spend": lambda s, e: in_period(meta_rows(), s, e)["spend"].sum(),
    "meta_roas": lambda s, e: ratio(in_period(meta_rows(), s, e)["purchase_value"].sum(),
                                    in_period(meta_rows(), s, e)["spend"].sum()),
    "ad_cost": ad_cost,
    "roas": lambda s, e: ratio(ga4("revenue", s, e), ad_cost(s, e)),
    "roi": lambda s, e: ratio(ga4("revenue", s, e) - ad_cost(s, e), ad_cost(s, e)),
    "cpo": lambda s, e: ratio(ad_cost(s, e), ga4("orders", s, e)),
    "cpa": lambda s, e: ratio(ad_cost(s, e), ga4("key_events", s, e)),
    "cac": lambda s, e: ratio(ad_cost(s, e), new_customers(s, e)),
    "mer": lambda s, e: ratio(shop_revenue(s, e), ad_cost(s, e)),
}


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("metric", sorted(EXPECTED))
def test_every_marketing_kpi_equals_arithmetic_on_the_raw_rows(db, metric, start, end):
    expected = EXPECTED[metric](start, end)
    value = metric_value(db, STORE, BY_NAME[metric], Period(start, end))
    if expected is None:  # win-back before the data reaches 180 days back: nobody can have lapsed
        assert value is None
    else:
        assert value == pytest.approx(float(expected), rel=1e-9)


@pytest.mark.parametrize("metric", sorted(EXPECTED))
def test_every_marketing_kpi_has_a_value_in_the_last_weeks(db, metric):
    """So the comparison above is never between two Nones (nor two zeros) for recent periods."""
    start, end = PERIODS[0]
    assert EXPECTED[metric](start, end) and metric_value(db, STORE, BY_NAME[metric], Period(start, end))


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_without_a_shop_source_the_shares_and_mer_use_ga4_revenue(db_without_orders, start, end):
    period = Period(start, end)
    attributed = metric_value(db_without_orders, STORE, BY_NAME["email_attributed_share"], period)
    mer = metric_value(db_without_orders, STORE, BY_NAME["mer"], period)
    assert attributed == pytest.approx(email_sum("conversion_value", start, end) / ga4("revenue", start, end))
    assert mer == pytest.approx(ga4("revenue", start, end) / ad_cost(start, end))


def test_the_demo_matches_the_seeds_figures(db):
    """The demo account tells the seed's story: email near 17% of revenue, welcome opens near 55%,
    cart recovery near 11% (over the whole year, where daily noise averages out)."""
    year = Period(AS_OF - timedelta(days=365), AS_OF - timedelta(days=1))
    assert metric_value(db, STORE, BY_NAME["email_attributed_share"], year) == pytest.approx(0.17, abs=0.01)
    assert metric_value(db, STORE, BY_NAME["welcome_open_rate"], year) == pytest.approx(0.55, abs=0.02)
    assert metric_value(db, STORE, BY_NAME["cart_recovery_rate"], year) == pytest.approx(0.11, abs=0.01)


def rows_of(db, metric, start, end, by):
    return {row.key: row.value for row in breakdown(db, STORE, BY_NAME[metric], Period(start, end), by)}


def approx_dict(expected):
    return pytest.approx({str(k): float(v) for k, v in expected.items()}, rel=1e-9)


@pytest.mark.parametrize(("start", "end"), PERIODS[:3])
def test_by_flow_splits_flows_only_and_names_them(db, start, end):
    flows, _ = email(start, end)
    assert rows_of(db, "email_attributed_revenue", start, end, "flow") == approx_dict(
        flows.groupby("name")["conversion_value"].sum())
    opens, delivered = (flows.groupby("name")[m].sum() for m in ("opens_unique", "delivered"))
    assert rows_of(db, "email_open_rate", start, end, "flow") == approx_dict(opens / delivered)
    cart = role_rows("abandoned_cart", start, end)
    assert rows_of(db, "cart_recovery_rate", start, end, "flow") == approx_dict(
        {name: group["conversion_uniques"].sum() / entry_recipients(group) for name, group in cart.groupby("name")})


@pytest.mark.parametrize(("start", "end"), PERIODS[:3])
def test_by_platform_splits_google_and_meta(db, start, end):
    ads, meta = in_period(ga4_rows()["ads"], start, end), in_period(meta_rows(), start, end)
    google = ads.loc[ads["channel"].isin(GOOGLE_CHANNELS), "ad_cost"].sum()
    expected = {"google": google, "meta": meta["spend"].sum()}
    assert rows_of(db, "ad_cost", start, end, "platform") == approx_dict(expected)
    assert rows_of(db, "meta_spend", start, end, "platform") == approx_dict({"meta": meta["spend"].sum()})
    orders = ga4("orders", start, end)
    cpo = rows_of(db, "cpo", start, end, "platform")
    assert cpo == approx_dict({"google": google / orders, "meta": meta["spend"].sum() / orders})
    assert sum(cpo.values()) == pytest.approx(metric_value(db, STORE, BY_NAME["cpo"], Period(start, end)))


@pytest.mark.parametrize(("start", "end"), PERIODS[1:3])
def test_by_campaign_is_email_campaigns_for_email_kpis_and_ad_campaigns_for_ad_kpis(db, start, end):
    _, campaigns = email(start, end)
    by_name = campaigns.groupby("name")
    assert rows_of(db, "email_open_rate", start, end, "campaign") == approx_dict(
        by_name["opens_unique"].sum() / by_name["delivered"].sum())
    ads, meta = in_period(ga4_rows()["ads"], start, end), in_period(meta_rows(), start, end)
    google = ads[ads["channel"].isin(GOOGLE_CHANNELS)].groupby("campaign")["ad_cost"].sum()
    expected = pd.concat([google, meta.groupby("campaign_name")["spend"].sum()])
    assert rows_of(db, "ad_cost", start, end, "campaign") == approx_dict(expected)


@pytest.mark.parametrize(("start", "end"), PERIODS[:3])
def test_by_send_channel_sets_sms_beside_email(db, start, end):
    flows, campaigns = in_period(flow_days(), start, end), in_period(campaign_rows(), start, end)
    expected = (flows.groupby("send_channel")["conversion_value"].sum()
                .add(campaigns.groupby("channel")["conversion_value"].sum(), fill_value=0))
    assert rows_of(db, "email_attributed_revenue", start, end, "send_channel") == approx_dict(expected)
    cart = in_period(flow_days(), start, end)
    cart = cart[cart["role"] == "abandoned_cart"]
    assert rows_of(db, "cart_recovery_revenue", start, end, "send_channel") == approx_dict(
        cart.groupby("send_channel")["conversion_value"].sum())
