"""Crafted alert buttons over signed HTTP: a snooze of 10,000 days, values that smuggle a length (issue 13).

Snooze lengths are the action ids themselves (1 or 7 days); the value only names an episode.
Whatever else a payload says is refused politely, changes nothing and leaves one short log line.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.cli.composition import ThreadWarehouse
from bot.slack.access import Membership
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.http import serve_in_thread
from connectors.episodes_store import open_episode
from connectors.warehouse import open_database
from kpi.settings import Settings, StoreSettings
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import AS_OF
from tests.support.slack import SECRET, TOKEN, block_action, post_signed

SHOP = "C0SHOP"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("forged") / "kpibot.db"
    db = open_database(path)
    episode = open_episode(db, {
        "store": "demo-shop", "metric": "sessions", "kind": "anomaly",
        "opened_on": (AS_OF - timedelta(days=2)).isoformat(), "last_seen_on": (AS_OF - timedelta(days=1)).isoformat(),
        "value": 10.0, "expected": 20.0,
        "severity": "warning", "state": "open", "channel": SHOP, "updated_at": "2026-11-24T06:00:00+00:00"})
    db.close()
    store = StoreSettings(name="demo-shop", ga4_property="1", language="en", channels=(SHOP,), alert_channel=SHOP)
    settings = Settings(database=path, language="en", stores=(store,))
    with fake_slack() as slack:
        slack.members["UMEMBER"] = [SHOP]
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(path), client, SECRET, lambda s: AS_OF,
                        membership=Membership(client))
        with serve_in_thread(app) as url:
            yield {"slack": slack, "events": f"{url}/slack/events", "episode": episode,
                   "warehouse": ThreadWarehouse(path)}


def state(world) -> list:
    return world["warehouse"]().execute("SELECT * FROM alert_episodes ORDER BY id").fetchall()


def click(world, action: str, value: str) -> dict:
    slack = world["slack"]
    before = len(slack.of("respond"))
    body = block_action(action, value, SHOP, slack.response_url(), "UMEMBER")
    status, _, seconds = post_signed(world["events"], body)
    assert status == 200 and seconds < 3
    return slack.wait_for("respond", before + 1)[before].params


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "kpibot.access"]


@pytest.mark.parametrize("action", ["alert_snooze_10000d", "alert_snooze_-1d", "alert_snooze_7d_extra", "alert_delete"])
def test_a_crafted_snooze_length_is_refused_politely_and_changes_nothing(world, caplog, action):
    caplog.set_level(logging.INFO)
    before = state(world)
    reply = click(world, action, str(world["episode"]))
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert reply["text"] == "Sorry, kpibot does not know that button; nothing was changed."
    assert state(world) == before
    assert len(lines(caplog)) == 1 and action[:20] in lines(caplog)[0] and len(lines(caplog)[0]) < 160


@pytest.mark.parametrize("value", ["{episode}|10000", '{{"episode": {episode}, "days": 10000}}', "{episode} 10000",
                                   "{episode}0000000000000000000", "-{episode}"])
def test_a_value_that_smuggles_a_length_finds_no_alert(world, caplog, value):
    caplog.set_level(logging.INFO)
    before = state(world)
    reply = click(world, "alert_snooze_7d", value.format(episode=world["episode"]))
    assert reply["text"] == "This alert no longer exists." and state(world) == before
    assert len(lines(caplog)) == 1 and "no such alert episode" in lines(caplog)[0]


def test_the_honoured_snooze_is_exactly_its_seven_days(world):
    reply = click(world, "alert_snooze_7d", str(world["episode"]))
    row = world["warehouse"]().execute("SELECT state, snoozed_until FROM alert_episodes WHERE id = ?",
                                       [world["episode"]]).fetchone()
    assert row == ("snoozed", (AS_OF + timedelta(days=7)).isoformat()) and reply["replace_original"] is True
    assert json.dumps(reply["blocks"]).count("alert_snooze") == 2  # the message keeps its two fixed lengths
