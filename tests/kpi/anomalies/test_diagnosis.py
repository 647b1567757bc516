"""The diagnosis rules: each explains the demo shop's planted incident it was written for, and only that."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.cli.demo.store import demo_store
from connectors.demo.shop import PLANTED_ANOMALIES
from kpi.anomalies.contributors import SegmentMove
from kpi.anomalies.detect import detect
from kpi.anomalies.diagnosis import RULES, Day, Move, diagnose
from kpi.anomalies.picture import StoreDay
from kpi.answer import Period
from tests.support.ga4 import AS_OF, synced_demo_db

STORE = demo_store()
EXPLAINED = {"tracking_outage": ("tracking_tag", None), "mobile_checkout_bug": ("device_checkout", "mobile"),
             "email_campaign": ("campaign", "Email"), "bot_traffic": ("bot_traffic", "Referral")}


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("diagnosis") / "demo.db")


def detector_moves(db, day) -> dict[str, Move]:
    """The day's moves as the detector flags them."""
    found = detect(db, STORE, day + timedelta(days=3), period=Period(day, day))
    return {a.metric: Move(a.metric, a.direction, a.value / a.expected - 1 if a.expected else None) for a in found}


@pytest.mark.parametrize("planted", PLANTED_ANOMALIES, ids=lambda p: p.name)
def test_each_rule_explains_the_planted_incident_it_was_written_for(planted_db, planted):
    code, segment = EXPLAINED[planted.name]
    judged = 0
    for day in planted.dates(AS_OF):
        moves = detector_moves(planted_db, day)
        if not moves:
            continue  # a day the detector does not flag (the mobile bug's first and last)
        judged += 1
        [found] = diagnose(Day(moves, StoreDay(planted_db, STORE, day)))
        assert (found.code, found.params.get("segment")) == (code, segment), day
        assert set(found.metrics) == set(moves)  # one incident holds every KPI the day moved
    assert judged


def test_an_ordinary_day_around_them_is_not_diagnosed(planted_db):
    planted_days = {d for p in PLANTED_ANOMALIES for d in p.dates(AS_OF)}
    ordinary = [d for d in (AS_OF - timedelta(days=n) for n in range(8, 50)) if d not in planted_days][:6]
    for day in ordinary:
        facts = StoreDay(planted_db, STORE, day)
        orders_down = {"orders": Move("orders", "down", -0.25), "revenue": Move("revenue", "down", -0.25)}
        assert [d.code for d in diagnose(Day(orders_down, facts))] == [None], day  # noise is not a cause


# -- the conditions, on facts handed in -------------------------------------------------------------------------


class Facts:
    def __init__(self, segments: dict[tuple[str, str], Sequence[SegmentMove]] | None = None,
                 shop: tuple[float, float] | None = None) -> None:
        self._segments, self.shop = segments or {}, shop

    def segments(self, metric: str, dimension: str) -> Sequence[SegmentMove]:
        return self._segments.get((metric, dimension), [])

    def shop_orders(self) -> tuple[float, float] | None:
        return self.shop


def day(facts: Facts | None = None, **moves: tuple[str, float]) -> Day:
    return Day({m: Move(m, d, c) for m, (d, c) in moves.items()}, facts or Facts())


DEVICES = ("mobile", "desktop", "tablet")


def devices(*changes: float, weights: tuple[float, ...] = (0.64, 0.31, 0.05)) -> dict:
    return {("cvr", "device"): [SegmentMove(name, change, weight, change * weight / 100)
                                for name, change, weight in zip(DEVICES, changes, weights, strict=True)]}


def codes(picture: Day) -> list[tuple[str | None, object]]:
    return [(d.code, d.params.get("segment")) for d in diagnose(picture)]


def test_the_tag_rule_wants_a_collapse_with_sessions_holding():
    collapse = {"orders": ("down", -0.97), "revenue": ("down", -0.96)}
    assert codes(day(**collapse)) == [("tracking_tag", None)]
    assert codes(day(**collapse, sessions=("down", -0.5))) == [(None, None)]  # traffic fell too: not the tag
    assert codes(day(orders=("down", -0.35), revenue=("down", -0.3))) == [(None, None)]  # a fall, not a collapse


def test_the_shops_own_orders_confirm_or_refute_the_tag():
    collapse = {"orders": ("down", -0.97), "revenue": ("down", -0.96)}
    [confirmed] = diagnose(day(Facts(shop=(150.0, 4.0)), **collapse))
    assert confirmed.code == "tracking_tag" and confirmed.params == {"shop_orders": 150.0, "ga4_orders": 4.0}
    assert codes(day(Facts(shop=(6.0, 4.0)), **collapse)) == [(None, None)]  # the shop took none either


def test_checkout_on_one_device_only():
    fall = {"cvr": ("down", -0.4), "orders": ("down", -0.4)}
    assert codes(day(Facts(devices(-0.75, 0.05, 0.4)), **fall)) == [("device_checkout", "mobile")]
    assert codes(day(Facts(devices(-0.75, -0.6, 0.0)), **fall)) == [(None, None)]  # desktop fell too
    assert codes(day(Facts(devices(-0.1, 0.02, -0.9)), **fall)) == [(None, None)]  # small falls: no cause
    assert codes(day(Facts(devices(-0.75, 0.05, 0.0)), sessions=("down", -0.4), **fall)) == [(None, None)]


def channels(leader: str, change: float) -> dict:
    others = [SegmentMove(name, 0.02, 0.15, 10.0) for name in ("Organic Search", "Direct", "Paid Search")]
    return {("sessions", "channel"): [SegmentMove(leader, change, 0.3, 3000.0), *others]}


def test_bot_traffic_and_a_campaign_are_told_apart_by_conversion():
    bots = {"sessions": ("up", 1.3), "cvr": ("down", -0.5), "bounce_rate": ("up", 0.8)}
    assert codes(day(Facts(channels("Referral", 25.0)), **bots)) == [("bot_traffic", "Referral")]
    campaign = {"orders": ("up", 0.6), "cvr": ("up", 0.45), "email_revenue_share": ("up", 2.0)}
    assert codes(day(Facts(channels("Email", 3.0)), **campaign)) == [("campaign", "Email")]
    assert codes(day(Facts(channels("Paid Social", 3.0)), **campaign)) == [(None, None)]  # not an email or SMS
    assert codes(day(Facts(channels("Email", 3.0)), **bots)) == [("bot_traffic", "Email")]  # it does not convert


def test_moves_no_rule_explains_join_the_first_incident_or_make_their_own():
    facts = Facts(channels("Referral", 25.0))
    [bot] = diagnose(day(facts, sessions=("up", 1.3), cvr=("down", -0.5), ad_cost=("up", 0.4)))
    assert bot.code == "bot_traffic" and set(bot.metrics) == {"sessions", "cvr", "ad_cost"}
    [alone] = diagnose(day(ad_cost=("up", 0.4)))
    assert alone.code is None and alone.metrics == ("ad_cost",)
    assert diagnose(day()) == []


def test_every_rule_explains_kpis_and_names_a_unique_code():
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert all(rule.explains and rule.when for rule in RULES)
