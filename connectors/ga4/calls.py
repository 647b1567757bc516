"""One GA4 ``runReport`` call: a total deadline, bounded retries, and one sentence per failure.

Retried with jittered backoff: 5xx, a connection refused or reset, a stall or a dripped
body (the deadline), a malformed or truncated body. Honoured: a 429's requested wait (its
message "try again after N seconds" or a ``Retry-After`` header) up to ``max_wait``; a
longer one ends the run at once (``Ga4RetryLater``). Never retried: 400 and 403.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from connectors.ga4.deadline import Deadline
from connectors.ga4.errors import (
    Ga4AccessError,
    Ga4MalformedError,
    Ga4QuotaExhausted,
    Ga4ReportError,
    Ga4RetryLater,
    Ga4TimeoutError,
    Ga4UnavailableError,
    Ga4UnreachableError,
)
from connectors.ga4.limits import SLOTS
from connectors.redact import mask_url, mask_urls_in

MAX_ATTEMPTS = 6
MAX_RETRY_WAIT = 300.0  # seconds: a longer wait asked by GA4 ends the run (kpibot.max_retry_wait)
REQUEST_DEADLINE = 120.0  # seconds for one whole request, body included
RETRY_AFTER = re.compile(r"after (\d+(?:\.\d+)?) ?s", re.IGNORECASE)
REQUEST_LINE = re.compile(r"^[A-Z]+ \S+://\S+: ")
DEFAULT_ENDPOINT = "analyticsdata.googleapis.com"


@dataclass
class RetryPolicy:
    max_attempts: int = MAX_ATTEMPTS
    base_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    max_wait: float = MAX_RETRY_WAIT
    deadline: float = REQUEST_DEADLINE

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the ``attempt``-th retry (1-based)."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


class Attempts(Protocol):
    requests: int


def endpoint_of(client: Any) -> str:
    """The client's endpoint for messages, its password masked."""
    return mask_url(str(getattr(client, "api_endpoint", "") or DEFAULT_ENDPOINT))


def call_with_retries(client: Any, request: Any, retry: RetryPolicy, property_id: str,
                      service_account: str | None, attempts: Attempts) -> Any:
    from google.api_core import exceptions

    for attempt in range(1, retry.max_attempts + 1):
        attempts.requests += 1
        last = attempt == retry.max_attempts
        deadline = Deadline(retry.deadline)
        try:
            with SLOTS.request(property_id), deadline:
                return client.run_report(request=request, timeout=retry.deadline)
        except (exceptions.Forbidden, exceptions.PermissionDenied):
            who = service_account or "the service account in GOOGLE_APPLICATION_CREDENTIALS"
            raise Ga4AccessError(
                f"{property_id}: add {who} to that property as a Viewer "
                "(GA4 Admin > Property access management) and check the property id in kpibot.toml."
            ) from None
        except (exceptions.BadRequest, exceptions.InvalidArgument) as error:
            raise Ga4ReportError(_api_message(error)) from None
        except (exceptions.TooManyRequests, exceptions.ResourceExhausted) as error:
            retry.sleep(_quota_wait(error, client, retry, attempt, last))
        except exceptions.DeadlineExceeded:  # gRPC: timeout= is a deadline for the whole call
            _stop_if_last(last, Ga4TimeoutError, _timeout_detail(client, retry, attempt))
            retry.sleep(retry.backoff(attempt))
        except exceptions.ServerError as error:
            if last:
                raise Ga4UnavailableError(f"{endpoint_of(client)} ({_api_message(error)}, {attempt} attempt(s)): "
                                          "run kpibot sync again later") from None
            retry.sleep(retry.backoff(attempt))
        except Exception as error:  # noqa: BLE001 - sorted below; anything else is re-raised
            failure = _transport_failure(error, deadline.expired, client, retry, attempt)
            if failure is None:
                raise
            _stop_if_last(last, *failure)
            retry.sleep(retry.backoff(attempt))
    raise AssertionError("unreachable")


def _stop_if_last(last: bool, kind: type[Ga4UnavailableError], detail: str) -> None:
    if last:
        raise kind(detail) from None


def _quota_wait(error: Exception, client: Any, retry: RetryPolicy, attempt: int, last: bool) -> float:
    """How long to sleep before the next attempt; raise when GA4 asks for too long or too often."""
    wait = requested_wait(error)
    if wait is not None and wait > retry.max_wait:
        raise Ga4RetryLater(f"{wait:.0f} s before the next request, more than max_retry_wait "
                            f"({retry.max_wait:.0f} s): this run stops here and what was stored stays; "
                            "run kpibot sync again after that wait") from None
    if last:
        raise Ga4QuotaExhausted(f"{endpoint_of(client)} ({_api_message(error)}, {attempt} attempt(s)): what "
                                "was stored stays; run kpibot sync again later") from None
    return wait + retry.rng.uniform(0, 0.5) if wait is not None else retry.backoff(attempt)


def requested_wait(error: Exception) -> float | None:
    """The wait a 429 asks for, in seconds: its message or its ``Retry-After`` header, the longer."""
    waits = []
    match = RETRY_AFTER.search(_api_message(error))
    if match:
        waits.append(float(match.group(1)))
    headers: Any = getattr(getattr(error, "response", None), "headers", None)  # REST only; gRPC has none
    header = headers.get("Retry-After") if hasattr(headers, "get") else None
    if header:
        seconds = _retry_after_seconds(str(header), headers.get("Date"))
        if seconds is not None:
            waits.append(seconds)
    return max(waits) if waits else None


def _retry_after_seconds(value: str, sent: str | None) -> float | None:
    """``Retry-After`` is seconds or an HTTP date; a date is measured from the answer's own ``Date``."""
    if value.strip().replace(".", "", 1).isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - parsedate_to_datetime(sent or "")).total_seconds())
    except (TypeError, ValueError):
        return None


def _transport_failure(error: Exception, expired: bool, client: Any, retry: RetryPolicy,
                       attempt: int) -> tuple[type[Ga4UnavailableError], str] | None:
    """The failure class and sentence for a network-level error, or None if it is not one."""
    import requests
    from google.protobuf.json_format import ParseError

    url = endpoint_of(client)
    if expired or isinstance(error, requests.exceptions.ReadTimeout):
        return Ga4TimeoutError, _timeout_detail(client, retry, attempt)
    if isinstance(error, ParseError | requests.exceptions.ChunkedEncodingError
                  | requests.exceptions.ContentDecodingError):
        reason = "not valid JSON" if isinstance(error, ParseError) else "the answer was cut off"
        return Ga4MalformedError, (f"{url} ({reason}, {attempt} attempt(s)): what was stored stays; "
                                   "run kpibot sync again later")
    if isinstance(error, requests.exceptions.RequestException):
        return Ga4UnreachableError, (f"{url} ({_connection_reason(error)}, {attempt} attempt(s)): check the "
                                     "network or KPIBOT_GA4_ENDPOINT, then run kpibot sync again")
    return None


def _timeout_detail(client: Any, retry: RetryPolicy, attempt: int) -> str:
    return (f"{endpoint_of(client)} (no complete answer within {retry.deadline:g} s, {attempt} attempt(s)): "
            "check the network or KPIBOT_GA4_ENDPOINT, then run kpibot sync again")


def _connection_reason(error: BaseException) -> str:
    """A few words for why a connection failed, from the exception chain (never its text)."""
    import socket

    from urllib3.exceptions import ConnectTimeoutError, NameResolutionError

    reasons: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
        ((NameResolutionError, socket.gaierror), "host not found"),
        (ConnectionRefusedError, "connection refused"),
        (ConnectTimeoutError, "connection timed out"),
        ((ConnectionResetError, ConnectionAbortedError, BrokenPipeError), "connection reset"),
    )
    chain = list(_chain(error))
    for kinds, words in reasons:
        if any(isinstance(link, kinds) for link in chain):
            return words
    if any(type(link).__name__ == "RemoteDisconnected" for link in chain):
        return "connection closed without an answer"
    return f"connection failed: {type(error).__name__}"


def _chain(error: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """``error``, its causes and contexts, and exceptions held in its args or ``reason``."""
    yield error
    if depth > 8:
        return
    linked = [error.__cause__, error.__context__, getattr(error, "reason", None), *error.args]
    for link in linked:
        if isinstance(link, BaseException) and link is not error:
            yield from _chain(link, depth + 1)


def _api_message(error: Any) -> str:
    """GA4's own words: without the "POST <url>: " the REST transport puts first, URLs masked."""
    message = str(getattr(error, "message", "") or error)
    return mask_urls_in(REQUEST_LINE.sub("", message, count=1))
