"""Relative alert rules are data: the defaults are the two rules kpibot always had, and the rules in
force (the file's, or Slack's, which win) are the ones the alert check applies (issue 13).

Expectations are computed with pandas on the emulator's own rows, not by the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from functools import cache

import pandas as pd
import pytest

from connectors.team_settings.targets import save_overrides
from kpi.settings import DEFAULT_ALERT_RULES, RelativeRule, StoreSettings
from schedules.findings import find_all, last_final_day, relative_findings
from schedules.targets import effective_store
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db

STORE = StoreSettings(name="demo-shop", ga4_property="100000001")


@cache
def sessions() -> pd.DataFrame:
    return demo_frames()["sessions"]


def total(measure: str, day: date) -> float:
    frame = sessions()
    return float(frame.loc[frame["date"] == day.isoformat(), measure].sum())


def first_day(falling: bool) -> date:
    """The latest final day whose revenue, orders and sessions all fell (or all rose) by over 10% in a week."""
    day = last_final_day(AS_OF)
    while True:
        changes = [total(m, day) / total(m, day - timedelta(days=7)) - 1 for m in ("revenue", "orders", "sessions")]
        if all(c < -0.10 for c in changes) if falling else all(c > 0.10 for c in changes):
            return day
        day -= timedelta(days=1)


class Days(Mapping[str, date]):
    """The falling and the rising day, searched for on first use, not at import: collection runs in every
    xdist worker, and only the trends' names are needed to parametrize."""

    def __getitem__(self, trend: str) -> date:
        return found_days()[trend]

    def __iter__(self) -> Iterator[str]:
        return iter(("falling", "rising"))

    def __len__(self) -> int:
        return 2


@cache
def found_days() -> dict[str, date]:
    return {"falling": first_day(True), "rising": first_day(False)}


DAYS = Days()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("rules") / "kpibot.db")


def dropped(day: date, measure: str, drop: float) -> bool:
    """What a rule should find, from the raw rows: down more than ``drop`` vs the same weekday a week before."""
    before = total(measure, day - timedelta(days=7))
    return before > 0 and total(measure, day) < before * (1 - drop)


def test_the_defaults_are_the_two_rules_kpibot_always_had():
    assert DEFAULT_ALERT_RULES == (RelativeRule("revenue", 0.20, 1000.0), RelativeRule("orders", 0.20, 20.0))
    assert STORE.relative_rules == DEFAULT_ALERT_RULES and STORE.alert_rules is None


@pytest.mark.parametrize("trend", sorted(DAYS))
@pytest.mark.parametrize("measure", ["revenue", "orders", "sessions"])
@pytest.mark.parametrize("drop", [0.01, 0.10, 0.9])
def test_a_rule_finds_exactly_the_drops_the_rows_show(db, trend, measure, drop):
    store = StoreSettings(name="demo-shop", ga4_property="1", alert_rules=(RelativeRule(measure, drop, 0.0),))
    found = [f.metric for f in relative_findings(db, store, DAYS[trend])]
    assert found == ([measure] if dropped(DAYS[trend], measure, drop) else [])
    assert dropped(DAYS[trend], measure, 0.01) == (trend == "falling")  # both cases are really exercised


def test_the_minimum_volume_is_measured_on_its_own_kpi(db):
    day = DAYS["falling"]
    orders_before = total("orders", day - timedelta(days=7))
    for minimum, expected in ((orders_before, ["revenue"]), (orders_before + 1, [])):
        rule = RelativeRule("revenue", 0.05, minimum, "orders")
        store = StoreSettings(name="demo-shop", ga4_property="1", alert_rules=(rule,))
        assert [f.metric for f in relative_findings(db, store, day)] == expected


def test_rules_set_from_slack_win_over_the_file_in_the_alert_check(db):
    as_of = DAYS["falling"] + (AS_OF - last_final_day(AS_OF))  # the alert check judges the falling day
    slack_rule = {"metric": "sessions", "drop_fraction": 0.05, "min_volume": 0.0, "volume_metric": None}
    never = RelativeRule("sessions", 0.99, 0.0)
    store = StoreSettings(name="demo-shop", ga4_property="1", alert_rules=(never,))
    assert [f for f in find_all(db, store, as_of) if f.kind == "relative"] == []
    save_overrides(db, "demo-shop", {}, [slack_rule], False, "UADMIN", "2026-11-24T09:00:00+00:00")
    try:
        assert effective_store(db, store).relative_rules == (RelativeRule("sessions", 0.05, 0.0),)
        assert [f.metric for f in find_all(db, store, as_of) if f.kind == "relative"] == ["sessions"]
        save_overrides(db, "demo-shop", {}, [], False, "UADMIN", "2026-11-24T09:00:00+00:00")  # none at all
        assert effective_store(db, store).relative_rules == ()
    finally:
        save_overrides(db, "demo-shop", {}, None, False, "reset", "2026-11-24T09:00:00+00:00")
    assert effective_store(db, store).relative_rules == (never,)
