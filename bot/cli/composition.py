"""Wiring for `kpibot serve`: settings, warehouse, Slack app, GA4 client, scheduler, metrics and health.

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

from prometheus_client import CollectorRegistry
from slack_bolt import App
from starlette.routing import Route

from bot.cli.context import load_settings, today_in
from bot.cli.sources import StoreSync
from bot.ops.http import Health, ops_routes
from bot.render.notices import notice_text
from bot.slack.app import build_app
from bot.slack.client import ChannelPacer, SlackSetupError, build_slack_client
from bot.slack.finder import SlackMessageFinder
from bot.slack.posters import SlackAlertPoster, SlackDigestPoster, SlackReportPoster
from bot.slack.replies import SlackReplies
from connectors.engine.location import Location, shown
from connectors.ga4.fetch import RetryPolicy
from connectors.ops.metrics import WarehouseCollector
from connectors.ops.probes import database_problem
from connectors.warehouse import Warehouse, open_database, open_when_writable
from kpi.settings import Settings, StoreSettings
from schedules.delivery import Deliverer
from schedules.jobs import Jobs, build_scheduler
from schedules.leasing import Timing
from schedules.outbox import Outbox
from schedules.pool import JobPool


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


STOP_GRACE = 5.0  # seconds a stop gives the jobs in hand: `serve` exits within 10 s of SIGTERM


@dataclass
class Runtime:
    app: App
    jobs: Jobs
    health: Health
    metrics: CollectorRegistry
    scheduler: Any = None

    @property
    def ops(self) -> list[Route]:
        """GET /metrics and GET /healthz (bot.ops.http)."""
        return ops_routes(self.health, self.metrics)

    def start_scheduler(self) -> None:
        self.jobs.heartbeat()  # healthy from the start; then every jobs.timing.heartbeat (15 s by default)
        self.health.heartbeat = lambda: self.jobs.leases.last_beat
        self.jobs.catch_up()
        self.scheduler = build_scheduler(self.jobs)
        self.scheduler.start()

    def stop(self, grace: float = STOP_GRACE) -> None:
        """No new job; the jobs in hand get ``grace`` seconds; then every lease is handed back at once,
        so another process takes up at once what this one leaves (its deliveries are safe to retry)."""
        if self.scheduler is None:
            return
        self.scheduler.shutdown(wait=False)
        if self.jobs.pool is not None:
            self.jobs.pool.stop(grace)
        self.jobs.release()


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
    holder = f"{socket.gethostname()}:{os.getpid()}"
    reports = SlackReportPoster(client, SlackReplies(settings, warehouse, today), warehouse, pacer)
    jobs = Jobs(settings, warehouse, StoreSync(warehouse, environ, clock, retry), SlackDigestPoster(client, pacer),
                SlackAlertPoster(client, pacer), SlackMessageFinder(client), notice_text, clock, holder=holder,
                reports=reports, pool=JobPool())
    metrics = CollectorRegistry()
    metrics.register(WarehouseCollector(warehouse, clock))
    health = Health(database=lambda: database_problem(lambda: open_database(settings.database, busy_timeout_ms=1000)),
                    heartbeat=None, clock=clock, holder=holder, timing=jobs.timing)
    return Runtime(app, jobs, health, metrics)


def command_outbox(settings: Settings, environ: Mapping[str, str]) -> Any:
    """The delivery machinery for a one-off CLI command (`digest --post`, `alerts --post`), on the real clock."""

    client = build_slack_client(environ)
    timing = Timing.of(settings)
    deliverer = Deliverer(ThreadWarehouse(settings.database), SlackMessageFinder(client),
                          f"cli:{socket.gethostname()}:{os.getpid()}", lambda: datetime.now(UTC),
                          claim_time=timing.claim, renew_every=timing.claim_renewal)
    return Outbox(settings, deliverer, SlackDigestPoster(client), SlackAlertPoster(client))
