"""Every schedule in one place: when each job runs, in each store's own timezone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from kpi.settings import StoreSettings

SYNC_MINUTE = 5  # hourly sync (the alert check runs right after each sync)
RECHECK_MINUTE = 35  # hourly look for provisional digests whose data is now final


def sync_trigger(store: StoreSettings) -> CronTrigger:
    return CronTrigger(minute=SYNC_MINUTE, timezone=ZoneInfo(store.timezone))


def digest_trigger(store: StoreSettings) -> CronTrigger:
    return CronTrigger(hour=store.digest_time.hour, minute=store.digest_time.minute,
                       timezone=ZoneInfo(store.timezone))


def recheck_trigger() -> CronTrigger:
    return CronTrigger(minute=RECHECK_MINUTE, timezone=ZoneInfo("UTC"))


def every(interval: timedelta) -> IntervalTrigger:
    """The lease heartbeat and the delivery sweep (15 s and 30 s by default: ``schedules.leasing.Timing``)."""
    return IntervalTrigger(seconds=interval.total_seconds())


def minutely_trigger() -> CronTrigger:
    """Reports people schedule: checked at the start of every minute, so 09:00 means 09:00."""
    return CronTrigger(second=0, timezone=ZoneInfo("UTC"))
