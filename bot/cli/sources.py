"""The sources `kpibot sync` pulls for a store, each one isolated from the others.

A source is a function from a ``SyncRequest`` to the lines it reports; it raises when it
fails. ``run_isolated`` turns any failure into one line naming the store and the source, so
Klaviyo's budget or an expired Meta token never stops GA4 or the shop's own sync.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.cli.progress import logged_progress, sync_progress
from bot.cli.shop_sources import PLATFORMS, summary, sync_shop_source
from connectors.ga4 import client as ga4_client
from connectors.ga4.credentials import service_account_email
from connectors.ga4.fetch import RetryPolicy
from connectors.ga4.sync import plan_range, sync_store
from connectors.klaviyo import client as klaviyo_client
from connectors.klaviyo.sync import sync_klaviyo
from connectors.meta_ads import client as meta_client
from connectors.meta_ads.sync import sync_meta_ads
from connectors.ops.metrics import SYNC_RUNS, SYNC_SECONDS
from connectors.redact import mask_urls_in
from connectors.warehouse import Warehouse
from kpi.settings import StoreSettings


@dataclass(frozen=True)
class SyncRequest:
    db: Warehouse
    store: StoreSettings
    as_of: date
    since: date | None
    until: date | None
    environ: Mapping[str, str]
    now: Callable[[], datetime]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    on_terminal: bool = True  # False in `serve`: progress goes to the log, not to stderr


@dataclass
class SourceReport:
    lines: list[str] = field(default_factory=list)  # what was synced (stdout)
    notices: list[str] = field(default_factory=list)  # worth reading, not failures (stderr)


SourceSync = Callable[[SyncRequest], SourceReport]


class Ga4Refused(Exception):
    exit_code = 1


def store_sources(store: StoreSettings) -> list[tuple[str, SourceSync]]:
    """Every source the store configures, GA4 first: the order `kpibot sync` pulls them in."""
    sources: list[tuple[str, SourceSync]] = [("GA4", sync_ga4_source)]
    if store.shopify:
        sources.append(("Shopify", sync_shopify_source))
    if store.woocommerce:
        sources.append(("WooCommerce", sync_woocommerce_source))
    if store.klaviyo:
        sources.append(("Klaviyo", sync_klaviyo_source))
    if store.meta_ads:
        sources.append(("Meta Ads", sync_meta_ads_source))
    return sources


def run_isolated(name: str, source: SourceSync, request: SyncRequest,
                 debug: bool = False) -> tuple[SourceReport, str | None, int]:
    """The source's report, one failure line (or None) and its exit code; never raises unless ``debug``.

    Each run is counted and timed by source (``kpibot_sync_runs_total``, ``kpibot_sync_duration_seconds``)."""
    label = name.lower().replace(" ", "_")
    started = time.perf_counter()
    try:
        report = source(request)
        SYNC_RUNS.labels(label, "ok").inc()
        return report, None, 0
    except Exception as error:  # noqa: BLE001 - one source's failure must not stop the others
        SYNC_RUNS.labels(label, "failed").inc()
        if debug:
            raise
        code = getattr(error, "exit_code", None)
        text = mask_urls_in(str(error))
        if code is None:
            text = f"unexpected error: {type(error).__name__}: {text} (run again with --debug for details)"
        return SourceReport(), f"{request.store.name}: {name} failed: {text}", int(code or 1)
    finally:
        SYNC_SECONDS.labels(label).observe(time.perf_counter() - started)


def sync_ga4_source(request: SyncRequest) -> SourceReport:

    store = request.store
    client = ga4_client.build_client(request.environ)
    start, end = plan_range(request.db, store.name, request.as_of, request.since, request.until)
    with (sync_progress if request.on_terminal else logged_progress)(store.name) as progress:
        result = sync_store(request.db, client, store.name, store.ga4_property, start, end, clock=request.now,
                            retry=request.retry, progress=progress,
                            service_account=service_account_email(request.environ))
    if result.errors:
        refused = "; ".join(f"the {report} report: {message}" for report, message in result.errors.items())
        raise Ga4Refused(f"GA4 refused {refused} (synced {result.rows} rows of the other reports)")
    return SourceReport([f"{store.name}: synced {start} to {end}: {result.rows} rows in {result.requests} request(s)"])


def sync_shopify_source(request: SyncRequest) -> SourceReport:
    return _shop_source(request, "shopify")


def sync_woocommerce_source(request: SyncRequest) -> SourceReport:
    return _shop_source(request, "woocommerce")


def _shop_source(request: SyncRequest, source: str) -> SourceReport:

    store = request.store
    result = sync_shop_source(request.db, store, source, request.environ, request.now(), request.since,
                              request.until)
    return SourceReport([summary(result)], [f"{store.name}: {PLATFORMS[source]}: {note}"
                                            for note in result.notes(store.currency, PLATFORMS[source])])


def sync_klaviyo_source(request: SyncRequest) -> SourceReport:

    assert request.store.klaviyo is not None
    client = klaviyo_client.build_client(request.environ, request.store.klaviyo.key_env)
    result = sync_klaviyo(request.db, client, request.store, request.as_of, now=request.now, since=request.since,
                          until=request.until)
    name = request.store.name
    report = SourceReport([f"{name}: Klaviyo: {result.rows} rows in {result.windows} report window(s), "
                           f"{result.report_requests} report request(s), {result.requests} request(s) in all"])
    report.notices += [f"{name}: Klaviyo: {warning}" for warning in result.warnings]
    report.notices += [f"{name}: Klaviyo refused the statistic(s) {', '.join(stats)} in {report_name}: kept the "
                       "others, and stored these as unknown" for report_name, stats in result.skipped.items()]
    if result.paused:
        report.notices.append(f"{name}: Klaviyo paused: {result.paused}")
    return report


def sync_meta_ads_source(request: SyncRequest) -> SourceReport:

    assert request.store.meta_ads is not None
    client = meta_client.build_client(request.environ, request.store.meta_ads.token_env, request.store.name)
    result = sync_meta_ads(request.db, client, request.store, request.as_of, now=request.now, since=request.since,
                           until=request.until)
    name = request.store.name
    report = SourceReport([f"{name}: Meta Ads: {result.rows} rows in {result.chunks} chunk(s), "
                           f"{result.requests} request(s)"])
    report.notices += [f"{name}: Meta Ads: {warning}" for warning in result.warnings]
    if result.paused:
        report.notices.append(f"{name}: Meta Ads paused: {result.paused}")
    return report


@dataclass
class StoreSync:
    """Every source of a store, pulled the way `kpibot sync` pulls them: what the scheduler runs each hour."""

    warehouse: Callable[[], Warehouse]
    environ: Mapping[str, str]
    now: Callable[[], datetime]
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __call__(self, store: StoreSettings, as_of: date) -> str | None:
        """Sync the store; the failures as one sentence each (joined), or None when every source synced."""
        request = SyncRequest(self.warehouse(), store, as_of, None, None, self.environ, self.now, self.retry,
                              on_terminal=False)
        failures = [failure for name, source in store_sources(store)
                    if (failure := run_isolated(name, source, request)[1]) is not None]
        return "; ".join(failures) or None
