"""Test support for deliveries: one shop, its scheduler jobs against a fake Slack, a settable clock.

The same builders serve the test process and the child processes that a fault test kills
(``tests/support/delivery_child.py``), so both sides run exactly the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.composition import ThreadWarehouse
from bot.render.notices import notice_text
from bot.slack.client import ChannelPacer, build_slack_client
from bot.slack.finder import SlackMessageFinder
from bot.slack.posters import SlackAlertPoster, SlackDigestPoster, SlackReportPoster
from bot.slack.replies import SlackReplies
from kpi.settings import Settings, StoreSettings
from schedules.delivery import METADATA_EVENT, Backoff
from schedules.jobs import Jobs
from tests.support.slack import TOKEN

ROME = ZoneInfo("Europe/Rome")
STORE = "demo-shop"
CHANNEL = "C0SHOP"


class Clock:
    def __init__(self, when: datetime) -> None:
        self.now = when

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
        self.now = datetime.combine(day, time(hour, minute, second), ROME).astimezone(UTC)
        return self.now

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


def shop_settings(database: Path | str) -> Settings:
    store = StoreSettings(name=STORE, ga4_property="100000001", language="it", channels=(CHANNEL,),
                          digest_channel=CHANNEL, alert_channel=CHANNEL, digest_time=time(8, 0))
    return Settings(database=database, stores=(store,))


def no_wait(seconds: float) -> None:
    """The pacer's and slack_sdk's 429 waits, without waiting: Slack's answers are what the tests look at."""


def no_sync(store: Any, as_of: Any) -> str | None:
    raise RuntimeError("these tests never sync")


def shop_jobs(settings: Settings, slack_api_url: str, clock: Callable[[], datetime], holder: str,
              checkpoint: Callable[[str, tuple[str, str, str, str]], None] | None = None,
              wait: Callable[[float], None] = no_wait) -> Jobs:
    """The real Jobs, posters and finder, talking to the fake Slack through slack_sdk; slack_sdk's waits
    between 429s go to ``wait`` (by default skipped)."""
    client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack_api_url}, sleep=wait)
    pacer = ChannelPacer(sleep=no_wait)
    warehouse = ThreadWarehouse(settings.database)
    replies = SlackReplies(settings, warehouse, lambda store: clock().astimezone(ZoneInfo(store.timezone)).date())
    jobs = Jobs(settings, warehouse, no_sync, SlackDigestPoster(client, pacer),
                SlackAlertPoster(client, pacer), SlackMessageFinder(client), notice_text, clock, holder,
                backoff=Backoff(), reports=SlackReportPoster(client, replies, warehouse, pacer))
    if checkpoint is not None:
        jobs.checkpoint = checkpoint
    return jobs


def delivery_key_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    return (metadata.get("event_payload") or {}).get("key")


def messages_with(slack: Any, key: str, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The channel's messages (as the fake stores them) that carry delivery ``key``."""
    return [m for m in slack.messages(channel) if delivery_key_of(m) == key]
