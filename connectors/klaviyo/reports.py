"""Klaviyo's two reports, declared as data, and fetching one window of either.

Only additive counts are asked for; every rate is computed later from their sums. A
statistic Klaviyo refuses (400 naming it) is dropped from the request and the rest kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from connectors.klaviyo.client import KlaviyoClient, KlaviyoRequestError

STATISTICS = ("recipients", "delivered", "opens_unique", "clicks_unique", "conversions", "conversion_uniques",
              "conversion_value")


@dataclass(frozen=True)
class ReportSpec:
    name: str
    path: str
    type: str
    group_by: tuple[str, ...]
    max_days: int  # the longest timeframe one request may cover
    interval: str | None = None


FLOW_SERIES = ReportSpec("flow_series", "/api/flow-series-reports/", "flow-series-report",
                         ("flow_id", "flow_message_id", "send_channel"), max_days=60, interval="daily")
# No series for campaigns, and `interval` is refused: one request gives each campaign's totals.
CAMPAIGN_VALUES = ReportSpec("campaign_values", "/api/campaign-values-reports/", "campaign-values-report",
                             ("campaign_id", "campaign_message_id", "send_channel"), max_days=365)
REPORTS = (FLOW_SERIES, CAMPAIGN_VALUES)


@dataclass
class ReportWindow:
    pages: list[dict[str, Any]]
    statistics: tuple[str, ...]  # the statistics the answer carries
    skipped: tuple[str, ...] = ()  # refused by Klaviyo: stored as NULL, never as 0


def report_body(spec: ReportSpec, start: date, end: date, metric_id: str,
                statistics: tuple[str, ...]) -> dict[str, Any]:
    """The request for days ``start``..``end`` (inclusive), in the account's time zone."""
    attributes: dict[str, Any] = {
        "statistics": list(statistics),
        # Klaviyo ignores the offset and uses the account's time zone; the end is exclusive.
        "timeframe": {"start": f"{start.isoformat()}T00:00:00",
                      "end": f"{(end + timedelta(days=1)).isoformat()}T00:00:00"},
        "conversion_metric_id": metric_id,
        "group_by": list(spec.group_by),
    }
    if spec.interval:
        attributes["interval"] = spec.interval
    return {"data": {"type": spec.type, "attributes": attributes}}


def fetch_window(client: KlaviyoClient, spec: ReportSpec, start: date, end: date, metric_id: str,
                 statistics: tuple[str, ...] = STATISTICS) -> ReportWindow:
    skipped: list[str] = []
    while True:
        kept = tuple(s for s in statistics if s not in skipped)
        try:
            return ReportWindow(client.report(spec.path, report_body(spec, start, end, metric_id, kept)), kept,
                                tuple(skipped))
        except KlaviyoRequestError as error:
            refused = rejected_statistic(error.errors, kept) if error.status == 400 else None
            if refused is None or len(kept) == 1:
                raise
            skipped.append(refused)


def rejected_statistic(errors: list[dict[str, Any]], statistics: tuple[str, ...]) -> str | None:
    """The statistic a 400 names, by its JSON pointer (``/data/attributes/statistics/3``) or its text."""
    for error in errors:
        pointer = str((error.get("source") or {}).get("pointer") or "")
        if pointer.startswith("/data/attributes/statistics/"):
            index = pointer.rsplit("/", 1)[-1]
            if index.isdigit() and int(index) < len(statistics):
                return statistics[int(index)]
        text = f"{error.get('detail', '')} {error.get('title', '')}"
        named = [s for s in statistics if f"'{s}'" in text or f'"{s}"' in text]
        if len(named) == 1:
            return named[0]
    return None
