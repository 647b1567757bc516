"""The sources `kpibot sync` pulls for a store, each one isolated from the others.

A source is a function from a ``SyncRequest`` to the lines it reports; it raises when it
fails. ``run_isolated`` turns any failure into one line naming the store and the source, so
Klaviyo's budget or an expired Meta token never stops GA4 or the shop's own sync.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlite_utils import Database

from kpi.settings import StoreSettings


@dataclass(frozen=True)
class SyncRequest:
    db: Database
    store: StoreSettings
    as_of: date
    since: date | None
    until: date | None
    environ: Mapping[str, str]
    now: Callable[[], datetime]


@dataclass
class SourceReport:
    lines: list[str] = field(default_factory=list)  # what was synced (stdout)
    notices: list[str] = field(default_factory=list)  # worth reading, not failures (stderr)


SourceSync = Callable[[SyncRequest], SourceReport]


def marketing_sources(store: StoreSettings) -> list[tuple[str, SourceSync]]:
    sources: list[tuple[str, SourceSync]] = []
    if store.klaviyo:
        sources.append(("Klaviyo", sync_klaviyo_source))
    if store.meta_ads:
        sources.append(("Meta Ads", sync_meta_ads_source))
    return sources


def run_isolated(name: str, source: SourceSync, request: SyncRequest,
                 debug: bool = False) -> tuple[SourceReport, str | None]:
    """The source's report, and one failure line (or None); never raises unless ``debug``."""
    try:
        return source(request), None
    except Exception as error:  # noqa: BLE001 - one source's failure must not stop the others
        if debug:
            raise
        known = getattr(error, "exit_code", None) is not None
        text = str(error) if known else f"unexpected error: {type(error).__name__}: {error} (run with --debug)"
        return SourceReport(), f"{request.store.name}: {name} failed: {text}"


def sync_klaviyo_source(request: SyncRequest) -> SourceReport:
    from connectors.klaviyo.client import build_client
    from connectors.klaviyo.sync import sync_klaviyo

    assert request.store.klaviyo is not None
    client = build_client(request.environ, request.store.klaviyo.key_env)
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
    from connectors.meta_ads.client import build_client
    from connectors.meta_ads.sync import sync_meta_ads

    assert request.store.meta_ads is not None
    client = build_client(request.environ, request.store.meta_ads.token_env, request.store.name)
    result = sync_meta_ads(request.db, client, request.store, request.as_of, now=request.now, since=request.since,
                           until=request.until)
    name = request.store.name
    report = SourceReport([f"{name}: Meta Ads: {result.rows} rows in {result.chunks} chunk(s), "
                           f"{result.requests} request(s)"])
    report.notices += [f"{name}: Meta Ads: {warning}" for warning in result.warnings]
    if result.paused:
        report.notices.append(f"{name}: Meta Ads paused: {result.paused}")
    return report
