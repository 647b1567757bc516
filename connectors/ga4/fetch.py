"""Fetching one GA4 report over a date range: paging, checks and pure row parsing.

``fetch_report`` takes the client as an argument and returns plain rows, or raises one
of ``connectors.ga4.errors``. Every page is checked (``connectors.ga4.checks``) before
the caller stores anything. Parsing is a pure function over header names and value
strings, testable on a saved JSON response. Calls and retries live in ``ga4_calls``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from connectors.ga4.calls import RetryPolicy, call_with_retries
from connectors.ga4.checks import CheckFailed, check_days_in_range, check_page, iso_day, metric_number
from connectors.ga4.errors import (
    Ga4AccessError,
    Ga4CheckError,
    Ga4Failure,
    Ga4QuotaLow,
    Ga4ReportError,
    Ga4UnavailableError,
)
from connectors.ga4.limits import count_tokens
from connectors.ga4.reports import ReportSpec

__all__ = ["Ga4AccessError", "Ga4QuotaLow", "Ga4ReportError", "Ga4UnavailableError", "ReportChunk",
           "RetryPolicy", "fetch_report", "parse_json_report", "parse_rows"]

PAGE_SIZE = 250_000  # the API's maximum rows per request


@dataclass
class ReportChunk:
    rows: list[dict[str, Any]]
    currency: str = ""
    time_zone: str = ""
    thresholded: bool = False
    other_row: bool = False
    sampled: bool = False
    requests: int = 0
    quota_used: int = 0
    hourly_tokens_left: int | None = None  # propertyQuota.tokensPerHour.remaining after the last page


def parse_rows(spec: ReportSpec, store: str, dimension_names: Sequence[str], metric_names: Sequence[str],
               raw_rows: Iterable[tuple[Sequence[str], Sequence[str]]]) -> list[dict[str, Any]]:
    """Turn GA4 value strings into warehouse rows (ISO dates, numbers by metric type).

    Raises ``CheckFailed`` on a value that is not a finite number, a bad date, or a row
    whose values do not match the headers.
    """
    dimension_columns = [spec.dimensions[name] for name in dimension_names]
    integers = spec.integer_columns
    metrics = [(name, spec.metrics[name], spec.metrics[name] in integers) for name in metric_names]
    rows = []
    for dimension_values, metric_values in raw_rows:
        if len(dimension_values) != len(dimension_columns) or len(metric_values) != len(metrics):
            raise CheckFailed(f"has a row with {len(dimension_values)} + {len(metric_values)} values "
                              f"for {len(dimension_columns)} + {len(metrics)} headers")
        row: dict[str, Any] = {"store": store}
        for column, value in zip(dimension_columns, dimension_values, strict=True):
            row[column] = iso_day(value) if column == "date" else value
        for (name, column, integer), value in zip(metrics, metric_values, strict=True):
            row[column] = metric_number(value, integer, name, row.get("date"))
        rows.append(row)
    return rows


def parse_json_report(spec: ReportSpec, store: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """``parse_rows`` over a runReport response in its REST JSON form."""
    return parse_rows(
        spec, store,
        [header["name"] for header in payload.get("dimensionHeaders", [])],
        [header["name"] for header in payload.get("metricHeaders", [])],
        (([v.get("value", "") for v in row.get("dimensionValues", [])],
          [v.get("value", "0") for v in row.get("metricValues", [])]) for row in payload.get("rows", [])),
    )


def fetch_report(client: Any, property_id: str, spec: ReportSpec, store: str, start: date, end: date,
                 retry: RetryPolicy | None = None, service_account: str | None = None) -> ReportChunk:
    """All rows of ``spec`` for [start, end], paged with limit/offset up to ``rowCount``, checked."""
    chunk = ReportChunk(rows=[])
    try:
        _fetch_pages(client, property_id, spec, store, start, end, retry or RetryPolicy(), service_account, chunk)
    except CheckFailed as failed:
        raise Ga4CheckError.about(spec.name, start, end, failed, chunk.requests) from None
    except Ga4Failure as failure:
        failure.requests = chunk.requests
        raise
    return chunk


def _fetch_pages(client: Any, property_id: str, spec: ReportSpec, store: str, start: date, end: date,
                 retry: RetryPolicy, service_account: str | None, chunk: ReportChunk) -> None:
    from google.analytics.data_v1beta.types import RunReportResponse

    days = (end - start).days + 1
    announced: int | None = None
    offset = 0
    while True:
        request = _request(property_id, spec, start, end, offset)
        response = call_with_retries(client, request, retry, property_id, service_account, chunk)
        raw = RunReportResponse.pb(response)  # the raw protobuf: much faster to walk than proto-plus
        check_page(raw.row_count, announced, offset, len(raw.rows), PAGE_SIZE, days)
        announced = raw.row_count
        _absorb(chunk, spec, store, raw)
        count_tokens(property_id, raw.property_quota.tokens_per_day.consumed)
        offset += PAGE_SIZE
        if offset >= raw.row_count:
            check_days_in_range((row["date"] for row in chunk.rows), start, end)
            return


def _request(property_id: str, spec: ReportSpec, start: date, end: date, offset: int) -> Any:
    from google.analytics.data_v1beta.types import DateRange, Dimension, Metric, RunReportRequest

    return RunReportRequest(
        property=f"properties/{property_id}",
        date_ranges=[DateRange(start_date=start.isoformat(), end_date=end.isoformat())],
        dimensions=[Dimension(name=name) for name in spec.dimensions],
        metrics=[Metric(name=name) for name in spec.metrics],
        limit=PAGE_SIZE, offset=offset, return_property_quota=True,
    )


def _absorb(chunk: ReportChunk, spec: ReportSpec, store: str, raw: Any) -> None:
    chunk.rows.extend(parse_rows(
        spec, store, [h.name for h in raw.dimension_headers], [h.name for h in raw.metric_headers],
        (([v.value for v in row.dimension_values], [v.value for v in row.metric_values]) for row in raw.rows),
    ))
    metadata = raw.metadata
    chunk.currency = metadata.currency_code or chunk.currency
    chunk.time_zone = metadata.time_zone or chunk.time_zone
    chunk.thresholded |= metadata.subject_to_thresholding
    chunk.other_row |= metadata.data_loss_from_other_row
    chunk.sampled |= len(metadata.sampling_metadatas) > 0
    chunk.quota_used += raw.property_quota.tokens_per_day.consumed
    if raw.HasField("property_quota"):
        chunk.hourly_tokens_left = raw.property_quota.tokens_per_hour.remaining

