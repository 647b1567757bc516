"""Syncing one store's Klaviyo flows and campaigns, within the reporting budget.

The reporting endpoints allow about 1 request a second, 2 a minute and 225 a day. A daily
run costs one flow-series request (the last ``FLOW_REPULL_DAYS`` days fit one 60-day window)
and one campaign-values request; a backfill takes 60-day flow windows and one-year campaign
windows, so three years cost 19 + 3 requests (plus pages). The client paces itself to the
per-minute limit; a short 429 is waited out; a long one (the daily budget) stops Klaviyo for
this run, and the next run resumes where the stored state says, without touching other sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from connectors.engine.database import Database
from connectors.ga4.sync import date_chunks
from connectors.klaviyo import store as tables
from connectors.klaviyo.client import KlaviyoBudgetExhausted, KlaviyoClient, KlaviyoError
from connectors.klaviyo.parse import (
    Campaign,
    campaign_value_rows,
    flow_series_rows,
    parse_campaigns,
    parse_flows,
    placed_order_metric,
)
from connectors.klaviyo.reports import CAMPAIGN_VALUES, FLOW_SERIES, REPORTS, ReportSpec, ReportWindow, fetch_window
from connectors.klaviyo.roles import assign_roles
from connectors.source_state import plan_range, read_state
from kpi.settings import StoreSettings

FLOW_REPULL_DAYS = 10  # flow conversions keep arriving for days after a send
CAMPAIGN_REPULL_DAYS = 30  # a campaign's totals grow through its attribution window
BACKFILL_DAYS = 400
DAILY_BUDGET = 200  # of Klaviyo's 225 report requests a day per endpoint, leaving room for other tools
CHANNELS = ("email", "sms")
REPULL = {FLOW_SERIES.name: FLOW_REPULL_DAYS, CAMPAIGN_VALUES.name: CAMPAIGN_REPULL_DAYS}


class KlaviyoSetupError(KlaviyoError):
    """The account lacks something the sync needs (the Placed Order metric)."""


@dataclass
class KlaviyoSyncResult:
    store: str
    rows: int = 0
    requests: int = 0
    report_requests: int = 0
    windows: int = 0
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)  # report -> statistics Klaviyo refused
    paused: str | None = None  # why Klaviyo stopped early this run; the next run resumes
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Run:
    db: Database
    client: KlaviyoClient
    store: StoreSettings
    now: Callable[[], datetime]
    result: KlaviyoSyncResult
    checkpoint: tables.Checkpoint | None
    campaigns: dict[str, Campaign] = field(default_factory=dict)


def sync_klaviyo(db: Database, client: KlaviyoClient, store: StoreSettings, as_of: date, *,
                 now: Callable[[], datetime], since: date | None = None, until: date | None = None,
                 checkpoint: tables.Checkpoint | None = None) -> KlaviyoSyncResult:
    result = KlaviyoSyncResult(store.name)
    run = _Run(db, client, store, now, result, checkpoint)
    try:
        if _paused_until(run) is None:
            _sync_flows(run)
            metric_id = _conversion_metric(client)
            run.campaigns = _list_campaigns(client)
            for spec in REPORTS:
                state = read_state(db, store.name, "klaviyo", spec.name)
                _sync_report(run, spec, metric_id,
                             *plan_range(state, as_of, REPULL[spec.name], since, until, BACKFILL_DAYS))
    except KlaviyoBudgetExhausted as error:
        result.paused = f"{error}; synced so far is kept, and the next run resumes from there"
    finally:
        result.requests, result.report_requests = client.requests, client.report_requests
    return result


def _paused_until(run: _Run) -> datetime | None:
    now = run.now()
    for spec in REPORTS:
        resume = read_state(run.db, run.store.name, "klaviyo", spec.name).resume_after
        if resume and resume > now:
            run.result.paused = (f"Klaviyo's daily report budget was spent; this store's Klaviyo sync resumes "
                                 f"after {resume:%Y-%m-%d %H:%M} UTC")
            return resume
    return None


def _sync_flows(run: _Run) -> None:
    flows = [flow for page in run.client.pages("/api/flows/") for flow in parse_flows(page)]
    known = {flow.flow_id: flow for flow in tables.stored_flows(run.db, run.store.name)}
    everything = list({**known, **{flow.flow_id: flow for flow in flows}}.values())
    configured = dict(run.store.klaviyo.flows) if run.store.klaviyo else {}
    match = assign_roles(everything, configured)
    tables.save_flows(run.db, run.store.name, flows, match.roles, run.now())
    run.result.warnings += [f"Klaviyo flows.{role} names {name!r}, which matches no flow: "
                            f"check the name in Klaviyo > Flows" for role, name in match.unmatched]


def _conversion_metric(client: KlaviyoClient) -> str:
    metric = placed_order_metric(client.pages("/api/metrics/"))
    if metric is None:
        raise KlaviyoSetupError("Klaviyo has no \"Placed Order\" metric: connect the shop's integration in "
                                "Klaviyo (or send Placed Order events) so conversions can be counted")
    return metric


def _list_campaigns(client: KlaviyoClient) -> dict[str, Campaign]:
    campaigns: dict[str, Campaign] = {}
    for channel in CHANNELS:  # Klaviyo lists campaigns one channel at a time
        params = {"filter": f"equals(messages.channel,'{channel}')", "fields[campaign]": "name,status,send_time"}
        for page in client.pages("/api/campaigns/", params):
            campaigns.update({c.campaign_id: c for c in parse_campaigns(page, channel)})
    return campaigns


def _sync_report(run: _Run, spec: ReportSpec, metric_id: str, start: date, end: date) -> None:
    for window_start, window_end in date_chunks(start, end, spec.max_days):
        state = read_state(run.db, run.store.name, "klaviyo", spec.name)
        today = run.now().date().isoformat()
        if state.used_on(today) >= DAILY_BUDGET:
            _pause(run, spec, f"{state.used_on(today)} {spec.name} requests already made today (UTC)")
        before = run.client.report_requests
        try:
            window = fetch_window(run.client, spec, window_start, window_end, metric_id)
        except KlaviyoBudgetExhausted as error:
            tables.record_requests(run.db, run.store.name, spec.name, run.now(), run.client.report_requests - before,
                                   run.now() + timedelta(seconds=error.retry_after), str(error))
            raise
        except KlaviyoError as error:
            tables.record_requests(run.db, run.store.name, spec.name, run.now(), run.client.report_requests - before,
                                   note=str(error))
            raise
        _write(run, spec, window, window_start, window_end, run.client.report_requests - before)


def _write(run: _Run, spec: ReportSpec, window: ReportWindow, start: date, end: date, spent: int) -> None:
    note = f"Klaviyo refused {', '.join(window.skipped)}: stored as unknown" if window.skipped else None
    if window.skipped:
        run.result.skipped[spec.name] = tuple(sorted(set(run.result.skipped.get(spec.name, ())) | set(window.skipped)))
    name = run.store.name
    if spec is FLOW_SERIES:
        rows = flow_series_rows(name, window.pages, window.statistics)
        tables.replace_flow_days(run.db, name, start, end, rows, run.now(), spent, note, run.checkpoint)
    else:
        rows, unplaced = campaign_value_rows(name, window.pages, window.statistics, run.campaigns, run.store.timezone)
        if unplaced:
            run.result.warnings.append(f"{len(unplaced)} Klaviyo campaign(s) in the report are not in the campaign "
                                       "list or have no send time, so they have no day and were left out")
        tables.replace_campaign_days(run.db, name, start, end, rows, run.now(), spent, note, run.checkpoint)
    run.result.rows += len(rows)
    run.result.windows += 1


def _pause(run: _Run, spec: ReportSpec, why: str) -> None:
    tomorrow = datetime.combine(run.now().date() + timedelta(days=1), datetime.min.time(), run.now().tzinfo)
    tables.record_requests(run.db, run.store.name, spec.name, run.now(), 0, tomorrow, f"daily budget: {why}")
    raise KlaviyoBudgetExhausted(f"kpibot's daily Klaviyo budget is spent ({why})",
                                 (tomorrow - run.now()).total_seconds())

