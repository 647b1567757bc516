"""The bounded worker pool of `serve`: one store whose GA4 hangs never holds up the others.

Real GA4 client against the emulator, whose answers for one property hang (a GA4 that times
out for that store alone); real posters against the fake Slack; the jobs go through the
``JobPool`` exactly as the triggers of `serve` queue them. The hung store's sync fails at its
deadline and, being its third failure in a row, its channel gets the failure notice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.cli.composition import ThreadWarehouse
from bot.cli.sources import StoreSync
from connectors.episodes_store import record_outcome
from connectors.ga4.fetch import RetryPolicy
from connectors.warehouse import open_database
from schedules.pool import JobPool
from tests.fakes.slack_api import fake_slack
from tests.support.agency import (
    agency_db,
    agency_jobs,
    agency_settings,
    channel_of,
    charts_under,
    digests_in,
    store_names,
)
from tests.support.deliveries import delivery_key_of
from tests.support.ga4 import AS_OF, demo_shop, emulator

HUNG = "999999999"  # the property whose requests GA4 never answers
# Seconds kpibot waits for one GA4 answer (120 in serve): a real timeout, so the hung store's worker is
# held that long while every other job (about 3 s of work here, 4.5 s on a busy machine) goes through.
DEADLINE = 7.0


def test_a_store_whose_ga4_hangs_delays_no_other_store_and_gets_its_failure_notice(tmp_path):
    agency_db(tmp_path / "kpibot.db", 4)
    settings = agency_settings(tmp_path / "kpibot.db", 4)
    hung = replace(settings.stores[0], ga4_property=HUNG)
    settings = replace(settings, stores=(hung, *settings.stores[1:]))
    now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 in Rome: digests due, the hourly sync too
    db = open_database(settings.database)
    for hours in (2, 1):  # its two previous hourly syncs failed already
        record_outcome(db, hung.name, "sync", "GA4 did not answer in time", now - timedelta(hours=hours))
    with fake_slack() as slack, emulator(demo_shop(AS_OF, 400)) as (ga4, _):
        traffic = ga4.state.traffic
        traffic.stalled[HUNG] = 600.0
        sync = StoreSync(ThreadWarehouse(settings.database), {"KPIBOT_GA4_ENDPOINT": ga4.url}, lambda: now,
                         RetryPolicy(max_attempts=1, deadline=DEADLINE, sleep=lambda seconds: None))
        pool = JobPool(4)  # syncs may hold at most 2 workers
        jobs = agency_jobs(settings, slack.api_url, lambda: now, "host:1", sync=sync, pool=pool)
        for name in store_names(4):
            jobs.submit("sync", jobs.sync_and_check, name)
        assert traffic.wait_for(lambda: traffic.in_flight[HUNG] == 1)  # the hung store's sync holds a worker
        for name in store_names(4):
            jobs.submit("digest", jobs.digest, name)
        with pool.changed:  # everything but the hung sync is done, or the test fails here
            assert pool.changed.wait_for(lambda: not pool.waiting and pool.running_keys == {f"sync|{hung.name}"},
                                         timeout=DEADLINE * 6)
            still_hung = traffic.in_flight[HUNG] == 1  # seen from GA4's side: its request still unanswered
        assert pool.wait_idle(DEADLINE * 6)
        pool.stop(0)

    assert still_hung  # every digest (the hung store's too: its data was there) and sync went out while it hung
    for name in store_names(4):
        [message] = digests_in(slack, name, AS_OF - timedelta(days=1))
        assert charts_under(slack, message["ts"]) == 1
    notices = {name: [m for m in slack.messages(channel_of(name)) if "|notice|" in (delivery_key_of(m) or "")]
               for name in store_names(4)}
    assert len(notices[hung.name]) == 1  # its third failure in a row: the channel is told, once
    assert all(notices[name] == [] for name in store_names(4) if name != hung.name)
