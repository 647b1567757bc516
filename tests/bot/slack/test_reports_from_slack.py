"""`/kpi schedule`, `/kpi schedules`, Cancel, and replies in the asker's Slack language, over signed HTTP.

``demo-shop`` is Italian (channel C0SHOP, the synced demo data), ``other-shop`` English
(C0OTHER, reading the same synced rows: its store name is the only thing that differs).
The fake Slack answers ``users.info`` with each person's ``locale``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block

from bot.cli.composition import ThreadWarehouse
from bot.render.reports import CANCEL_ACTION
from bot.slack.access import Membership
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.http import serve_in_thread
from bot.slack.locale import LOCALE_TTL, Locales
from connectors.team_settings.reports import add_report, channel_reports, report
from kpi.settings import Settings, StoreSettings
from schedules.reports import PER_CHANNEL
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import AS_OF, synced_demo_db
from tests.support.slack import SECRET, TOKEN, block_action, command_reply, post_signed

SHOP, OTHER, NOWHERE = "C0SHOP", "C0OTHER", "C0NOWHERE"
MEMBERS = {"UMEMBER": [SHOP], "UOTHER": [OTHER], "UITALIAN": [OTHER], "UFRENCH": [OTHER], "UNOBODY": ["C0A"]}
LOCALES = {"UITALIAN": "it-IT", "UFRENCH": "fr-FR", "UOTHER": "en-GB", "UMEMBER": "it-IT"}
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Ticks:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports-slack")
    synced_demo_db(folder / "kpibot.db").close()
    stores = (StoreSettings(name="demo-shop", ga4_property="100000001", language="it", channels=(SHOP,)),
              StoreSettings(name="other-shop", ga4_property="100000001", language="en", channels=(OTHER,),
                            timezone="America/New_York"))
    settings = Settings(database=folder / "kpibot.db", language="en", stores=stores)
    ticks = Ticks()
    with fake_slack() as slack:
        slack.members.update({user: list(channels) for user, channels in MEMBERS.items()})
        slack.locales.update(LOCALES)
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(settings.database), client, SECRET, lambda store: AS_OF,
                        membership=Membership(client), locales=Locales(client, clock=ticks), clock=lambda: NOW)
        with serve_in_thread(app) as url:
            yield {"slack": slack, "events": f"{url}/slack/events", "settings": settings, "ticks": ticks,
                   "warehouse": ThreadWarehouse(settings.database)}


@pytest.fixture
def slack(world):
    world["slack"].calls.clear()
    return world["slack"]


def command(world, text: str, user: str, channel: str = SHOP) -> dict:
    return command_reply(world["slack"], world["events"], text, user, channel)


def click_cancel(world, value: str, user: str, channel: str = SHOP) -> dict:
    slack = world["slack"]
    before = len(slack.of("respond"))
    assert post_signed(world["events"], block_action(CANCEL_ACTION, value, channel, slack.response_url(), user))[0] \
        == 200
    return slack.wait_for("respond", before + 1)[before].params


def rows(world, channel: str = SHOP) -> list:
    return channel_reports(world["warehouse"](), channel)


@pytest.mark.parametrize("text, weekday, at, query", [
    ('schedule "revenue last-7d by channel" every monday 09:00', 0, "09:00", "revenue last-7d by channel"),
    ("pianifica “fatturato ultimi 7 giorni per canale” ogni lunedì alle 9", 0, "09:00",
     "fatturato ultimi 7 giorni per canale"),
    ('schedule "aov last-30d" every day 08:30', None, "08:30", "aov last-30d"),
    ("pianifica \"ordini ieri\" ogni giorno alle 8:30", None, "08:30", "ordini ieri")])
def test_a_member_schedules_a_report_in_english_or_italian(world, slack, text, weekday, at, query):
    before = {row["id"] for row in rows(world)}
    reply = command(world, text, "UMEMBER")
    added = [row for row in rows(world) if row["id"] not in before]
    assert len(added) == 1 and (added[0]["weekday"], added[0]["at_time"], added[0]["query"]) == (weekday, at, query)
    assert added[0]["store"] == "demo-shop" and added[0]["created_by"] == "UMEMBER"
    assert reply["response_type"] == "ephemeral" and f"#{added[0]['id']}" in reply["text"]
    assert "Pianificato" in reply["text"]  # UMEMBER reads Slack in Italian
    assert ("ogni lunedì alle 09:00" if weekday == 0 else "ogni giorno alle 08:30") in reply["text"]


@pytest.mark.parametrize("text, problem", [
    ("schedule revenue every monday 9", "virgolette"),
    ('schedule "revenue" every funday 9', "`funday` non è un giorno"),
    ('schedule "revenue" every monday 25:00', "`25:00` non è un orario"),
    ('schedule "fatturatto ieri" every day 9', "fatturato")])
def test_what_cannot_be_scheduled_is_explained_and_nothing_is_stored(world, slack, text, problem):
    before = rows(world)
    reply = command(world, text, "UMEMBER")
    assert problem in reply["text"] and "Esempio" in reply["text"]
    assert rows(world) == before


def test_only_members_of_the_stores_channels_may_schedule_there(world, slack, caplog):
    caplog.set_level(logging.INFO)
    before = rows(world)
    reply = command(world, 'schedule "revenue yesterday" every day 9', "UNOBODY")
    assert "Mi dispiace" in reply["text"] and rows(world) == before
    lines = [r.getMessage() for r in caplog.records if r.name == "kpibot.access"]
    assert len(lines) == 1 and "UNOBODY" in lines[0]
    reply = command(world, 'schedule "revenue yesterday" every day 9', "UMEMBER", channel=NOWHERE)
    assert "kpibot.toml" in reply["text"] and rows(world, NOWHERE) == []


def test_the_list_shows_the_channels_reports_with_a_cancel_button_each_and_cancel_works(world, slack):
    command(world, 'schedule "sessions last-7d" every friday 17:00', "UMEMBER")
    listing = command(world, "schedules", "UMEMBER")
    for block in listing["blocks"]:
        Block.parse(block).validate_json()
    buttons = [b["accessory"] for b in listing["blocks"] if "accessory" in b]
    assert len(buttons) == len(rows(world)) and all(b["action_id"] == CANCEL_ACTION for b in buttons)
    target = rows(world)[-1]["id"]
    reply = click_cancel(world, str(target), "UMEMBER")
    assert reply["replace_original"] is True and f"#{target}" in reply["text"]
    found = report(world["warehouse"](), target)
    assert found["cancelled_by"] == "UMEMBER" and target not in {row["id"] for row in rows(world)}
    assert click_cancel(world, str(target), "UMEMBER")["text"] == "Questo report pianificato non esiste più."


def schedule_in_other_shop(world) -> int:
    fields = {"store": "other-shop", "channel": OTHER, "query": "revenue yesterday", "weekday": None,
              "at_time": "07:00", "created_by": "UOTHER", "created_at": NOW.isoformat()}
    report_id = add_report(world["warehouse"](), fields, limit_per_channel=10**6)  # straight in: no limit here
    assert report_id is not None
    return report_id


FORGED_CANCELS = {
    # a member of demo-shop clicks, in demo-shop's channel, a Cancel naming other-shop's report
    "another channel's report": ("UMEMBER", SHOP),
    # a member of other-shop, but the click comes from a channel mapped to no store
    "a channel not allowed": ("UOTHER", NOWHERE),
    # the right channel, but not a member of it
    "not a member": ("UNOBODY", OTHER),
}


@pytest.mark.parametrize("forgery", sorted(FORGED_CANCELS))
def test_forged_cancels_are_refused_politely_change_nothing_and_leave_one_line(world, slack, caplog, forgery):
    caplog.set_level(logging.INFO)
    report_id = schedule_in_other_shop(world)
    user, channel = FORGED_CANCELS[forgery]
    reply = click_cancel(world, str(report_id), user, channel)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert ("Sorry" in reply["text"] or "Mi dispiace" in reply["text"]) and "revenue" not in reply["text"]
    assert report(world["warehouse"](), report_id)["cancelled_at"] is None
    lines = [r.getMessage() for r in caplog.records if r.name == "kpibot.access"]
    assert len(lines) == 1 and CANCEL_ACTION in lines[0] and len(lines[0]) < 160


@pytest.mark.parametrize("value", ["1; DROP TABLE report_schedules", "9" * 40, "-1", "", "١"])
def test_crafted_cancel_values_find_nothing(world, slack, value):
    before = rows(world)
    assert click_cancel(world, value, "UMEMBER")["text"] == "Questo report pianificato non esiste più."
    assert rows(world) == before


def test_a_channel_holds_at_most_its_limit_of_reports(world, slack):
    db = world["warehouse"]()
    while len(channel_reports(db, OTHER)) < PER_CHANNEL:
        schedule_in_other_shop(world)
    reply = command(world, 'schedule "revenue yesterday" every day 9', "UOTHER", channel=OTHER)
    assert f"{PER_CHANNEL}" in reply["text"] and len(channel_reports(db, OTHER)) == PER_CHANNEL
    listing = command(world, "schedules", "UOTHER", channel=OTHER)
    assert len(listing["blocks"]) <= 50 and sum(1 for b in listing["blocks"] if "accessory" in b) == PER_CHANNEL


# ---- the asker's language ------------------------------------------------------------------------------------


def test_private_replies_follow_the_askers_slack_language_and_public_ones_the_stores(world, slack):
    italian = command(world, "revenue last-7d", "UITALIAN", channel=OTHER)
    assert italian["response_type"] == "ephemeral" and "Fatturato" in italian["text"]
    public = command(world, "revenue last-7d public", "UITALIAN", channel=OTHER)
    assert public["response_type"] == "in_channel" and "Revenue" in public["text"] and "Fatturato" not in public[
        "text"]
    french = command(world, "revenue last-7d", "UFRENCH", channel=OTHER)  # kpibot speaks no French: the store's
    assert "Revenue" in french["text"]
    error = command(world, "fatturatto ieri", "UITALIAN", channel=OTHER)
    assert "Non ho capito" in error["text"]
    asked = [c.params for c in slack.of("users.info")]
    assert asked and all(str(p["include_locale"]).lower() in ("1", "true") for p in asked)  # slack_sdk sends 1


def test_the_language_is_asked_once_per_person_for_a_few_minutes(world, slack):
    world["ticks"].now += LOCALE_TTL + 1  # whatever earlier tests cached has run out

    def asked() -> int:
        return len([c for c in slack.of("users.info") if c.params["user"] == "UOTHER"])

    for _ in range(3):
        command(world, "help", "UOTHER", channel=OTHER)
    assert asked() == 1
    world["ticks"].now += LOCALE_TTL - 1
    command(world, "help", "UOTHER", channel=OTHER)
    assert asked() == 1
    world["ticks"].now += 2
    command(world, "help", "UOTHER", channel=OTHER)
    assert asked() == 2


def test_slack_failing_to_say_the_language_leaves_the_stores(world, slack):
    slack.fail("users.info", status=500)
    world["ticks"].now += LOCALE_TTL + 1
    reply = command(world, "revenue last-7d", "UITALIAN", channel=OTHER)
    assert "Revenue" in reply["text"]

