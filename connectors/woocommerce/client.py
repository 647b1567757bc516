"""A small WooCommerce REST API v3 client: HTTP Basic auth, paging headers, bounded retries.

429 and 5xx answers back off with full jitter (``Retry-After`` when the site sends one)
for a bounded number of attempts; 401 and 403 name the store and the two environment
variables, never their values.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from connectors.ga4.fetch import RetryPolicy
from connectors.web import DeadlineExceeded, read_with_deadline

API_PATH = "/wp-json/wc/v3"


class WooCommerceError(Exception):
    exit_code = 1


class WooCommerceAuthError(WooCommerceError):
    pass


@dataclass
class WooCommerceAccess:
    """``endpoint`` replaces the configured ``url`` (KPIBOT_WOOCOMMERCE_ENDPOINT)."""

    store: str
    url: str
    endpoint: str
    key: str = field(repr=False)  # never in a repr, a log line or a traceback
    secret: str = field(repr=False)
    key_env: str = ""
    secret_env: str = ""


@dataclass(frozen=True)
class Page:
    orders: list[dict[str, Any]]
    total: int
    total_pages: int


class WooCommerceClient:
    def __init__(self, access: WooCommerceAccess, retry: RetryPolicy | None = None, deadline: float = 60.0,
                 session: requests.Session | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.access, self.retry, self.deadline, self.clock = access, retry or RetryPolicy(), deadline, clock
        self.session = session or requests.Session()
        self.requests = 0

    def orders(self, params: Mapping[str, str | int]) -> Page:
        """One page of ``GET /wp-json/wc/v3/orders``."""
        url = f"{self.access.endpoint.rstrip('/')}{API_PATH}/orders"
        for attempt in range(1, self.retry.max_attempts + 1):
            self.requests += 1
            try:
                response = self.session.get(url, params=dict(params), auth=(self.access.key, self.access.secret),
                                            stream=True, timeout=(10.0, self.deadline))
                body = read_with_deadline(response, self.clock() + self.deadline, self.clock)
            except (requests.ConnectionError, requests.Timeout, DeadlineExceeded) as error:
                if attempt == self.retry.max_attempts:
                    raise WooCommerceError(f"cannot reach WooCommerce at {self.access.url} ({type(error).__name__}) "
                                           f"after {attempt} attempts; check the site and try again") from None
                self.retry.sleep(self.retry.backoff(attempt))
                continue
            if response.status_code == 200:
                return _page(body, response.headers, self.access.url)
            self._refuse(response.status_code, body)
            if attempt == self.retry.max_attempts:
                raise WooCommerceError(f"WooCommerce at {self.access.url} kept answering HTTP "
                                       f"{response.status_code} after {attempt} attempts; try again later")
            self.retry.sleep(_retry_after(response) or self.retry.backoff(attempt))
        raise AssertionError("unreachable")

    def _refuse(self, status: int, body: bytes) -> None:
        """Raise for answers that retrying cannot fix; return for 429 and 5xx."""
        names = f"{self.access.key_env} and {self.access.secret_env}"
        if status in (401, 403):
            raise WooCommerceAuthError(
                f"WooCommerce at {self.access.url} refused the API key (HTTP {status}: {_message(body)}): put a "
                f"consumer key and secret with Read access in {names} "
                "(WooCommerce > Settings > Advanced > REST API)")
        if status == 404:
            raise WooCommerceError(f"no WooCommerce REST API at {self.access.url}{API_PATH}/orders (HTTP 404): check "
                                   "the url, that WooCommerce is active and that permalinks are not 'Plain'")
        if status == 429 or status >= 500:
            return
        raise WooCommerceError(f"WooCommerce at {self.access.url} answered HTTP {status}: {_message(body)}")


def _page(body: bytes, headers: Mapping[str, str], url: str) -> Page:
    try:
        orders = json.loads(body)
    except ValueError:
        raise WooCommerceError(f"WooCommerce at {url} did not answer JSON (a cache or security plugin in the way?): "
                               f"{body[:120].decode('utf-8', 'replace')!r}") from None
    if not isinstance(orders, list):
        raise WooCommerceError(f"WooCommerce at {url} answered something other than a list of orders")
    try:
        total, pages = int(headers.get("X-WP-Total", len(orders))), int(headers.get("X-WP-TotalPages", 1))
    except ValueError:
        raise WooCommerceError(f"WooCommerce at {url} sent unreadable paging headers") from None
    return Page(orders, total, pages)


def _message(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return body[:120].decode("utf-8", "replace").strip() or "no message"
    return str(payload.get("message") or payload.get("code") or "no message") if isinstance(payload, dict) else ""


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
