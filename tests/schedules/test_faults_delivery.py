"""Deliveries under faults: kill -9 at each step, Slack 500s and 429s, Slack down at start-up, leases.

Every test runs the real Jobs, posters and message finder; slack_sdk talks over HTTP to the
fake Slack, which keeps each channel's messages with their metadata and serves them back
through conversations.history. A kill is ``os._exit`` in a child process at a delivery's
checkpoint (``tests/support/delivery_child.py``); the restart is a new Jobs with a new
holder. Time is the injected clock: no test sleeps.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.composition import assemble
from bot.cli.main import main
from connectors.delivery_store import delivery
from connectors.demo.shop import PLANTED_ANOMALIES
from connectors.episodes_store import live_episodes
from connectors.incidents_store import incident, incident_episodes, live_incidents
from connectors.warehouse import open_database
from schedules.delivery import CLAIM_TIME
from schedules.jobs import LEASE_TIME, SWEEP
from tests.fakes.slack_api import fake_slack
from tests.support import forked
from tests.support.deliveries import CHANNEL, STORE, Clock, messages_with, shop_jobs, shop_settings
from tests.support.delivery_child import KILLED
from tests.support.engines import ENGINES
from tests.support.ga4 import AS_OF, synced_demo_location
from tests.support.slack import SECRET, TOKEN

DAY = (AS_OF - timedelta(days=1)).isoformat()  # the day AS_OF's digest reports on
DIGEST_LEASE = f"digest:{STORE}:{AS_OF}"  # the lease of the digest job that runs on AS_OF
DIGEST = f"{STORE}|digest|{DAY}|{CHANNEL}"
BOT_DAY = PLANTED_ANOMALIES[-1].dates(AS_OF)[0]  # sessions spike from a referral bot
PAST_CLAIM = CLAIM_TIME + timedelta(seconds=1)


@pytest.fixture(params=ENGINES)
def shop(request, tmp_path):
    with synced_demo_location(request.param, tmp_path) as location:
        yield from _shop(shop_settings(location))


def _shop(settings):
    with fake_slack() as slack:
        clock = Clock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
        slack.clock = lambda: clock().timestamp()
        yield settings, slack, clock


def run_child(settings, slack, clock, holder: str, job: str, kill_at: str, **options: str) -> int:
    """Run one job in a child process that dies (``os._exit``) at ``kill_at``; returns its exit status."""
    argv = ["--db", str(settings.database), "--slack", slack.api_url, "--now", clock().isoformat(), "--holder",
            holder, "--job", job, "--kill-at", kill_at]
    for name, value in options.items():
        argv += [f"--{name}", value]
    child = forked.run("tests.support.delivery_child", argv, timeout=300)
    assert child.returncode in (0, KILLED), child.stderr[-2000:]
    return child.returncode


def row(settings, key: str) -> dict:
    found = delivery(open_database(settings.database), tuple(key.split("|")))
    assert found is not None
    return found


def charts_in_thread(slack, ts: str) -> int:
    return sum(1 for call in slack.of("files.completeUploadExternal") if call.params.get("thread_ts") == ts)


# --- kill -9 at each step of a digest -------------------------------------------------------------

BEFORE_RESTART = {"claimed": (0, "claimed"), "answered": (1, "claimed"), "marked": (1, "posted")}


@pytest.mark.parametrize("step", ["claimed", "answered", "marked"])
def test_a_digest_killed_at_each_step_arrives_once_with_its_ts_and_chart(shop, step):
    settings, slack, clock = shop
    killed_at = clock.set(AS_OF, 8, 0)
    assert run_child(settings, slack, clock, "crashed", "digest", step) == KILLED
    messages, status = BEFORE_RESTART[step]
    assert len(messages_with(slack, DIGEST)) == messages and row(settings, DIGEST)["status"] == status

    restarted = shop_jobs(settings, slack.api_url, clock, "restarted")
    restarted.catch_up()  # at once: the dead holder's lease and claim still run
    while not (row(settings, DIGEST)["status"] == "posted" and row(settings, DIGEST)["follow_up"] == 0):
        assert clock() - killed_at < CLAIM_TIME or len(messages_with(slack, DIGEST)) == messages
        clock.advance(seconds=SWEEP.total_seconds())
        restarted.sweep()
    assert CLAIM_TIME <= clock() - killed_at <= CLAIM_TIME + SWEEP  # finished by the first sweep after the claim

    found = messages_with(slack, DIGEST)
    record = row(settings, DIGEST)
    assert len(found) == 1 and record["ts"] == found[0]["ts"] and charts_in_thread(slack, record["ts"]) == 1
    restarted.sweep()
    assert len(messages_with(slack, DIGEST)) == 1 and charts_in_thread(slack, record["ts"]) == 1


CLAIM_S = CLAIM_TIME.total_seconds()


@pytest.mark.parametrize("lag_seconds, messages", [(0, 1), (CLAIM_S / 2, 1), (CLAIM_S, 1), (CLAIM_S + 2, 2),
                                                   (600, 2)])
def test_the_one_double_post_window_is_a_history_that_lags_past_the_claim(shop, lag_seconds, messages):
    """Killed right after Slack answered: the takeover (the claim time and 1 s later) finds the message
    unless Slack's history still hides it then. This measures the README's double-post window."""
    settings, slack, clock = shop
    slack.history_lag = lag_seconds
    clock.set(AS_OF, 8, 0)
    assert run_child(settings, slack, clock, "crashed", "digest", "answered") == KILLED
    clock.advance(seconds=PAST_CLAIM.total_seconds())
    shop_jobs(settings, slack.api_url, clock, "restarted").sweep()
    assert len(messages_with(slack, DIGEST)) == messages
    assert row(settings, DIGEST)["ts"] == messages_with(slack, DIGEST)[-1]["ts"]


def test_a_killed_provisional_digest_is_corrected_in_the_message_recovered(shop):
    settings, slack, clock = shop
    clock.set(AS_OF, 8, 0)
    assert run_child(settings, slack, clock, "crashed", "digest", "answered") == KILLED
    clock.advance(seconds=PAST_CLAIM.total_seconds())
    jobs = shop_jobs(settings, slack.api_url, clock, "restarted")
    jobs.sweep()
    recovered = row(settings, DIGEST)
    db = open_database(settings.database)
    revenue = db.execute("SELECT SUM(revenue) FROM ga4_sessions WHERE store = ? AND date = ?", [STORE, DAY]).fetchone()
    assert recovered["provisional"] == 1 and "revenue" in recovered["detail"]
    assert abs(json.loads(recovered["detail"])["revenue"] - revenue[0]) < 1e-6  # what the dead one said
    db.execute("UPDATE ga4_sessions SET revenue = revenue + 100 WHERE store = ? AND date = ? AND channel = 'Email' "
               "AND device = 'mobile' AND visitor = 'new'", [STORE, DAY])  # GA4 finishes processing the day
    clock.set(AS_OF + timedelta(days=2), 9, 35)
    assert run_child(settings, slack, clock, "crashed-again", "recheck", "corrected") == KILLED
    assert row(settings, DIGEST)["status"] == "posted"  # edited, but the edit was never recorded
    clock.advance(seconds=LEASE_TIME.total_seconds())  # the dead process's lease ran out
    assert jobs.recheck_provisional() == [f"{STORE}:{DAY}"]
    updates = slack.of("chat.update")
    assert len(updates) == 2 and {u.params["ts"] for u in updates} == {recovered["ts"]}  # same message, twice
    [message] = messages_with(slack, DIGEST)
    assert message["ts"] == recovered["ts"] and "dati definitivi" in message["text"]
    assert row(settings, DIGEST)["status"] == "corrected" and jobs.recheck_provisional() == []


# --- incidents (the alert messages of anomalies) ---------------------------------------------------


def incident_key(incident_id: int, kind: str = "incident", revision: int | None = None) -> str:
    day = f"{incident_id}/{revision}" if revision is not None else str(incident_id)
    return f"{STORE}|{kind}|{day}|{CHANNEL}"


def the_bot_incident(db) -> dict:
    [found] = [i for i in live_incidents(db, STORE) if i["opened_on"] == BOT_DAY.isoformat()]
    return found


@pytest.mark.parametrize("step", ["claimed", "answered", "marked"])
def test_an_incident_killed_at_each_step_is_posted_once_and_resolved_in_its_own_message(shop, step):
    settings, slack, clock = shop
    clock.set(BOT_DAY + timedelta(days=3), 6, 5)
    assert run_child(settings, slack, clock, "crashed", "alert_check", step, kind="incident") == KILLED
    clock.advance(seconds=PAST_CLAIM.total_seconds())
    jobs = shop_jobs(settings, slack.api_url, clock, "restarted")
    jobs.alert_check(STORE)
    db = open_database(settings.database)
    bot = the_bot_incident(db)
    [message] = messages_with(slack, incident_key(bot["id"]))  # one message, and its ts is the one recorded
    assert bot["ts"] == message["ts"] == row(settings, incident_key(bot["id"]))["ts"]
    assert {e["metric"] for e in incident_episodes(db, bot["id"])} >= {"sessions", "cvr", "bounce_rate"}
    assert not [e for e in live_episodes(db, STORE) if e["incident_id"] and e["ts"]]  # no message per KPI

    clock.set(BOT_DAY + timedelta(days=5), 6, 5)  # two normal days judged since
    jobs.alert_check(STORE)
    [message] = messages_with(slack, incident_key(bot["id"]))
    assert message["ts"] == bot["ts"] and "risolto" in json.dumps(message)  # edited in place, not re-posted
    replies = [m for m in slack.thread(CHANNEL, bot["ts"]) if m["ts"] != bot["ts"]]
    assert len(replies) == 1 and incident(db, bot["id"])["state"] == "resolved"


def test_a_resolution_killed_after_slack_answered_is_not_said_twice(shop):
    settings, slack, clock = shop
    jobs = shop_jobs(settings, slack.api_url, clock, "first")
    clock.set(BOT_DAY + timedelta(days=3), 6, 5)
    jobs.alert_check(STORE)
    bot = the_bot_incident(jobs.warehouse())
    clock.set(BOT_DAY + timedelta(days=5), 6, 5)
    assert run_child(settings, slack, clock, "crashed", "alert_check", "answered", kind="incident_update") == KILLED
    clock.advance(seconds=PAST_CLAIM.total_seconds())
    shop_jobs(settings, slack.api_url, clock, "restarted").sweep()  # finds the reply in the thread
    replies = [m for m in slack.thread(CHANNEL, bot["ts"]) if m["ts"] != bot["ts"]]
    resolved = row(settings, incident_key(bot["id"], "incident_update", incident(jobs.warehouse(), bot["id"])
                                          ["revision"]))
    assert len(replies) == 1 and resolved["status"] == "posted" and resolved["ts"] == replies[0]["ts"]
    assert any(c.method == "conversations.replies" for c in slack.calls)


def test_an_incident_whose_post_failed_is_posted_by_the_next_check(shop):
    settings, slack, clock = shop
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    clock.set(BOT_DAY + timedelta(days=3), 6, 5)
    slack.fail("chat.postMessage", 500, times=50)
    jobs.alert_check(STORE)
    db = jobs.warehouse()
    assert all(i["ts"] is None for i in live_incidents(db, STORE)) and not slack.messages(CHANNEL)
    slack.recover()
    clock.set(BOT_DAY + timedelta(days=3), 7, 5)  # the next hourly check
    jobs.alert_check(STORE)
    assert live_incidents(db, STORE)
    for current in live_incidents(db, STORE):
        [message] = messages_with(slack, incident_key(current["id"]))
        assert current["ts"] == message["ts"]


# --- notices -------------------------------------------------------------------------------------


def test_a_notice_killed_after_slack_answered_arrives_once(shop):
    settings, slack, clock = shop
    clock.set(AS_OF, 6, 5)
    assert run_child(settings, slack, clock, "crashed", "notice", "answered", arg="sync is failing") == KILLED
    clock.advance(seconds=PAST_CLAIM.total_seconds())
    shop_jobs(settings, slack.api_url, clock, "restarted").sweep()
    shown = [m for m in slack.messages(CHANNEL) if m["text"] == "sync is failing"]
    assert len(shown) == 1


def test_serve_starts_while_slack_is_down_and_the_notice_arrives_once_it_is_back(shop):
    settings, slack, clock = shop
    clock.set(AS_OF + timedelta(days=30), 9, 0)  # no data for yesterday: the digest cannot be built
    slack.fail("*", 500, times=10_000)
    runtime = assemble(settings, {"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url,
                                  "SLACK_SIGNING_SECRET": SECRET}, clock=clock)
    runtime.start_scheduler()  # catch_up: digest fails, its notice fails, nothing raises
    assert runtime.jobs.pool is not None and runtime.jobs.pool.wait_idle(120)
    runtime.stop()
    assert any(c.method == "chat.postMessage" for c in slack.calls) and not slack.messages(CHANNEL)
    slack.recover()
    jobs = shop_jobs(settings, slack.api_url, clock, "serve-again")
    clock.advance(seconds=30)
    jobs.sweep()
    assert not slack.messages(CHANNEL)  # the notice's retry time has not come yet
    clock.advance(seconds=31)
    jobs.sweep()
    jobs.sweep()
    notices = [m for m in slack.messages(CHANNEL) if "riepilogo" in m["text"]]
    assert len(notices) == 1 and f"kpibot digest --store {STORE}" in notices[0]["text"]


def test_a_digest_without_data_goes_out_once_the_data_comes_within_the_grace_time(shop):
    settings, slack, clock = shop
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    db = jobs.warehouse()
    db.execute("CREATE TABLE held_back AS SELECT * FROM ga4_sessions WHERE store = ? AND date = ?", [STORE, DAY])
    db.execute("DELETE FROM ga4_sessions WHERE store = ? AND date = ?", [STORE, DAY])  # the sync has not run yet
    start = clock.set(AS_OF, 8, 0)
    assert jobs.digest(STORE) is None
    for _ in range(4):
        clock.advance(seconds=SWEEP.total_seconds())
        jobs.sweep()
    db.execute("INSERT INTO ga4_sessions SELECT * FROM held_back")  # the 09:05-like sync brings the day
    posted_at = None
    while posted_at is None:
        clock.advance(seconds=SWEEP.total_seconds())
        jobs.sweep()
        posted_at = clock() - start if messages_with(slack, DIGEST) else None
    assert posted_at == timedelta(minutes=10)  # the next rebuild after the failure, not every sweep
    texts = [m["text"] for m in slack.messages(CHANNEL)]
    assert sum("non è riuscito a preparare il riepilogo" in t for t in texts) == 1
    assert sum("di nuovo funzionante" in t for t in texts) == 1 and len(messages_with(slack, DIGEST)) == 1


# --- Slack errors and retries --------------------------------------------------------------------


def test_slack_500_three_times_then_ok_posts_one_digest_on_the_backoff_schedule(shop):
    settings, slack, clock = shop
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    start = clock.set(AS_OF, 8, 0)
    slack.fail("chat.postMessage", 500, times=3)
    assert jobs.digest(STORE) is None
    retries = []
    for _ in range(24):  # as the sweep runs, every 30 s
        clock.advance(seconds=SWEEP.total_seconds())
        for outcome in jobs.sweep():
            retries.append((outcome.status, clock() - start))
    assert [status for status, _ in retries] == ["failed", "failed", "posted"]
    assert [at for _, at in retries] == [timedelta(minutes=m) for m in (1, 3, 7)]  # 1, 2, 4 minutes apart
    assert len(messages_with(slack, DIGEST)) == 1 and row(settings, DIGEST)["attempts"] == 4
    assert len(slack.of("conversations.history")) == 3  # every retry looked before posting


def test_429_eight_times_is_retried_later_and_posts_one_digest(shop):
    settings, slack, clock = shop
    waits: list[float] = []  # slack_sdk's waits between 429s, as long as Slack asks (Retry-After: 0) plus jitter
    jobs = shop_jobs(settings, slack.api_url, clock, "one", wait=waits.append)
    clock.set(AS_OF, 8, 0)
    slack.fail("chat.postMessage", 429, times=8)
    assert jobs.digest(STORE) is None  # slack_sdk's own retries (1 + 4 calls) were not enough
    assert len(slack.of("chat.postMessage")) == 5 and row(settings, DIGEST)["status"] == "failed"
    clock.advance(minutes=1)
    assert [o.status for o in jobs.sweep()] == ["posted"]
    assert len(slack.of("chat.postMessage")) == 9 and len(messages_with(slack, DIGEST)) == 1
    assert len(waits) == 4 + 3 and all(0 <= seconds < 1 for seconds in waits)


def test_retries_stop_at_the_grace_window_and_at_the_attempt_bound(shop):
    settings, slack, clock = shop
    jobs = shop_jobs(settings, slack.api_url, clock, "one")
    start = clock.set(AS_OF, 8, 0)
    slack.fail("chat.postMessage", 500, times=10_000)
    jobs.digest(STORE)
    while clock() < start + jobs.grace + timedelta(hours=1):
        clock.advance(minutes=1)
        jobs.sweep()
    record = row(settings, DIGEST)
    assert record["status"] == "failed" and record["next_attempt_at"] is None  # given up
    tries = [c for c in slack.of("chat.postMessage") if c.params.get("metadata", {}).get("event_payload", {})
             .get("key") == DIGEST]
    assert record["attempts"] == jobs.backoff.attempts == len(tries)
    assert not slack.messages(CHANNEL)
    notices = list(jobs.warehouse().query("SELECT payload FROM deliveries WHERE kind = 'notice'"))
    assert len(notices) == 1 and "internal_error" in notices[0]["payload"]  # told, as soon as Slack takes it


# --- several holders -----------------------------------------------------------------------------


def test_two_holders_racing_the_same_digest_slot_post_one_message(shop):
    settings, slack, clock = shop
    clock.set(AS_OF, 8, 0)
    first, second = (shop_jobs(settings, slack.api_url, clock, holder) for holder in ("a", "b"))
    message = first.outbox.digest_message(settings.stores[0], AS_OF - timedelta(days=1))
    barrier = threading.Barrier(2)
    outcomes = []

    def built():  # both reach the claim at the same moment (building in two threads at once trips numpy's
        barrier.wait()  # warning filters, which are process-wide: that race is the two-process test's)
        return message

    def race(jobs) -> None:  # straight to the delivery, past the scheduler lease
        outcomes.append(jobs.outbox.deliverer.deliver((STORE, "digest", DAY, CHANNEL), built, None).status)

    threads = [threading.Thread(target=race, args=(jobs,)) for jobs in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["busy", "posted"], ["already", "posted"])
    assert len(messages_with(slack, DIGEST)) == 1 and charts_in_thread(slack, row(settings, DIGEST)["ts"]) == 1


def test_two_processes_racing_the_same_digest_post_one_message(shop):
    settings, slack, clock = shop
    clock.set(AS_OF, 8, 0)
    argv = ["--db", str(settings.database), "--slack", slack.api_url, "--now", clock().isoformat(), "--job",
            "manual_digest", "--arg", DAY, "--kill-at", "never"]
    children = [forked.Child("tests.support.delivery_child", [*argv, "--holder", holder]) for holder in ("p1", "p2")]
    assert [child.wait(timeout=300) for child in children] == [0, 0]
    assert len(messages_with(slack, DIGEST)) == 1


def test_a_holder_that_stalled_past_its_claim_withdraws_its_duplicate(shop):
    """A pause longer than the claim (a VM freeze): the other holder posts; the first mark wins."""
    settings, slack, clock = shop
    clock.set(AS_OF, 8, 0)
    other = shop_jobs(settings, slack.api_url, clock, "other")

    def stall(step: str, key) -> None:
        if step == "claimed":
            clock.advance(seconds=PAST_CLAIM.total_seconds())
            assert other.outbox.digest(settings.stores[0], AS_OF - timedelta(days=1), None).status == "posted"

    stalled = shop_jobs(settings, slack.api_url, clock, "stalled", checkpoint=stall)
    outcome = stalled.outbox.digest(settings.stores[0], AS_OF - timedelta(days=1), None)
    [kept] = messages_with(slack, DIGEST)
    assert outcome.status == "already" and outcome.ts == kept["ts"] == row(settings, DIGEST)["ts"]
    assert len(slack.of("chat.delete")) == 1 and slack.of("chat.delete")[0].params["ts"] != kept["ts"]


# --- leases --------------------------------------------------------------------------------------


def test_a_killed_lease_holder_is_taken_over_within_a_minute(shop):
    settings, slack, clock = shop
    start = clock.set(AS_OF, 7, 0)
    assert run_child(settings, slack, clock, "killed", "digest", "leased") == KILLED  # holding the digest's lease
    successor = shop_jobs(settings, slack.api_url, clock, "successor")
    taken_at = None
    while taken_at is None:
        clock.advance(seconds=5)
        taken_at = clock() - start if successor.leases.take(DIGEST_LEASE) else None
    assert taken_at <= timedelta(seconds=60) and taken_at > LEASE_TIME - timedelta(seconds=5)
    assert not shop_jobs(settings, slack.api_url, clock, "killed").leases.take(DIGEST_LEASE)  # the successor's now


def test_a_restart_with_the_same_holder_id_is_not_blocked_and_a_live_holder_keeps_its_lease(shop):
    settings, slack, clock = shop
    clock.set(AS_OF, 7, 0)
    assert run_child(settings, slack, clock, "host:1", "digest", "leased") == KILLED
    live = shop_jobs(settings, slack.api_url, clock, "host:1")
    assert live.leases.take(DIGEST_LEASE)  # the same host and pid again: no wait at all
    other = shop_jobs(settings, slack.api_url, clock, "host:2")
    for _ in range(20):  # five minutes of heartbeats every 15 s keep the other process out
        clock.advance(seconds=15)
        assert live.heartbeat() and not other.leases.take(DIGEST_LEASE)
    live.release()  # a clean stop hands over at once
    assert other.leases.take(DIGEST_LEASE)


# --- the CLI: `kpibot digest --post` after a crash, `kpibot alerts --post` -------------------------


def cli_config(settings, slack, folder: Path, monkeypatch) -> Path:
    config = folder / "kpibot.toml"
    if isinstance(settings.database, str):  # PostgreSQL: the URL in the environment wins over the file's path
        monkeypatch.setenv("KPIBOT_DATABASE_URL", settings.database)
    config.write_text(f'[kpibot]\ndatabase = "kpibot.db"\n[[stores]]\nname = "{STORE}"\n'
                      f'ga4_property = "100000001"\nchannels = ["{CHANNEL}"]\ndigest_channel = "{CHANNEL}"\n'
                      f'alert_channel = "{CHANNEL}"\n')
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("KPIBOT_SLACK_API_URL", slack.api_url)
    return config


def test_digest_post_after_a_crash_recovers_instead_of_saying_already_posted(shop, tmp_path, monkeypatch, capsys):
    settings, slack, clock = shop
    slack.clock = lambda: datetime.now(UTC).timestamp()  # the CLI reads the real clock (composition root)
    clock.now = datetime.now(UTC) - timedelta(minutes=5)
    assert run_child(settings, slack, clock, "crashed-cli", "manual_digest", "answered", arg=DAY) == KILLED
    config = cli_config(settings, slack, tmp_path, monkeypatch)
    argv = ["--config", str(config), "digest", "--store", STORE, "--date", AS_OF.isoformat(), "--post"]
    assert main(argv) == 0
    [message] = messages_with(slack, DIGEST)
    out = capsys.readouterr().out
    assert "already in" in out and message["ts"] in out and "not posted again" in out
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "already posted" in out and message["ts"] in out
    assert len(messages_with(slack, DIGEST)) == 1 and row(settings, DIGEST)["ts"] == message["ts"]


def test_digest_post_while_another_process_holds_a_live_claim_says_so(shop, tmp_path, monkeypatch, capsys):
    settings, slack, clock = shop
    clock.now = datetime.now(UTC) + timedelta(hours=1)  # a claim that runs for another hour
    assert run_child(settings, slack, clock, "busy", "manual_digest", "claimed", arg=DAY) == KILLED
    config = cli_config(settings, slack, tmp_path, monkeypatch)
    assert main(["--config", str(config), "digest", "--store", STORE, "--date", AS_OF.isoformat(), "--post"]) == 0
    assert "being posted by another kpibot process" in capsys.readouterr().out
    assert not slack.messages(CHANNEL)


def test_alerts_post_whose_slack_is_down_is_finished_by_the_next_run_once(shop, tmp_path, monkeypatch, capsys):
    settings, slack, clock = shop
    slack.clock = lambda: datetime.now(UTC).timestamp()
    config = cli_config(settings, slack, tmp_path, monkeypatch)
    argv = ["--config", str(config), "alerts", "--store", STORE, "--post", "--as-of",
            (BOT_DAY + timedelta(days=3)).isoformat()]
    slack.fail("chat.postMessage", 500, times=1)
    assert main(argv) == 0
    assert "1 message(s) not posted yet" in capsys.readouterr().out
    db = open_database(settings.database)
    shown = [*live_incidents(db, STORE), *(e for e in live_episodes(db, STORE) if e["incident_id"] is None)]
    assert [item["ts"] for item in shown].count(None) == 1
    db.execute("UPDATE deliveries SET next_attempt_at = ? WHERE status = 'failed'",  # its retry time has come
               [datetime.now(UTC).isoformat()])
    assert main(argv) == 0
    assert "still open" in capsys.readouterr().out
    for current in live_incidents(db, STORE):
        [message] = messages_with(slack, incident_key(current["id"]))
        assert current["ts"] == message["ts"]
    for current in (e for e in live_episodes(db, STORE) if e["incident_id"] is None):
        [message] = messages_with(slack, f"{STORE}|alert|{current['id']}|{CHANNEL}")
        assert current["ts"] == message["ts"]
