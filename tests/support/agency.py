"""Test support for several stores in one warehouse, and several processes sharing it.

Each store is a copy of the synced demo shop (``connectors.demo.copies``) with a channel of its
own. The same builders serve the test process and the child processes a test kills
(``tests/support/agency_child.py``), so both sides run exactly the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.cli.composition import ThreadWarehouse
from bot.render.notices import notice_text
from bot.slack.client import ChannelPacer, build_slack_client
from bot.slack.finder import SlackMessageFinder
from bot.slack.posters import SlackAlertPoster, SlackDigestPoster
from connectors.demo.copies import copy_store
from connectors.warehouse import open_database
from kpi.settings import Settings, StoreSettings
from schedules.jobs import Jobs
from schedules.pool import JobPool
from tests.support.deliveries import delivery_key_of, no_sync, no_wait
from tests.support.ga4 import AS_OF, STORE, synced_demo_db
from tests.support.slack import TOKEN


def store_names(count: int) -> list[str]:
    return [f"shop-{index}" for index in range(count)]


def channel_of(store: str) -> str:
    return "C0" + store.replace("-", "").upper()


def agency_settings(database: Path | str, count: int, digest_time: time = time(8, 0),
                    timezone: str = "Europe/Rome") -> Settings:
    stores = tuple(StoreSettings(name=name, ga4_property="100000001", language="it", channels=(channel_of(name),),
                                 digest_channel=channel_of(name), alert_channel=channel_of(name),
                                 digest_time=digest_time, timezone=timezone) for name in store_names(count))
    return Settings(database=database, stores=stores)


def agency_db(path: Path, count: int, as_of: date = AS_OF, days: int = 400) -> None:
    """The demo shop synced once, then copied to ``shop-0`` … ``shop-<count-1>``."""
    synced_demo_db(path, as_of, days).close()
    copy_to_stores(path, count)


def copy_to_stores(location: Path | str, count: int) -> None:
    """The synced demo shop at ``location`` (a file or a PostgreSQL URL) copied to ``count`` stores."""
    db = open_database(location)
    copy_store(db, STORE, store_names(count))
    db.close()


def agency_jobs(settings: Settings, slack_api_url: str, clock: Callable[[], datetime], holder: str,
                checkpoint: Callable[[str, tuple[str, str, str, str]], None] | None = None,
                sync: Callable[[StoreSettings, date], str | None] = no_sync, pool: JobPool | None = None) -> Jobs:
    """The real Jobs, posters and finder against the fake Slack (pacing and 429s without real waits)."""
    client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack_api_url}, sleep=no_wait)
    pacer = ChannelPacer(sleep=no_wait)
    jobs = Jobs(settings, ThreadWarehouse(settings.database), sync, SlackDigestPoster(client, pacer),
                SlackAlertPoster(client, pacer), SlackMessageFinder(client), notice_text, clock, holder, pool=pool)
    if checkpoint is not None:
        jobs.checkpoint = checkpoint
    return jobs


def digest_key(store: str, day: date) -> str:
    return f"{store}|digest|{day.isoformat()}|{channel_of(store)}"


def digests_in(slack: Any, store: str, day: date) -> list[dict[str, Any]]:
    """The store's channel's messages that carry its digest's delivery key for ``day``."""
    key = digest_key(store, day)
    return [m for m in slack.messages(channel_of(store)) if delivery_key_of(m) == key]


def charts_under(slack: Any, ts: str) -> int:
    return sum(1 for call in slack.of("files.completeUploadExternal") if call.params.get("thread_ts") == ts)
