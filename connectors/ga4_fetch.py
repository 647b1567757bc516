"""Fetching one GA4 report over a date range: paging, retries and pure row parsing.

``fetch_report`` takes the client as an argument and returns plain rows. Parsing is a
pure function over header names and value strings, testable on a saved JSON response.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from connectors.ga4_reports import ReportSpec

PAGE_SIZE = 250_000  # the API's maximum rows per request
MAX_ATTEMPTS = 6
RETRY_AFTER = re.compile(r"after (\d+(?:\.\d+)?) ?s", re.IGNORECASE)


class Ga4ReportError(Exception):
    """The API refused this report (400): stop it, let the others go on."""

    exit_code = 1


class Ga4AccessError(Exception):
    exit_code = 1


class Ga4UnavailableError(Exception):
    exit_code = 1


class Ga4QuotaLow(Exception):
    """The property's hourly tokens are nearly spent: stop before GA4 starts refusing."""

    exit_code = 1


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


@dataclass
class RetryPolicy:
    max_attempts: int = MAX_ATTEMPTS
    base_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the ``attempt``-th retry (1-based)."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def parse_rows(spec: ReportSpec, store: str, dimension_names: Sequence[str], metric_names: Sequence[str],
               raw_rows: Iterable[tuple[Sequence[str], Sequence[str]]]) -> list[dict[str, Any]]:
    """Turn GA4 value strings into warehouse rows (ISO dates, numbers by metric type)."""
    dimension_columns = [spec.dimensions[name] for name in dimension_names]
    metric_columns = [spec.metrics[name] for name in metric_names]
    integers = spec.integer_columns
    rows = []
    for dimension_values, metric_values in raw_rows:
        row: dict[str, Any] = {"store": store}
        for column, value in zip(dimension_columns, dimension_values, strict=True):
            row[column] = f"{value[:4]}-{value[4:6]}-{value[6:]}" if column == "date" else value
        for column, value in zip(metric_columns, metric_values, strict=True):
            row[column] = int(float(value)) if column in integers else float(value)
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
    """All rows of ``spec`` for [start, end], paged with limit/offset up to ``rowCount``."""
    retry = retry or RetryPolicy()
    chunk = ReportChunk(rows=[])
    offset = 0
    while True:
        response = _call_with_retries(client, _request(property_id, spec, start, end, offset), retry,
                                      property_id, service_account, chunk)
        _absorb(chunk, spec, store, response)
        offset += PAGE_SIZE
        if offset >= response.row_count:
            return chunk


def _request(property_id: str, spec: ReportSpec, start: date, end: date, offset: int) -> Any:
    from google.analytics.data_v1beta.types import DateRange, Dimension, Metric, RunReportRequest

    return RunReportRequest(
        property=f"properties/{property_id}",
        date_ranges=[DateRange(start_date=start.isoformat(), end_date=end.isoformat())],
        dimensions=[Dimension(name=name) for name in spec.dimensions],
        metrics=[Metric(name=name) for name in spec.metrics],
        limit=PAGE_SIZE, offset=offset, return_property_quota=True,
    )


def _absorb(chunk: ReportChunk, spec: ReportSpec, store: str, response: Any) -> None:
    from google.analytics.data_v1beta.types import RunReportResponse

    raw = RunReportResponse.pb(response)  # the raw protobuf: much faster to walk than proto-plus
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


def _call_with_retries(client: Any, request: Any, retry: RetryPolicy, property_id: str,
                       service_account: str | None, chunk: ReportChunk) -> Any:
    from google.api_core import exceptions

    for attempt in range(1, retry.max_attempts + 1):
        chunk.requests += 1
        try:
            return client.run_report(request=request, timeout=120.0)
        except (exceptions.Forbidden, exceptions.PermissionDenied):
            who = service_account or "the service account in GOOGLE_APPLICATION_CREDENTIALS"
            raise Ga4AccessError(
                f"GA4 property {property_id} refused access: add {who} to that property as a Viewer "
                "(GA4 Admin > Property access management) and check the property id in kpibot.toml."
            ) from None
        except (exceptions.BadRequest, exceptions.InvalidArgument) as error:
            raise Ga4ReportError(_api_message(error)) from None
        except (exceptions.TooManyRequests, exceptions.ResourceExhausted) as error:
            if attempt == retry.max_attempts:
                raise Ga4UnavailableError(f"GA4 quota still exhausted after {attempt} attempts: "
                                          f"{_api_message(error)} Try again later.") from None
            retry.sleep(_quota_delay(error, retry, attempt))
        except (exceptions.ServerError, exceptions.ServiceUnavailable) as error:
            if attempt == retry.max_attempts:
                raise Ga4UnavailableError(f"GA4 kept failing after {attempt} attempts "
                                          f"({_api_message(error)}); try again later.") from None
            retry.sleep(retry.backoff(attempt))
    raise AssertionError("unreachable")


def _quota_delay(error: Exception, retry: RetryPolicy, attempt: int) -> float:
    """GA4's quota message says how long to wait ("Try again after 1 seconds"); else back off."""
    match = RETRY_AFTER.search(_api_message(error))
    if match:
        return float(match.group(1)) + retry.rng.uniform(0, 0.5)
    return retry.backoff(attempt)


def _api_message(error: Any) -> str:
    return str(getattr(error, "message", "") or error)
