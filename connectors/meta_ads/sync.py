"""Syncing one store's Meta Ads daily campaign insights.

A first run backfills ``BACKFILL_DAYS`` (never further back than Meta's 37 months) in
month-sized chunks, each written in one transaction with its sync state; later runs re-pull
the last ``REPULL_DAYS``, because Meta keeps attributing purchases to past days. Spend is kept
in the account's own currency; when that differs from the store's, the rows say so and the
result carries a warning (ad KPIs leave such spend out rather than mix currencies).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from connectors.engine.database import Database
from connectors.ga4.sync import date_chunks
from connectors.meta_ads.client import MetaAdsClient, MetaThrottled
from connectors.meta_ads.parse import insight_rows
from connectors.source_state import delete_days, plan_range, read_state, save_state, upsert
from connectors.transaction import transaction
from kpi.settings import StoreSettings

SOURCE, REPORT = "meta_ads", "insights"
REPULL_DAYS = 28  # Meta's attribution keeps changing recent days
BACKFILL_DAYS = 400
CHUNK_DAYS = 31
MAX_MONTHS_BACK = 37
KEY = ("store", "date", "account_id", "campaign_id")
Checkpoint = Callable[[str], None]


@dataclass
class MetaSyncResult:
    store: str
    rows: int = 0
    requests: int = 0
    chunks: int = 0
    currencies: set[str] = field(default_factory=set)
    paused: str | None = None
    warnings: list[str] = field(default_factory=list)


def earliest_day(as_of: date) -> date:
    """The first day Meta still reports: 37 months before ``as_of``, plus one day of margin."""
    months = as_of.year * 12 + as_of.month - 1 - MAX_MONTHS_BACK
    year, month = divmod(months, 12)
    day = min(as_of.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day) + timedelta(days=1)


def sync_meta_ads(db: Database, client: MetaAdsClient, store: StoreSettings, as_of: date, *,
                  now: Callable[[], datetime], since: date | None = None, until: date | None = None,
                  checkpoint: Checkpoint | None = None) -> MetaSyncResult:
    assert store.meta_ads is not None
    account = store.meta_ads.account_id
    result = MetaSyncResult(store.name)
    start, end = plan_range(read_state(db, store.name, SOURCE, REPORT), as_of, REPULL_DAYS, since, until,
                            BACKFILL_DAYS)
    if start < earliest_day(as_of):
        result.warnings.append(f"Meta keeps 37 months of insights: synced from {earliest_day(as_of)}, not {start}")
        start = earliest_day(as_of)
    try:
        for chunk_start, chunk_end in date_chunks(start, end, CHUNK_DAYS):
            rows = insight_rows(store.name, account, client.insights(account, chunk_start, chunk_end))
            note = _currency_note(store, account, {str(r["currency"]) for r in rows if r["currency"]}, result)
            _replace(db, store.name, account, chunk_start, chunk_end, rows, now(), note, checkpoint)
            result.rows += len(rows)
            result.chunks += 1
    except MetaThrottled as error:
        result.paused = str(error)
    finally:
        result.requests = client.requests
    return result


def _currency_note(store: StoreSettings, account: str, currencies: set[str], result: MetaSyncResult) -> str | None:
    foreign = sorted(currencies - {store.currency})
    result.currencies |= currencies
    if not foreign:
        return None
    note = (f"Meta ad account {account} reports in {', '.join(foreign)}, the store in {store.currency}: spend is "
            f"kept in {', '.join(foreign)} and left out of ad KPIs in {store.currency}")
    if note not in result.warnings:
        result.warnings.append(note)
    return note


def _replace(db: Database, store: str, account: str, start: date, end: date, rows: list[dict[str, object]],
             now: datetime, note: str | None, checkpoint: Checkpoint | None) -> None:
    with transaction(db):
        delete_days(db, "meta_ads_days", store, start, end, {"account_id": account})
        upsert(db, "meta_ads_days", rows, KEY)
        save_state(db, store, SOURCE, REPORT, now, synced_through=end, note=note)
        if checkpoint:
            checkpoint(f"meta:{start}")


def foreign_currencies(db: Database, store: StoreSettings) -> list[str]:
    """Currencies of stored Meta spend that differ from the store's (for caveats)."""
    rows = db.execute("SELECT DISTINCT currency FROM meta_ads_days WHERE store = ? AND currency <> ?",
                      [store.name, store.currency]).fetchall()
    return sorted(str(row[0]) for row in rows)
