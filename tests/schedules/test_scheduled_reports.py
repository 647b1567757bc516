"""Reports people schedule, run by the real Jobs on an injected clock against the fake Slack (issue 13).

Each slot is one delivery (``store|report|<id>@<local slot>|channel``) through the exactly-once
machinery; a kill is ``os._exit`` in a child process at a delivery checkpoint, as for digests.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli.composition import ThreadWarehouse
from bot.slack.replies import SlackReplies
from connectors.delivery_store import delivery
from connectors.team_settings.reports import add_report, cancel_report
from connectors.warehouse import open_database
from kpi.settings import Settings
from schedules.delivery import CLAIM_TIME
from schedules.jobs import SWEEP
from schedules.reports import GRACE, PER_CHANNEL
from tests.fakes.slack_api import fake_slack
from tests.support import forked
from tests.support.deliveries import CHANNEL, STORE, Clock, messages_with, shop_jobs, shop_settings
from tests.support.delivery_child import KILLED
from tests.support.engines import ENGINES
from tests.support.ga4 import AS_OF, synced_demo_location

QUERY = "revenue last-7d by channel"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(params=ENGINES)
def shop(request, tmp_path):
    with synced_demo_location(request.param, tmp_path) as location:
        yield from _shop(shop_settings(location))


def _shop(settings: Settings):
    with fake_slack() as slack:
        clock = Clock(datetime(2026, 11, 23, 5, 0, tzinfo=UTC))
        slack.clock = lambda: clock().timestamp()
        yield settings, slack, clock


def schedule(settings: Settings, weekday: int | None, at: str, created: datetime, query: str = QUERY) -> int:
    fields = {"store": STORE, "channel": CHANNEL, "query": query, "weekday": weekday, "at_time": at,
              "created_by": "UMEMBER", "created_at": created.isoformat()}
    report_id = add_report(open_database(settings.database), fields, PER_CHANNEL)
    assert report_id is not None
    return report_id


def key(report_id: int, day: date, at: str = "09:00") -> str:
    return f"{STORE}|report|{report_id}@{day.isoformat()}T{at}|{CHANNEL}"


def charts(slack) -> int:
    """Charts posted in the channel itself, as `/kpi … public` posts them (the digest's go in its thread)."""
    return len([c for c in slack.of("files.completeUploadExternal") if not c.params.get("thread_ts")])


def public_answer(settings: Settings, text: str, as_of: date):
    replies = SlackReplies(settings, ThreadWarehouse(settings.database), lambda store: as_of)
    return replies.for_command(f"{text} public", CHANNEL, as_of=as_of)


def test_a_weekly_report_goes_out_at_its_local_time_once_with_the_public_answer_and_its_chart(shop):
    settings, slack, clock = shop
    report_id = schedule(settings, AS_OF.weekday(), "09:00", clock())
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    clock.set(AS_OF, 8, 59)
    assert jobs.scheduled_reports() == [] and slack.of("chat.postMessage") == []
    clock.set(AS_OF, 9, 0)
    outcomes = jobs.scheduled_reports()
    assert [o.status for o in outcomes] == ["posted"]
    posted = messages_with(slack, key(report_id, AS_OF))
    assert len(posted) == 1 and charts(slack) == 1
    expected = public_answer(settings, QUERY, AS_OF)
    call = slack.of("chat.postMessage")[0].params
    blocks = call["blocks"] if isinstance(call["blocks"], list) else json.loads(call["blocks"])
    footer = blocks.pop(-2)  # what the report is, just above the answer's own buttons
    assert blocks == expected.blocks and call["text"] == expected.text  # the same as `/kpi … public`
    assert f"#{report_id}" in footer["elements"][0]["text"] and blocks[-1]["type"] == "actions"
    for minute in (1, 30, 59):
        clock.set(AS_OF, 9, minute)
        jobs.scheduled_reports()
    clock.set(AS_OF + timedelta(days=1), 9, 0)  # not its weekday
    jobs.scheduled_reports()
    assert len(slack.of("chat.postMessage")) == 1 and charts(slack) == 1
    clock.set(AS_OF + timedelta(days=7), 9, 0)
    assert [o.status for o in jobs.scheduled_reports()] == ["posted"]
    assert len(messages_with(slack, key(report_id, AS_OF + timedelta(days=7)))) == 1


def test_a_daily_report_runs_at_the_local_time_of_its_stores_timezone(shop):
    settings, slack, clock = shop
    store = replace(settings.stores[0], timezone="America/New_York")
    settings = replace(settings, stores=(store,))
    report_id = schedule(settings, None, "07:30", clock())
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    clock.now = datetime.combine(AS_OF, time(7, 30), ZoneInfo("Europe/Rome")).astimezone(UTC)  # 01:30 in New York
    assert jobs.scheduled_reports() == []
    clock.now = datetime.combine(AS_OF, time(7, 29), NEW_YORK).astimezone(UTC)
    assert jobs.scheduled_reports() == []
    clock.now = datetime.combine(AS_OF, time(7, 30), NEW_YORK).astimezone(UTC)
    assert [o.status for o in jobs.scheduled_reports()] == ["posted"]
    assert len(messages_with(slack, key(report_id, AS_OF, "07:30"))) == 1
    clock.now = datetime.combine(AS_OF + timedelta(days=1), time(7, 30), NEW_YORK).astimezone(UTC)
    jobs.scheduled_reports()
    assert len(messages_with(slack, key(report_id, AS_OF + timedelta(days=1), "07:30"))) == 1


@pytest.mark.parametrize("late, sent", [(GRACE - timedelta(minutes=1), 1), (GRACE, 0)])
def test_a_slot_missed_while_nobody_ran_goes_out_within_the_grace_time_only(shop, late, sent):
    settings, slack, clock = shop
    report_id = schedule(settings, None, "09:00", clock())
    clock.now = clock.set(AS_OF, 9, 0) + late  # the scheduler was down at 09:00
    shop_jobs(settings, slack.api_url, clock, "restarted").scheduled_reports()
    assert len(messages_with(slack, key(report_id, AS_OF))) == sent


def test_a_report_scheduled_after_todays_slot_starts_with_the_next_one(shop):
    settings, slack, clock = shop
    report_id = schedule(settings, None, "09:00", clock.set(AS_OF, 9, 30))
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    clock.set(AS_OF, 9, 31)
    assert jobs.scheduled_reports() == []
    clock.set(AS_OF + timedelta(days=1), 9, 0)
    jobs.scheduled_reports()
    assert len(messages_with(slack, key(report_id, AS_OF + timedelta(days=1)))) == 1


def test_a_failed_post_is_retried_by_the_sweep_and_a_cancelled_report_is_not(shop):
    settings, slack, clock = shop
    kept = schedule(settings, None, "09:00", clock())
    dropped = schedule(settings, None, "09:00", clock(), query="orders last-7d")
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    slack.fail("chat.postMessage", 500, times=2 * 2)  # slack_sdk retries nothing on 500: one refusal each, twice
    clock.set(AS_OF, 9, 0)
    assert {o.status for o in jobs.scheduled_reports()} == {"failed"}
    cancel_report(open_database(settings.database), dropped, "UMEMBER", clock().isoformat())
    for _ in range(20):  # the backoff's first retry is a minute later, the second two minutes after that
        clock.advance(seconds=SWEEP.total_seconds())
        jobs.sweep()
        jobs.scheduled_reports()
    assert len(messages_with(slack, key(kept, AS_OF))) == 1
    assert messages_with(slack, key(dropped, AS_OF)) == []
    db = open_database(settings.database)
    assert delivery(db, tuple(key(dropped, AS_OF).split("|")))["status"] == "cancelled"


def run_child(settings, slack, clock, holder: str, kill_at: str) -> int:
    child = forked.run("tests.support.delivery_child", ["--db", str(settings.database), "--slack", slack.api_url,
                                                         "--now", clock().isoformat(), "--holder", holder, "--job",
                                                         "reports", "--kill-at", kill_at], timeout=300)
    assert child.returncode in (0, KILLED), child.stderr[-2000:]
    return child.returncode


@pytest.mark.parametrize("step, before", [("claimed", 0), ("answered", 1), ("marked", 1)])
def test_a_report_killed_at_each_step_arrives_once_with_one_chart(shop, step, before):
    settings, slack, clock = shop
    report_id = schedule(settings, None, "09:00", clock())
    killed_at = clock.set(AS_OF, 9, 0)
    assert run_child(settings, slack, clock, "crashed", step) == KILLED
    assert len(messages_with(slack, key(report_id, AS_OF))) == before
    restarted = shop_jobs(settings, slack.api_url, clock, "restarted")
    while True:
        record = delivery(open_database(settings.database), tuple(key(report_id, AS_OF).split("|")))
        if record["status"] == "posted" and record["follow_up"] == 0:
            break
        assert clock() - killed_at <= CLAIM_TIME + 2 * SWEEP, record
        clock.advance(seconds=SWEEP.total_seconds())
        restarted.sweep()
        restarted.scheduled_reports()
    found = messages_with(slack, key(report_id, AS_OF))
    assert len(found) == 1 and record["ts"] == found[0]["ts"] and charts(slack) == 1
    restarted.sweep()
    restarted.scheduled_reports()
    assert len(messages_with(slack, key(report_id, AS_OF))) == 1 and charts(slack) == 1
