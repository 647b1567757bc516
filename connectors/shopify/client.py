"""A small Shopify Admin GraphQL client: the access token header, cost-aware throttling and retries.

It reads ``extensions.cost.throttleStatus`` after every answer and waits before a query
that the bucket cannot pay for yet; a ``THROTTLED`` answer waits for ``restoreRate`` to
refill what the query costs, then retries. The token is sent as ``X-Shopify-Access-Token``
to the shop only (never to the bulk download host) and never appears in a message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from connectors.ga4.fetch import RetryPolicy
from connectors.shopify.queries import API_VERSION
from connectors.web import READ_CHUNK, DeadlineExceeded, masked, read_with_deadline

THROTTLE_ATTEMPTS = 10


class ShopifyError(Exception):
    exit_code = 1


class ShopifyAuthError(ShopifyError):
    """Shopify refused the token (401) or the app lacks a scope (403)."""


@dataclass
class Bucket:
    """What Shopify last said about this app's cost bucket on this shop."""

    maximum: float = 1000.0
    available: float | None = None
    restore_rate: float = 50.0

    def wait_for(self, cost: float) -> float:
        """Seconds to wait so the bucket holds ``cost`` points (0 when it already does)."""
        if self.available is None or cost <= self.available:
            return 0.0
        margin = 1.0  # a point more than needed: the bucket is reported rounded
        return (min(cost + margin, self.maximum) - self.available) / max(self.restore_rate, 1.0)


@dataclass
class ShopifyAccess:
    """Where and as whom: ``endpoint`` replaces ``https://{shop}`` (KPIBOT_SHOPIFY_ENDPOINT)."""

    store: str
    shop: str
    endpoint: str
    token: str = field(repr=False)  # never in a repr, a log line or a traceback
    token_env: str = ""

    @property
    def graphql_url(self) -> str:
        return f"{self.endpoint.rstrip('/')}/admin/api/{API_VERSION}/graphql.json"


class ShopifyClient:
    def __init__(self, access: ShopifyAccess, retry: RetryPolicy | None = None, deadline: float = 60.0,
                 session: requests.Session | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.access, self.retry, self.deadline, self.clock = access, retry or RetryPolicy(), deadline, clock
        self.session = session or requests.Session()
        self.bucket = Bucket()
        self.requests = 0
        self.downloads = 0
        self.last_requested_cost: float | None = None

    @property
    def sleep(self) -> Callable[[float], None]:
        return self.retry.sleep

    def query(self, document: str, variables: dict[str, Any] | None = None, cost: float = 1.0) -> dict[str, Any]:
        """The ``data`` of one GraphQL request, after waiting out throttling."""
        for _ in range(THROTTLE_ATTEMPTS):
            self._pace(cost)
            payload = self._post({"query": document, "variables": variables or {}})
            self._note_cost(payload)
            errors = payload.get("errors")
            if errors and _code(errors) == "THROTTLED":
                self._wait_refill(payload, cost)
                continue
            if errors:
                raise ShopifyError(f"Shopify refused a query for {self.access.shop}: {_messages(errors)}")
            return dict(payload.get("data") or {})
        raise ShopifyError(f"Shopify kept throttling {self.access.shop} after {THROTTLE_ATTEMPTS} attempts; "
                           "another app may be using the shop's API budget: try again later")

    def _pace(self, cost: float) -> None:
        """Slow down before the bucket is empty, rather than be refused."""
        wait = self.bucket.wait_for(cost)
        if wait > 0:
            self.sleep(wait)
            assert self.bucket.available is not None
            self.bucket.available += wait * self.bucket.restore_rate

    def _wait_refill(self, payload: dict[str, Any], cost: float) -> None:
        cost_info = (payload.get("extensions") or {}).get("cost") or {}
        requested = float(cost_info.get("requestedQueryCost") or cost)
        available = self.bucket.available or 0.0
        self.sleep((max(requested - available, 0.0) + 1.0) / max(self.bucket.restore_rate, 1.0))
        self.bucket.available = max(requested, available)

    def _note_cost(self, payload: dict[str, Any]) -> None:
        cost = (payload.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        if "currentlyAvailable" in status:
            self.bucket = Bucket(float(status.get("maximumAvailable") or 1000.0), float(status["currentlyAvailable"]),
                                 float(status.get("restoreRate") or 50.0))
        if cost.get("requestedQueryCost") is not None:
            self.last_requested_cost = float(cost["requestedQueryCost"])

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"X-Shopify-Access-Token": self.access.token, "Content-Type": "application/json"}
        for attempt in range(1, self.retry.max_attempts + 1):
            self.requests += 1
            try:
                response = self.session.post(self.access.graphql_url, json=body, headers=headers, stream=True,
                                             timeout=(10.0, self.deadline))
                text = read_with_deadline(response, self.clock() + self.deadline, self.clock)
            except (requests.ConnectionError, requests.Timeout, DeadlineExceeded) as error:
                if attempt == self.retry.max_attempts:
                    where = masked(self.access.endpoint)
                    raise ShopifyError(f"cannot reach Shopify at {where} ({type(error).__name__}) after {attempt} "
                                       "attempts; check the network and try again") from None
                self.sleep(self.retry.backoff(attempt))
                continue
            if response.status_code == 200:
                return _json(text, self.access.shop)
            self._refuse(response.status_code, text)
            if attempt == self.retry.max_attempts:
                raise ShopifyError(f"Shopify kept answering HTTP {response.status_code} for {self.access.shop} "
                                   f"after {attempt} attempts; try again later")
            self.sleep(_retry_after(response) or self.retry.backoff(attempt))
        raise AssertionError("unreachable")

    def _refuse(self, status: int, text: bytes) -> None:
        """Raise for answers that retrying cannot fix; return for 429 and 5xx."""
        if status == 401:
            raise ShopifyAuthError(
                f"Shopify refused the access token for {self.access.shop} (HTTP 401): put the Admin API access "
                f"token of that shop in {self.access.token_env} (see 'Connect Shopify' in the README)")
        if status == 403:
            raise ShopifyAuthError(
                f"Shopify denied access to the orders of {self.access.shop} (HTTP 403): give the app the "
                f"read_orders and read_all_orders scopes, then put its new token in {self.access.token_env}")
        if status == 429 or status >= 500:
            return
        raise ShopifyError(f"Shopify answered HTTP {status} for {self.access.shop}: {_short(text)}")

    def download_lines(self, url: str) -> Iterator[bytes]:
        """The lines of a bulk operation's JSONL file, streamed. No token: the file is on another host."""
        self.downloads += 1
        try:
            response = requests.get(url, stream=True, timeout=(10.0, self.deadline))
        except (requests.ConnectionError, requests.Timeout) as error:
            raise ShopifyError(f"cannot download the bulk export of {self.access.shop} "
                               f"({type(error).__name__}); run the sync again") from None
        with response:
            if response.status_code != 200:
                raise ShopifyError(f"the bulk export of {self.access.shop} could not be downloaded "
                                   f"(HTTP {response.status_code}); run the sync again")
            try:
                yield from response.iter_lines(chunk_size=READ_CHUNK)
            except requests.RequestException as error:
                raise ShopifyError(f"the bulk export of {self.access.shop} was cut off while downloading "
                                   f"({type(error).__name__}); run the sync again") from None


def _json(text: bytes, shop: str) -> dict[str, Any]:
    try:
        payload = json.loads(text)
    except ValueError:
        raise ShopifyError(f"Shopify's answer for {shop} is not JSON: {_short(text)}") from None
    if not isinstance(payload, dict):
        raise ShopifyError(f"Shopify's answer for {shop} is not a JSON object: {_short(text)}")
    return payload


def _code(errors: Any) -> str | None:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return (errors[0].get("extensions") or {}).get("code")
    return None


def _messages(errors: Any) -> str:
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    return str(errors)


def _short(text: bytes | str) -> str:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return shown[:200].strip() or "(empty)"


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
