"""Several processes on one warehouse: every scheduled job once per store and slot, and a dead one's work finished.

Processes are real (``tests/support/agency_child.py``, a `kpibot serve` whose digest triggers
just fired), they share one warehouse (a SQLite file, then a PostgreSQL schema) and one fake
Slack over HTTP, and a kill is ``os._exit`` at a chosen step of one store's digest. The survivor
runs in the test process on the injected clock: its heartbeat every 15 s and its sweep every
30 s, exactly as ``build_scheduler`` runs them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from connectors.delivery_store import delivery
from connectors.leases import lease_holder
from connectors.warehouse import open_database
from schedules.jobs import HEARTBEAT, LEASE_TIME, SWEEP
from tests.fakes.slack_api import fake_slack
from tests.support import forked
from tests.support.agency import (
    agency_jobs,
    agency_settings,
    channel_of,
    charts_under,
    copy_to_stores,
    digests_in,
    store_names,
)
from tests.support.deliveries import Clock
from tests.support.delivery_child import KILLED
from tests.support.engines import ENGINES
from tests.support.ga4 import AS_OF, synced_demo_location

STORES = 3
DAY = AS_OF - timedelta(days=1)  # what the digests of AS_OF report on


@pytest.fixture(params=ENGINES)
def agency(request, tmp_path):
    """Three stores in one warehouse: a SQLite file, or a PostgreSQL schema the processes share."""
    with synced_demo_location(request.param, tmp_path) as location:
        copy_to_stores(location, STORES)
        settings = agency_settings(location, STORES)
        with fake_slack() as slack:
            clock = Clock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
            slack.clock = lambda: clock().timestamp()
            yield settings, slack, clock


def child(settings, slack, clock, holder: str, **options: str) -> forked.Child:
    argv = ["--db", str(settings.database), "--stores", str(len(settings.stores)), "--slack", slack.api_url, "--now",
            clock().isoformat(), "--holder", holder]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", value]
    return forked.Child("tests.support.agency_child", argv)


def finished(process: forked.Child) -> tuple[int, list[str]]:
    out, err = process.communicate(timeout=300)
    assert process.returncode in (0, KILLED), err[-2000:]
    return process.returncode, json.loads(out) if process.returncode == 0 else []


def complete(settings, store: str) -> bool:
    """The store's digest is posted, recorded, and its chart is in its thread (the whole job)."""
    row = delivery(open_database(settings.database), (store, "digest", DAY.isoformat(), channel_of(store)))
    return row is not None and row["status"] == "posted" and row["follow_up"] == 0


def test_two_processes_at_digest_time_post_one_digest_per_store(agency):
    settings, slack, clock = agency
    clock.set(AS_OF, 8, 0)
    processes = [child(settings, slack, clock, holder, workers="2") for holder in ("host-a:1", "host-b:1")]
    results = [finished(process) for process in processes]
    assert [code for code, _ in results] == [0, 0]
    posted_by = [set(stores) for _, stores in results]
    assert not posted_by[0] & posted_by[1] and posted_by[0] | posted_by[1] == set(store_names(STORES))
    for store in store_names(STORES):
        [message] = digests_in(slack, store, DAY)
        assert complete(settings, store) and charts_under(slack, message["ts"]) == 1
    print(f"digests posted by each process: {[sorted(stores) for stores in posted_by]}")


@pytest.mark.parametrize("step", ["leased", "claimed", "answered", "marked"])
def test_the_leader_killed_mid_digest_loses_its_leases_within_a_minute_and_the_other_finishes_it(agency, step):
    settings, slack, clock = agency
    killed_at = clock.set(AS_OF, 8, 0)
    victim = store_names(STORES)[1]
    code, _ = finished(child(settings, slack, clock, "leader:1", kill_at=step, kill_store=victim))
    assert code == KILLED
    assert [len(digests_in(slack, store, DAY)) for store in store_names(STORES)][0] == 1  # the one before it went out

    survivor = agency_jobs(settings, slack.api_url, clock, "survivor:2")
    for store in store_names(STORES):  # its own triggers fired at 08:00 too
        survivor.submit("digest", survivor.digest, store)
    db, lease = open_database(settings.database), f"digest:{victim}:{AS_OF}"
    lease_free: timedelta | None = None
    whole: timedelta | None = None
    while whole is None:
        assert clock() - killed_at <= timedelta(minutes=5), "the victim's digest was never finished"
        clock.advance(seconds=HEARTBEAT.total_seconds())
        survivor.heartbeat()
        if (clock() - killed_at) % SWEEP == timedelta(0):
            survivor.sweep()
        if lease_free is None and lease_holder(db, lease, clock()) != "leader:1":
            lease_free = clock() - killed_at
        if complete(settings, victim):
            whole = clock() - killed_at
    assert lease_free is not None  # the dead leader's lease ran out within a minute
    assert LEASE_TIME - HEARTBEAT < lease_free <= timedelta(seconds=60)
    assert whole <= timedelta(minutes=2)  # message and chart, finished by the survivor
    for store in store_names(STORES):
        [message] = digests_in(slack, store, DAY)  # still one message each
        assert complete(settings, store) and charts_under(slack, message["ts"]) == 1
    print(f"killed at {step}: lease free after {lease_free.total_seconds():.0f} s, "
          f"digest finished after {whole.total_seconds():.0f} s")


def test_a_sync_runs_once_per_store_and_hour_however_many_processes_trigger_it(agency):
    settings, slack, clock = agency
    synced: list[tuple[str, str]] = []

    def sync(store, as_of) -> None:
        synced.append((store.name, clock().isoformat()))

    hosts = [agency_jobs(settings, slack.api_url, clock, f"host-{n}:1", sync=sync) for n in range(3)]
    for hour in (7, 8):
        clock.set(AS_OF, hour, 5)
        for jobs in hosts:
            for store in store_names(STORES):
                jobs.sync_and_check(store)
        clock.set(AS_OF, hour, 40)  # a trigger that fired late, in the same hour
        hosts[0].sync_and_check(store_names(STORES)[0])
    assert sorted(synced) == sorted((store, clock.set(AS_OF, hour, 5).isoformat())
                                    for hour in (7, 8) for store in store_names(STORES))


def test_a_sync_left_by_a_dead_process_is_run_again_by_the_sweep_once(agency):
    settings, slack, clock = agency
    died_at = clock.set(AS_OF, 7, 5)
    victim = store_names(STORES)[0]
    dead = agency_jobs(settings, slack.api_url, clock, "dead:1")
    assert dead.leases.take(f"sync:{victim}:{AS_OF}T07")  # the dead process held the sync when it died
    synced: list[str] = []
    survivor = agency_jobs(settings, slack.api_url, clock, "survivor:2", sync=lambda store, as_of: synced.append(
        store.name))
    survivor.sync_and_check(victim)  # its own trigger, at once: the lease is still the dead one's
    assert synced == []
    while not synced:
        clock.advance(seconds=SWEEP.total_seconds())
        survivor.sweep()
    assert LEASE_TIME <= clock() - died_at <= LEASE_TIME + SWEEP and synced == [victim]
    for _ in range(4):  # later sweeps and late triggers find it done
        clock.advance(seconds=SWEEP.total_seconds())
        survivor.sweep()
        survivor.sync_and_check(victim)
    assert synced == [victim]
