"""Syncing a store's GA4 reports into the warehouse: ranges, chunks, state and run log.

Backfills use few, multi-day requests (up to ``CHUNK_DAYS`` per request, paged). Every
incremental run re-pulls the trailing days GA4 may still be processing. Each chunk is
checked before it replaces what is stored (``connectors.ga4.checks``), and its delete, its
rows, its metadata and the sync state it advances are written in one transaction, so an
interrupted or refused sync leaves every chunk either as it was or wholly new, and a re-run
converges to the same tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from connectors.engine.database import Database
from connectors.ga4.checks import CheckFailed, check_final_days_kept, stored_days
from connectors.ga4.errors import Ga4CheckError, Ga4Failure, Ga4QuotaLow, Ga4ReportError
from connectors.ga4.fetch import ReportChunk, RetryPolicy, fetch_report
from connectors.ga4.reports import REPORTS, ReportSpec
from connectors.ga4.sync_log import finish_run, start_run, synced_through, update_synced_through
from connectors.redact import mask_urls_in
from connectors.transaction import WarehouseError
from connectors.warehouse import transaction, write_chunk

CHUNK_DAYS = 400  # a year and more per request: ~50 rows a day fit easily in one page
REPULL_DAYS = 3  # GA4 keeps processing the last 24-48 hours
BACKFILL_DAYS = 400

Progress = Callable[[str, int, int, int], None]  # report, chunk done, chunks, rows so far


@dataclass
class SyncResult:
    store: str
    start: date
    end: date
    rows: int = 0
    requests: int = 0
    quota_used: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def plan_range(db: Database, store: str, as_of: date, since: date | None = None, until: date | None = None,
               backfill_days: int = BACKFILL_DAYS) -> tuple[date, date]:
    """The dates to pull: explicit, or from the last synced day minus the re-pull window."""
    end = until or as_of - timedelta(days=1)
    if since:
        return since, end
    last = synced_through(db, store, [spec.name for spec in REPORTS])
    if last is None:
        return end - timedelta(days=backfill_days - 1), end
    return min(last - timedelta(days=REPULL_DAYS - 1), end), end


def date_chunks(start: date, end: date, days: int = CHUNK_DAYS) -> list[tuple[date, date]]:
    chunks = []
    while start <= end:
        chunk_end = min(end, start + timedelta(days=days - 1))
        chunks.append((start, chunk_end))
        start = chunk_end + timedelta(days=1)
    return chunks


def sync_store(db: Database, client: Any, store: str, property_id: str, start: date, end: date, *,
               clock: Callable[[], datetime], reports: Sequence[ReportSpec] = REPORTS,
               retry: RetryPolicy | None = None, progress: Progress | None = None,
               service_account: str | None = None) -> SyncResult:
    """Pull ``reports`` for [start, end].

    A 400 or an answer that fails a check stops that report (the others go on); any other
    failure stops the sync. Either way the run log gets the sentence, URLs masked.
    """
    result = SyncResult(store, start, end)
    run_id = start_run(db, store, clock())
    try:
        for spec in reports:
            try:
                _sync_report(db, client, spec, result, property_id, clock, retry, progress, service_account)
            except Ga4ReportError as error:
                result.errors[spec.name] = mask_urls_in(str(error))
    except Exception as error:
        # the run log must never hide the error that stopped the run (a full disk, a lock)
        with suppress(WarehouseError):
            said = str(error) if isinstance(error, Ga4Failure) else f"{type(error).__name__}: {error}"
            finish_run(db, run_id, clock(), result.rows, result.requests, result.quota_used, mask_urls_in(said))
        raise
    summary = "; ".join(f"{name}: {message}" for name, message in result.errors.items()) or None
    finish_run(db, run_id, clock(), result.rows, result.requests, result.quota_used, summary)
    return result


def _sync_report(db: Database, client: Any, spec: ReportSpec, result: SyncResult, property_id: str,
                 clock: Callable[[], datetime], retry: RetryPolicy | None, progress: Progress | None,
                 service_account: str | None) -> None:
    chunks = date_chunks(result.start, result.end)
    for index, (chunk_start, chunk_end) in enumerate(chunks, start=1):
        try:
            chunk = fetch_report(client, property_id, spec, result.store, chunk_start, chunk_end,
                                 retry=retry, service_account=service_account)
            _check_against_stored(db, spec, result.store, chunk_start, chunk_end, chunk, clock())
        except Ga4Failure as failure:
            result.requests += failure.requests
            raise
        with transaction(db):
            write_chunk(db, spec.table, chunk.rows,
                        _chunk_metadata(spec, result.store, chunk_start, chunk_end, chunk, clock()))
            update_synced_through(db, result.store, spec.name, chunk_end, clock())
        result.rows += len(chunk.rows)
        result.requests += chunk.requests
        result.quota_used += chunk.quota_used
        if progress:
            progress(spec.name, index, len(chunks), result.rows)
        _check_quota(chunk, property_id, chunk_end, index < len(chunks))


def _check_against_stored(db: Database, spec: ReportSpec, store: str, start: date, end: date, chunk: ReportChunk,
                          now: datetime) -> None:
    """Refuse an answer that drops days GA4 had already finished (see ``check_final_days_kept``)."""
    try:
        check_final_days_kept(stored_days(db, spec.table, store, start, end), (row["date"] for row in chunk.rows),
                              now.date() - timedelta(days=REPULL_DAYS))
    except CheckFailed as failed:
        raise Ga4CheckError.about(spec.name, start, end, failed, chunk.requests) from None


def _check_quota(chunk: ReportChunk, property_id: str, synced_to: date, more: bool) -> None:
    """Back off on ``propertyQuota`` before GA4 answers 429: what is stored stays stored."""
    left = chunk.hourly_tokens_left
    if more and left is not None and left < 2 * max(chunk.quota_used, 1):
        raise Ga4QuotaLow(f"{property_id} (only {left} tokens left this hour): synced up to {synced_to}; "
                          "the next run continues from there")


def _chunk_metadata(spec: ReportSpec, store: str, start: date, end: date, chunk: ReportChunk,
                    fetched_at: datetime) -> dict[str, Any]:
    return {"store": store, "report": spec.name, "start_date": start.isoformat(),
            "end_date": end.isoformat(), "currency": chunk.currency, "time_zone": chunk.time_zone,
            "thresholded": int(chunk.thresholded), "other_row": int(chunk.other_row),
            "sampled": int(chunk.sampled), "rows": len(chunk.rows),
            "fetched_at": fetched_at.isoformat(timespec="seconds")}
