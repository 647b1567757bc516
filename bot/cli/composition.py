"""Wiring for `kpibot serve`: settings, warehouse, Slack app, GA4 client and scheduler.

The composition root: the only place that reads the environment and the clock.
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import App

from bot.cli.context import load_settings, today_in
from bot.cli.sources import StoreSync
from bot.render.notices import notice_text
from bot.slack.app import build_app
from bot.slack.client import ChannelPacer, SlackSetupError, build_slack_client
from bot.slack.finder import SlackMessageFinder
from bot.slack.posters import SlackAlertPoster, SlackDigestPoster, SlackReportPoster
from bot.slack.replies import SlackReplies
from connectors.engine.location import Location, shown
from connectors.ga4.fetch import RetryPolicy
from connectors.warehouse import Warehouse, open_database, open_when_writable
from kpi.settings import Settings, StoreSettings
from schedules.delivery import Deliverer
from schedules.jobs import Jobs, build_scheduler
from schedules.outbox import Outbox


class ThreadWarehouse:
    """One connection per thread (Bolt and APScheduler run listeners and jobs in pools)."""

    def __init__(self, path: Location) -> None:
        self.path = path
        self.local = threading.local()

    def __call__(self) -> Warehouse:
        db = getattr(self.local, "db", None)
        if db is None:

            db = self.local.db = open_database(self.path)
        return db


def store_today(store: StoreSettings) -> date:
    return today_in(store.timezone)


@dataclass
class Runtime:
    app: App
    jobs: Any
    scheduler: Any = None

    def start_scheduler(self) -> None:

        self.jobs.catch_up()
        self.scheduler = build_scheduler(self.jobs)
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.jobs.release()  # the next process need not wait for the lease to run out


STARTUP_PATIENCE_S = 300.0  # a sync or an import holding the lock finishes well within this


def wait_for_warehouse(location: Location) -> None:
    """Refuse a damaged database; wait while another process holds its write lock."""
    import logging
    import time

    log = logging.getLogger("kpibot")
    open_when_writable(location, STARTUP_PATIENCE_S, time.monotonic, lambda waited: log.warning(
        "waiting for the write lock on %s, held by another process (%.0f s so far)", shown(location),
        waited)).close()


def build_runtime(args: argparse.Namespace, environ: Mapping[str, str]) -> Runtime:
    settings = load_settings(args)
    wait_for_warehouse(settings.database)
    as_of: date | None = getattr(args, "as_of", None)
    return assemble(settings, environ, today=(lambda store: as_of) if as_of else store_today)


def assemble(settings: Settings, environ: Mapping[str, str], clock: Any = None,
             today: Any = store_today) -> Runtime:

    client = build_slack_client(environ)
    secret = environ.get("SLACK_SIGNING_SECRET", "")
    socket_mode = bool(environ.get("SLACK_APP_TOKEN"))
    if not secret and not socket_mode:
        raise SlackSetupError("SLACK_SIGNING_SECRET is not set: copy the Signing Secret from the Slack app's "
                              "'Basic Information' page, or set SLACK_APP_TOKEN to use Socket Mode")
    warehouse = ThreadWarehouse(settings.database)
    clock = clock or (lambda: datetime.now(UTC))
    app = build_app(settings, warehouse, client, secret, today, verify=not socket_mode, clock=clock)
    pacer = ChannelPacer()
    retry = RetryPolicy() if settings.max_retry_wait is None else RetryPolicy(max_wait=settings.max_retry_wait)
    reports = SlackReportPoster(client, SlackReplies(settings, warehouse, today), warehouse, pacer)
    jobs = Jobs(settings, warehouse, StoreSync(warehouse, environ, clock, retry), SlackDigestPoster(client, pacer),
                SlackAlertPoster(client, pacer), SlackMessageFinder(client), notice_text, clock,
                holder=f"{socket.gethostname()}:{os.getpid()}", reports=reports)
    return Runtime(app, jobs)


def command_outbox(settings: Settings, environ: Mapping[str, str]) -> Any:
    """The delivery machinery for a one-off CLI command (`digest --post`, `alerts --post`), on the real clock."""

    client = build_slack_client(environ)
    deliverer = Deliverer(ThreadWarehouse(settings.database), SlackMessageFinder(client),
                          f"cli:{socket.gethostname()}:{os.getpid()}", lambda: datetime.now(UTC))
    return Outbox(settings, deliverer, SlackDigestPoster(client), SlackAlertPoster(client))
