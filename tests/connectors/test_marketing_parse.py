"""Pure parsing of saved Klaviyo and Meta answers, flow roles, and the client-side pacer."""

from __future__ import annotations

import json

import pytest

from connectors.klaviyo.parse import (
    Campaign,
    campaign_value_rows,
    flow_series_rows,
    parse_campaigns,
    parse_flows,
    placed_order_metric,
    send_date,
)
from connectors.klaviyo.reports import STATISTICS, rejected_statistic
from connectors.klaviyo.roles import assign_roles, recognise
from connectors.meta_ads.parse import insight_rows, pause_for, purchases, usage
from connectors.pacing import Pacer, SimClock
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_flow_series_rows_are_one_per_active_day_and_message():
    page = load("klaviyo/flow_series.json")
    rows = flow_series_rows("s", [page], STATISTICS)
    results = page["data"]["attributes"]["results"]
    active = sum(1 for r in results for i in range(3) if any(r["statistics"][s][i] for s in STATISTICS))
    assert len(rows) == active == 4  # the all-zero message and the quiet days are not stored
    for name in STATISTICS:
        assert sum(row[name] for row in rows) == pytest.approx(sum(sum(r["statistics"][name]) for r in results))
    sms = [row for row in rows if row["send_channel"] == "sms"]
    assert {row["date"] for row in sms} == {"2026-11-01", "2026-11-02"} and all(r["flow_id"] == "XVTP5Q" for r in sms)


def test_a_statistic_left_out_is_stored_as_unknown_not_zero():
    kept = tuple(s for s in STATISTICS if s != "conversion_uniques")
    rows = flow_series_rows("s", [load("klaviyo/flow_series.json")], kept)
    assert rows and all(row["conversion_uniques"] is None for row in rows)
    assert all(row["recipients"] is not None for row in rows)


def test_campaign_totals_land_on_the_local_send_date_and_messages_add_up():
    campaigns = {c.campaign_id: c for c in parse_campaigns(load("klaviyo/campaigns_email.json"), "email")}
    page = load("klaviyo/campaign_values.json")
    rows, unplaced = campaign_value_rows("s", [page], STATISTICS, campaigns, "Europe/Rome")
    by_id = {(row["campaign_id"], row["send_channel"]): row for row in rows}
    teaser = by_id[("01JBQ3M4N5P6Q7R8S9T0V1W2X3", "email")]
    assert teaser["recipients"] == 5000 + 3000 and teaser["conversion_value"] == pytest.approx(3190.4 + 1500.0)
    assert teaser["date"] == "2026-11-20"
    midnight = by_id[("01JBQ9Z8Y7X6W5V4T3S2R1Q0P9", "sms")]
    assert midnight["send_time"].startswith("2026-03-28T23:30") and midnight["date"] == "2026-03-29"  # Rome, CET
    assert unplaced == ["01JUNKNOWN0000000000000000"]


def test_send_date_follows_the_store_time_zone_across_daylight_saving():
    assert send_date("2026-07-01T22:30:00+00:00", "Europe/Rome") == "2026-07-02"  # CEST, +2
    assert send_date("2026-01-01T22:30:00Z", "Europe/Rome") == "2026-01-01"  # CET, +1
    assert send_date("2026-01-01T03:00:00", "America/New_York") == "2025-12-31"  # no offset means UTC


def test_lists_and_the_placed_order_metric():
    flows = parse_flows(load("klaviyo/flows_page.json"))
    assert [f.flow_id for f in flows] == ["XVTP5Q", "R8kLmN", "Tq2Wv9"] and flows[2].archived
    drafts = [c for c in parse_campaigns(load("klaviyo/campaigns_email.json"), "email") if c.send_time is None]
    assert [c.name for c in drafts] == ["Draft for December"]
    assert placed_order_metric([load("klaviyo/metrics.json")]) == "RESQ6t"  # the shop's, not the API's
    assert placed_order_metric([{"data": []}]) is None


def test_the_refused_statistic_is_found_by_pointer_or_by_name():
    errors = load("klaviyo/error_statistic_400.json")["errors"]
    assert rejected_statistic(errors, STATISTICS) == STATISTICS[5] == "conversion_uniques"
    by_text = [{"detail": "'opens_unique' is not a valid choice for 'statistics'."}]
    assert rejected_statistic(by_text, STATISTICS) == "opens_unique"
    assert rejected_statistic([{"detail": "timeframe too long"}], STATISTICS) is None


@pytest.mark.parametrize(("name", "role"), [
    ("Welcome Series", "welcome"), ("Serie di Benvenuto", "welcome"), ("Benvenuta nel club", "welcome"),
    ("Abandoned Cart", "abandoned_cart"), ("Carrello abbandonato - SMS", "abandoned_cart"),
    ("Abbandono del carrello", "abandoned_cart"), ("Post-Purchase Thank You", "post_purchase"),
    ("Post-acquisto", "post_purchase"), ("Dopo l'acquisto", "post_purchase"), ("Win-back 90 days", "winback"),
    ("Riattivazione clienti", "winback"), ("Winback", "winback"), ("Compleanno", None), ("Browse Abandonment", None),
])
def test_roles_are_recognised_in_english_and_italian(name, role):
    assert recognise(name) == role


def test_configured_names_win_and_unknown_names_are_reported():
    flows = parse_flows(load("klaviyo/flows_page.json"))
    match = assign_roles(flows, {"abandoned_cart": ("carrello  ABBANDONATO", "Cart SMS"), "welcome": ("Benvenuto",)})
    assert match.roles == {"R8kLmN": "abandoned_cart"}  # welcome is configured, so "Welcome Series" is not guessed
    assert match.unmatched == [("abandoned_cart", "Cart SMS"), ("welcome", "Benvenuto")]
    assert match.missing == ["welcome", "post_purchase", "winback"]  # the archived win-back flow is not guessed
    assert assign_roles(flows, {}).roles == {"XVTP5Q": "welcome", "R8kLmN": "abandoned_cart"}


def test_purchases_take_one_action_type_never_the_sum():
    page = load("meta/insights_page.json")
    rows = {row["campaign_id"]: row for row in insight_rows("s", "act_1", [page])}
    first = page["data"][0]
    omni = next(a for a in first["actions"] if a["action_type"] == "omni_purchase")
    assert rows["120210000000001"]["purchases"] == float(omni["value"])  # 6, not 18
    assert rows["120210000000001"]["purchase_value"] == pytest.approx(455.80)
    assert rows["120210000000002"]["purchases"] == 4.0  # no omni_purchase: purchase
    assert rows["120210000000003"]["purchases"] == 0.0 and rows["120210000000003"]["purchase_value"] == 0.0
    assert rows["120210000000001"]["spend"] == pytest.approx(152.37) and rows["120210000000001"]["clicks"] == 912
    assert {row["currency"] for row in rows.values()} == {"EUR"}
    assert purchases([{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"}]) == 0.0


def test_usage_headers_slow_down_then_stop_before_the_limit():
    normal = usage(load("meta/usage_headers.json"))
    assert normal.percent == 70.1 and normal.regain_seconds == 0  # the insights throttle is the tightest
    assert 0 < pause_for(normal) < 180
    throttled = usage(load("meta/usage_throttled_headers.json"))
    assert throttled.regain_seconds == 12 * 60 and pause_for(throttled) is None
    assert pause_for(usage({})) == 0.0
    assert usage({"x-ad-account-usage": "not json"}).percent == 0.0


def test_the_pacer_keeps_to_one_a_second_and_two_a_minute():
    clock = SimClock(1000.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(7):
        pacer.wait()
        sent.append(clock())
    assert all(b - a >= 1.0 for a, b in zip(sent, sent[1:], strict=False))
    assert all(sent[i + 2] - sent[i] >= 60.0 for i in range(len(sent) - 2))
    assert sent[-1] - sent[0] < 3 * 61 + 2  # and no slower than it must


def test_a_campaign_without_a_send_time_has_no_day():
    teaser = "01JBQ3M4N5P6Q7R8S9T0V1W2X3"
    rows, unplaced = campaign_value_rows("s", [load("klaviyo/campaign_values.json")], STATISTICS,
                                         {teaser: Campaign(teaser, "x", "email")}, "Europe/Rome")
    assert rows == [] and len(unplaced) == 4
