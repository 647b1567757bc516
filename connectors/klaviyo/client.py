"""The Klaviyo REST client (JSON:API): key header, pinned revision, cursor paging, pacing, retries.

``requests`` with one Session rather than the official ``klaviyo-api`` SDK: the SDK pulls in
a generated model layer for hundreds of endpoints we never call, and we need control over
what it hides (the base URL for the emulator, Retry-After, pacing against a shared budget,
and error texts that never carry the key). ``requests`` is already installed with the GA4
client.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from connectors.http_json import HttpTransportError, JsonResponse, request_json
from connectors.pacing import Pacer, RetryPolicy

BASE_URL = "https://a.klaviyo.com"
REVISION = "2026-10-15"  # the one place the Klaviyo API revision is pinned
LONG_WAIT = 120.0  # a Retry-After longer than this is the daily budget: stop for this run instead
MEDIA_TYPE = "application/vnd.api+json"


class KlaviyoError(Exception):
    exit_code = 1


class KlaviyoAuthError(KlaviyoError):
    """401/403: the key is wrong, revoked, or lacks a read scope."""


class KlaviyoUnavailable(KlaviyoError):
    """Klaviyo kept failing (5xx, timeouts, short 429s) after bounded retries."""


class KlaviyoRequestError(KlaviyoError):
    """A 4xx that retrying cannot fix; ``errors`` is the JSON:API error list."""

    def __init__(self, message: str, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors


class KlaviyoBudgetExhausted(KlaviyoError):
    """A 429 whose Retry-After is hours (the daily budget): resume on a later run."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class KlaviyoClient:
    """GETs for lists, paced POSTs for reports; counts every request it sends."""

    def __init__(self, key: str, base_url: str = BASE_URL, *, key_env: str = "the Klaviyo key variable",
                 session: requests.Session | None = None, retry: RetryPolicy | None = None,
                 pacer: Pacer | None = None, deadline: float = 120.0) -> None:
        self._key = key
        self.base_url = base_url.rstrip("/")
        self.key_env = key_env
        self.session = session or requests.Session()
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or Pacer()
        self.deadline = deadline
        self.requests = 0
        self.report_requests = 0

    def __repr__(self) -> str:  # never show the key
        return f"KlaviyoClient({self.base_url!r}, key from {self.key_env})"

    def pages(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a JSON:API list, following ``links.next``."""
        query: dict[str, str] = dict(params or {})
        while True:
            page = self._call("GET", path, query, None)
            yield page
            next_url = (page.get("links") or {}).get("next")
            if not next_url:
                return
            path, query = _relative(next_url)

    def report(self, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Every page of a report (``page_cursor`` from ``links.next``), paced to the report limits."""
        pages: list[dict[str, Any]] = []
        query: dict[str, str] = {}
        while True:
            self.pacer.wait()
            self.report_requests += 1
            page = self._call("POST", path, query, body)
            pages.append(page)
            cursor = _page_cursor((page.get("links") or {}).get("next"))
            if not cursor:
                return pages
            query = {"page_cursor": cursor}

    def _call(self, method: str, path: str, query: Mapping[str, str], body: Any) -> dict[str, Any]:
        for attempt in range(1, self.retry.max_attempts + 1):
            self.requests += 1
            try:
                response = request_json(self.session, method, self.base_url + path, headers=self._headers(),
                                        params=query, body=body, deadline=self.deadline)
            except HttpTransportError as error:
                self._pause_or_give_up(attempt, f"Klaviyo did not answer ({error})")
                continue
            if response.status < 300:
                return response.body if isinstance(response.body, dict) else {}
            self._handle_failure(response, attempt, path)
        raise AssertionError("unreachable")

    def _handle_failure(self, response: JsonResponse, attempt: int, path: str) -> None:
        errors = _errors(response.body)
        detail = "; ".join(str(e.get("detail") or e.get("title") or "") for e in errors) or f"HTTP {response.status}"
        if response.status in (401, 403):
            raise KlaviyoAuthError(
                f"Klaviyo refused the key in {self.key_env} ({response.status}: {detail}): create a private API key "
                "with read access to flows, campaigns and metrics, and set it in that variable")
        if response.status == 429:
            wait = _retry_after(response)
            if wait is not None and wait > LONG_WAIT:
                raise KlaviyoBudgetExhausted(f"Klaviyo's request budget for {path} is spent for now "
                                             f"(retry after {wait / 3600:.1f} h)", wait)
            if attempt == self.retry.max_attempts:
                raise KlaviyoUnavailable(f"Klaviyo kept throttling {path} after {attempt} attempts: try again later")
            self.retry.sleep(wait if wait is not None else self.retry.backoff(attempt))
            return
        if response.status >= 500:
            self._pause_or_give_up(attempt, f"Klaviyo kept failing on {path} (HTTP {response.status}: {detail})")
            return
        raise KlaviyoRequestError(f"Klaviyo refused {path} (HTTP {response.status}: {detail})", response.status,
                                  errors)

    def _pause_or_give_up(self, attempt: int, message: str) -> None:
        if attempt == self.retry.max_attempts:
            raise KlaviyoUnavailable(f"{message}; try again later")
        self.retry.sleep(self.retry.backoff(attempt))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Klaviyo-API-Key {self._key}", "revision": REVISION,
                "Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE}


def build_client(environ: Mapping[str, str], key_env: str, **options: Any) -> KlaviyoClient:
    """A client for the key in ``environ[key_env]``, at ``KPIBOT_KLAVIYO_ENDPOINT`` when set."""
    key = environ.get(key_env, "")
    if not key:
        raise KlaviyoAuthError(f"{key_env} is not set: export it with the store's Klaviyo private API key "
                               "(see 'Connect Klaviyo' in the README)")
    base = environ.get("KPIBOT_KLAVIYO_ENDPOINT", "").strip() or BASE_URL
    return KlaviyoClient(key, base, key_env=key_env, **options)


def _relative(url: str) -> tuple[str, dict[str, str]]:
    """Path and query of a ``links.next`` URL, so paging stays on the configured endpoint."""
    parts = urlsplit(url)
    return parts.path, {name: values[-1] for name, values in parse_qs(parts.query).items()}


def _page_cursor(url: str | None) -> str | None:
    if not url:
        return None
    return _relative(url)[1].get("page_cursor")


def _errors(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def _retry_after(response: JsonResponse) -> float | None:
    value = response.header("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
