"""What the KPI maths reads of the marketing tables: flow names and roles, platforms, unknown statistics.

The warehouse is filled through the real clients and emulators; expectations are pandas over
the emulators' own rows.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connectors.klaviyo.store import flow_roles, save_flows, stored_flows
from connectors.klaviyo.sync import sync_klaviyo
from connectors.meta_ads.sync import sync_meta_ads
from connectors.warehouse import open_database, write_chunk
from tests.support.ga4 import AS_OF
from tests.support.marketing import (
    MARKETING_STORE,
    STORE,
    Recorder,
    fixed_now,
    in_period,
    klaviyo_client,
    klaviyo_demo,
    klaviyo_emulator,
    meta_client,
    meta_demo,
    meta_emulator,
)

START, END = AS_OF - timedelta(days=30), AS_OF - timedelta(days=1)
ROLE_OF = {"Serie di benvenuto": "welcome", "Carrello abbandonato": "abandoned_cart", "Post-acquisto": "post_purchase",
           "Riattivazione clienti": "winback"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("reads") / "k.db")
    with klaviyo_emulator() as (url, _):
        sync_klaviyo(db, klaviyo_client(url, Recorder()), MARKETING_STORE, AS_OF, now=fixed_now,
                     since=AS_OF - timedelta(days=40))
    with meta_emulator() as (url, _):
        sync_meta_ads(db, meta_client(url, Recorder()), MARKETING_STORE, AS_OF, now=fixed_now,
                      since=AS_OF - timedelta(days=40))
    return db


def flow_rows():
    demo = klaviyo_demo()
    rows = in_period(demo.flow_days.merge(demo.flows[["flow_id", "name"]], on="flow_id"), START, END)
    return rows.assign(role=rows["name"].map(ROLE_OF))


@pytest.mark.parametrize("measure", ["recipients", "opens_unique", "conversion_value"])
def test_flow_sums_split_by_flow_name_and_filter_by_role(db, measure):
    rows = flow_rows()
    expected = {str(k): float(v) for k, v in rows.groupby("name")[measure].sum().items()}
    assert db.sums(STORE, "klaviyo_flows", measure, START, END, by="flow") == pytest.approx(expected)
    for name, role in ROLE_OF.items():
        email = rows[(rows["role"] == role) & (rows["send_channel"] == "email")]
        assert db.sums(STORE, "klaviyo_flows", measure, START, END, where={"role": role, "send_channel": "email"}) \
            == pytest.approx({"": float(email[measure].sum())}), name


def test_a_renamed_flow_shows_its_whole_history_under_its_new_name(db):
    flows = stored_flows(db, STORE)
    welcome = next(flow for flow in flows if flow.name == "Serie di benvenuto")
    renamed = [replace(flow, name="Benvenuto 2027") if flow is welcome else flow for flow in flows]
    save_flows(db, STORE, renamed, {welcome.flow_id: "welcome"}, datetime(2026, 11, 25, tzinfo=UTC))
    try:
        split = db.sums(STORE, "klaviyo_flows", "delivered", START, END, by="flow")
        expected = flow_rows().query("name == 'Serie di benvenuto'")["delivered"].sum()
        assert split["Benvenuto 2027"] == pytest.approx(expected) and "Serie di benvenuto" not in split
        assert flow_roles(db, STORE) == [("welcome", "Benvenuto 2027")]
    finally:
        roles = {flow.flow_id: ROLE_OF[flow.name] for flow in flows if flow.name in ROLE_OF}
        save_flows(db, STORE, flows, roles, datetime(2026, 11, 26, tzinfo=UTC))


def test_meta_rows_read_as_platform_meta_and_ga4s_paid_social_channel(db):
    rows = in_period(meta_demo().rows, START, END)
    spend = float(rows["spend"].sum())
    assert db.sums(STORE, "meta_ads", "spend", START, END, by="platform") == pytest.approx({"meta": spend})
    assert db.sums(STORE, "meta_ads", "spend", START, END, by="channel") == pytest.approx({"Paid Social": spend})
    assert db.sums(STORE, "meta_ads", "spend", START, END, by="campaign") == pytest.approx(
        {k: float(v) for k, v in rows.groupby("campaign_name")["spend"].sum().items()})
    assert db.sums(STORE, "meta_ads", "spend", START, END, where={"currency": "USD"}) == {}


@pytest.mark.parametrize("channel, platform", [
    ("Paid Search", "google"), ("Paid Shopping", "google"), ("Paid Video", "google"), ("Display", "google"),
    ("Cross-network", "google"), ("Paid Social", "other"), ("Paid Other", "other"), ("Organic Search", "other")])
def test_each_ga4_ads_channel_group_is_google_or_other(channel, platform):
    db, day = open_database(), AS_OF.isoformat()
    write_chunk(db, "ga4_ads", [{"store": "s", "date": day, "channel": channel, "campaign": "c", "ad_cost": 12.5,
                                 "ad_clicks": 3, "ad_impressions": 40}],
                {"store": "s", "report": "ads", "start_date": day, "end_date": day, "currency": "EUR",
                 "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0, "sampled": 0, "rows": 1,
                 "fetched_at": "x"})
    assert db.sums("s", "ads", "ad_cost", AS_OF, AS_OF, by="platform") == {platform: 12.5}


def test_a_refused_statistic_reads_as_unknown_never_as_a_partial_sum(tmp_path):
    db = open_database(tmp_path / "k.db")
    with klaviyo_emulator(rejected_statistics={"conversion_value"}) as (url, _):
        sync_klaviyo(db, klaviyo_client(url, Recorder()), MARKETING_STORE, AS_OF, now=fixed_now,
                     since=AS_OF - timedelta(days=20))
    start = AS_OF - timedelta(days=10)
    totals = db.sums(STORE, "klaviyo_flows", "conversion_value", start, END, by="flow")
    assert totals and all(math.isnan(value) for value in totals.values())
    daily = db.daily(STORE, "klaviyo_flows", "conversion_value", start, END)
    assert len(daily) and daily["value"].isna().all()
    delivered = db.sums(STORE, "klaviyo_flows", "delivered", start, END)
    expected = in_period(klaviyo_demo().flow_days, start, END)["delivered"].sum()
    assert delivered == pytest.approx({"": float(expected)})
