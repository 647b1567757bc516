"""The scheduled jobs with an injected clock, the GA4 emulator and a recording fake Slack API."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli.composition import ThreadWarehouse
from bot.cli.sources import StoreSync
from bot.render.notices import notice_text
from bot.slack.app import build_app
from bot.slack.client import ChannelPacer, build_slack_client
from bot.slack.finder import SlackMessageFinder
from bot.slack.http import serve_in_thread
from bot.slack.posters import SlackAlertPoster, SlackDigestPoster
from connectors.delivery_store import delivery
from connectors.demo.shop import PLANTED_ANOMALIES
from connectors.episodes_store import expected_days, live_episodes
from connectors.incidents_store import incident, incident_episodes, live_incidents
from kpi.settings import Settings, StoreSettings
from schedules.crons import digest_trigger
from schedules.findings import find_all
from schedules.jobs import Jobs
from tests.fakes.slack_api import fake_slack
from tests.support.deliveries import no_wait
from tests.support.engines import ENGINES
from tests.support.ga4 import AS_OF, demo_shop, emulator, synced_demo_location
from tests.support.slack import SECRET, TOKEN, block_action, post_signed

ROME = ZoneInfo("Europe/Rome")
CHANNEL = "C0SHOP"
BOT_DAY = PLANTED_ANOMALIES[-1].dates(AS_OF)[0]  # sessions spike from a referral bot


class Clock:
    def __init__(self, when: datetime) -> None:
        self.now = when

    def __call__(self) -> datetime:
        return self.now

    def set(self, day, hour: int, minute: int = 0, zone: ZoneInfo = ROME) -> None:
        self.now = datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


def store(**changes) -> StoreSettings:
    base = dict(name="demo-shop", ga4_property="100000001", language="it", channels=(CHANNEL,),
                digest_channel=CHANNEL, alert_channel=CHANNEL, digest_time=time(8, 0))
    return StoreSettings(**(base | changes))


@pytest.fixture(params=ENGINES)
def world(request, tmp_path):
    """A synced warehouse (on each engine), the emulator, a fake Slack and a clock; builds Jobs on demand."""
    with synced_demo_location(request.param, tmp_path) as location:
        yield from _world(Settings(database=location, stores=(store(),)))


def _world(settings: Settings):
    with fake_slack() as slack, emulator(demo_shop()) as (ga4, _):
        clock = Clock(datetime(2026, 11, 18, 5, 0, tzinfo=UTC))
        slack.clock = lambda: clock().timestamp()

        def jobs(holder: str = "one") -> Jobs:
            client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url},
                                        sleep=no_wait)
            pacer = ChannelPacer(sleep=no_wait)
            warehouse = ThreadWarehouse(settings.database)
            return Jobs(settings, warehouse, StoreSync(warehouse, {"KPIBOT_GA4_ENDPOINT": ga4.url}, clock),
                        SlackDigestPoster(client, pacer), SlackAlertPoster(client, pacer),
                        SlackMessageFinder(client), notice_text, clock, holder)

        yield settings, slack, ga4, clock, jobs


def digests(slack) -> list:
    return [c for c in slack.of("chat.postMessage") if "Riepilogo" in c.params.get("text", "")]


def alerts(slack, metric_label: str) -> list:
    return [c for c in slack.of("chat.postMessage") if metric_label in c.params.get("text", "")
            and "thread_ts" not in c.params and "Riepilogo" not in c.params.get("text", "")]


def incident_findings(db, day) -> list:
    """What the alert check finds about ``day`` that makes incidents (read independently of them)."""
    return [f for f in find_all(db, store(), day + timedelta(days=3)) if f.kind in ("anomaly", "relative")]


def test_a_full_day_sync_digest_alert_and_resolve(world):
    settings, slack, _, clock, jobs = world
    job = jobs()
    clock.set(BOT_DAY + timedelta(days=3), 6, 5)  # the bot day is now final
    job.sync_and_check("demo-shop")
    db = job.warehouse()
    [bot] = live_incidents(db, "demo-shop")
    kpis = {e["metric"]: e for e in incident_episodes(db, bot["id"])}
    assert bot["diagnosis"] == "bot_traffic" and json.loads(bot["params"]) == {"segment": "Referral"} and bot["ts"]
    assert kpis["sessions"]["contributor"] == "Referral" and {"cvr", "bounce_rate"} <= set(kpis)
    assert len(alerts(slack, "Sessioni")) == 1 and not any(e["ts"] for e in kpis.values())  # one message in all
    clock.set(BOT_DAY + timedelta(days=3), 8, 0)
    assert job.digest("demo-shop").ts
    assert len(digests(slack)) == 1 and slack.of("files.completeUploadExternal")
    clock.set(BOT_DAY + timedelta(days=3), 9, 5)
    job.sync_and_check("demo-shop")  # still open: nothing re-posted
    assert len(alerts(slack, "Sessioni")) == 1
    for day in (BOT_DAY + timedelta(days=1), BOT_DAY + timedelta(days=2)):
        assert incident_findings(db, day) == []  # the premise: two normal days follow
    clock.set(BOT_DAY + timedelta(days=4), 6, 5)
    job.sync_and_check("demo-shop")  # one normal day is not enough
    assert [i["id"] for i in live_incidents(db, "demo-shop")] == [bot["id"]] and not slack.of("chat.update")
    clock.set(BOT_DAY + timedelta(days=5), 6, 5)
    job.sync_and_check("demo-shop")  # the second one is
    updates = [c for c in slack.of("chat.update") if c.params["ts"] == bot["ts"]]
    assert updates and "risolto" in json.dumps(updates[-1].params, ensure_ascii=False)
    assert any(c.params.get("thread_ts") == bot["ts"] for c in slack.of("chat.postMessage"))
    assert not live_incidents(db, "demo-shop")
    assert not [e for e in live_episodes(db, "demo-shop") if e["incident_id"] == bot["id"]]


@pytest.mark.parametrize("hour, minute, sent", [(7, 59, False), (8, 0, True), (11, 30, True), (14, 1, False)])
def test_restart_before_during_and_after_digest_time(world, hour, minute, sent):
    _, slack, _, clock, jobs = world
    clock.set(AS_OF, hour, minute)
    assert bool(jobs().catch_up()) is sent
    jobs("restarted-again").catch_up()  # a second restart in the same window
    assert len(digests(slack)) == int(sent)


def test_a_double_started_scheduler_posts_once(world):
    _, slack, _, clock, jobs = world
    clock.set(AS_OF, 8, 0)
    first, second = jobs("process-a"), jobs("process-b")
    barrier = threading.Barrier(2)

    def run(job: Jobs) -> None:
        barrier.wait()
        job.digest("demo-shop")

    threads = [threading.Thread(target=run, args=(job,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(digests(slack)) == 1
    clock.set(AS_OF, 8, 30)  # even after the lease would have passed to process b
    second.holder = "process-b"
    assert second.digest("demo-shop") is None
    assert len(digests(slack)) == 1


def test_slack_429_is_retried_without_duplicates(world):
    _, slack, _, clock, jobs = world
    clock.set(AS_OF, 8, 0)
    slack.fail("chat.postMessage", 429, times=2)
    job = jobs()
    assert job.digest("demo-shop").ts
    assert len(digests(slack)) == 3  # two refused attempts, one delivered
    assert delivery(job.warehouse(), ("demo-shop", "digest", "2026-11-23", CHANNEL))["status"] == "posted"
    assert job.digest("demo-shop") is None


def test_a_provisional_digest_is_corrected_once_final(world):
    _, slack, _, clock, jobs = world
    job = jobs()
    clock.set(AS_OF, 8, 0)
    sent = job.digest("demo-shop")
    assert sent.provisional
    db = job.warehouse()
    if True:  # GA4 finishes processing: the day gains late-attributed revenue
        db.execute("UPDATE ga4_sessions SET revenue = revenue + 100 WHERE store = 'demo-shop' AND date = ? "
                   "AND channel = 'Email' AND device = 'mobile' AND visitor = 'new'", ["2026-11-23"])
    clock.set(AS_OF + timedelta(days=1), 9, 35)
    assert job.recheck_provisional() == []  # still within GA4's processing window
    clock.set(AS_OF + timedelta(days=2), 9, 35)
    assert job.recheck_provisional() == ["demo-shop:2026-11-23"]
    update = slack.of("chat.update")[-1].params
    assert update["ts"] == sent.ts and "dati definitivi" in update["text"] and "Fatturato" in update["text"]
    assert job.recheck_provisional() == []


@pytest.mark.parametrize("action, state", [("incident_acknowledge", "acknowledged"), ("incident_snooze_1d", "snoozed"),
                                           ("incident_snooze_7d", "snoozed"), ("incident_expected", "expected")])
def test_every_alert_button_acts_on_the_whole_incident(world, action, state):
    settings, slack, _, clock, jobs = world
    job = jobs()
    clock.set(BOT_DAY + timedelta(days=3), 6, 5)
    job.alert_check("demo-shop")
    db = job.warehouse()
    [bot] = live_incidents(db, "demo-shop")
    metrics = {e["metric"] for e in incident_episodes(db, bot["id"])}
    slack.join("U1", CHANNEL)  # buttons are honoured only for members of the store's channels
    app = build_app(settings, ThreadWarehouse(settings.database), job.digests.client, SECRET,
                    lambda s: clock().astimezone(ROME).date())
    with serve_in_thread(app) as url:
        status, _, _ = post_signed(f"{url}/slack/events",
                                   block_action(action, str(bot["id"]), CHANNEL, slack.response_url("b")))
        assert status == 200
        reply = slack.wait_for("respond")[-1].params
    row = incident(db, bot["id"])
    assert row["state"] == state and reply["replace_original"] is True
    assert "Traffico bot" in reply["text"]  # the incident's message, re-rendered
    if action == "incident_expected":
        marked = expected_days(db, "demo-shop")
        assert len(metrics) >= 3 and all(BOT_DAY in marked[metric] for metric in metrics)  # every KPI's day
        assert "actions" not in json.dumps(reply["blocks"])  # an ended incident has no buttons left
        job.alert_check("demo-shop")  # the day is out of the baselines: nothing opens again
        assert not live_incidents(db, "demo-shop")
        assert not [e for e in live_episodes(db, "demo-shop") if e["incident_id"]]
        assert len([c for c in slack.of("chat.postMessage") if "thread_ts" not in c.params]) == 1
    if action.startswith("incident_snooze"):
        days = 7 if action.endswith("7d") else 1
        assert row["snoozed_until"] == (BOT_DAY + timedelta(days=3 + days)).isoformat()


def test_a_button_on_another_stores_incident_is_refused_and_changes_nothing(world):
    settings, slack, _, clock, jobs = world
    job = jobs()
    clock.set(BOT_DAY + timedelta(days=3), 6, 5)
    job.alert_check("demo-shop")
    db = job.warehouse()
    [bot] = live_incidents(db, "demo-shop")
    slack.join("U2", "C0OTHER")  # a member of another channel only
    app = build_app(settings, ThreadWarehouse(settings.database), job.digests.client, SECRET,
                    lambda s: clock().astimezone(ROME).date())
    with serve_in_thread(app) as url:
        post_signed(f"{url}/slack/events", block_action("incident_expected", str(bot["id"]), CHANNEL,
                                                        slack.response_url("b"), user="U2"))
        reply = slack.wait_for("respond")[-1].params
    assert reply["response_type"] == "ephemeral" and "Traffico" not in json.dumps(reply)
    assert incident(db, bot["id"])["state"] == "open" and not expected_days(db, "demo-shop")


def test_failures_are_reported_once_then_recovery(world):
    settings, slack, ga4, clock, jobs = world
    job = jobs()
    ga4.state.property_id = "999"  # the service account lost access
    for hour in range(4):  # four hourly syncs
        clock.set(AS_OF, 6 + hour, 5)
        job.sync_and_check("demo-shop")
    notices = [c for c in slack.of("chat.postMessage") if "sincronizzare" in c.params.get("text", "")]
    assert len(notices) == 1 and "100000001" in notices[0].params["text"]
    ga4.state.property_id = None
    clock.set(AS_OF, 10, 5)
    job.sync_and_check("demo-shop")
    assert any("di nuovo funzionante" in c.params.get("text", "") for c in slack.of("chat.postMessage"))


@pytest.mark.parametrize("zone, days", [("Europe/Rome", ("2026-03-27", "2026-04-01")),
                                        ("America/New_York", ("2026-03-06", "2026-03-11")),
                                        ("Europe/Rome", ("2026-10-23", "2026-10-28")),
                                        ("America/New_York", ("2026-10-30", "2026-11-04"))])
def test_digests_fire_at_local_8_across_daylight_saving_changes(zone, days):
    trigger = digest_trigger(store(timezone=zone))
    start, end = (datetime.fromisoformat(d).replace(tzinfo=UTC) for d in days)
    fire, seen = trigger.get_next_fire_time(None, start), []
    while fire < end:
        local = fire.astimezone(ZoneInfo(zone))
        seen.append((local.date(), local.hour, local.minute))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert len(seen) == 5 and all((hour, minute) == (8, 0) for _, hour, minute in seen)
    offsets = {datetime.combine(day, time(8), ZoneInfo(zone)).utcoffset() for day, _, _ in seen}
    assert len(offsets) == 2  # the UTC time really moved with the clocks


def test_two_stores_in_two_timezones_get_their_own_local_8(world):
    settings, slack, _, clock, jobs = world
    job = jobs()
    job.settings = Settings(database=settings.database, stores=(
        store(), store(name="us-shop", timezone="America/New_York", language="en")))
    clock.now = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)  # 08:30 in Rome, 02:30 in New York
    assert job.catch_up() == ["demo-shop"]
