"""The Meta Marketing API insights client: pinned Graph version, cursor paging, usage-aware pacing.

``requests`` with one Session rather than the ``facebook-business`` SDK: the SDK is large,
builds its own session around graph.facebook.com and retries on its own terms, while we need
the emulator's base URL, usage headers read on every answer, and errors that never carry the
token. The token travels in the ``Authorization`` header, never in a URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import requests

from connectors.http_json import HttpTransportError, JsonResponse, request_json
from connectors.meta_ads.parse import Usage, pause_for, usage
from connectors.pacing import RetryPolicy

GRAPH_URL = "https://graph.facebook.com"
GRAPH_VERSION = "v26.0"  # the one place the Graph API version is pinned
FIELDS = ("campaign_id", "campaign_name", "spend", "impressions", "clicks", "actions", "action_values",
          "account_currency")
PAGE_LIMIT = 500
THROTTLE_CODES = {4, 17, 613, 80000, 80004}  # app, user, ad-account and insights call limits
MAX_WAIT = 300.0  # a throttle that lifts later than this stops Meta for this run


class MetaError(Exception):
    exit_code = 1


class MetaAuthError(MetaError):
    """Code 190: the token expired or is invalid."""


class MetaThrottled(MetaError):
    """Usage is near or over Meta's limit for longer than we wait: resume on a later run."""


class MetaUnavailable(MetaError):
    pass


class MetaRequestError(MetaError):
    pass


class MetaAdsClient:
    def __init__(self, token: str, base_url: str = GRAPH_URL, *, token_env: str = "the Meta token variable",
                 store: str = "", session: requests.Session | None = None, retry: RetryPolicy | None = None,
                 deadline: float = 120.0) -> None:
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.token_env = token_env
        self.store = store
        self.session = session or requests.Session()
        self.retry = retry or RetryPolicy(base_delay=30.0, max_delay=300.0)
        self.deadline = deadline
        self.requests = 0
        self.waited = 0.0
        self.last_usage = Usage()

    def __repr__(self) -> str:  # never show the token
        return f"MetaAdsClient({self.base_url!r}, token from {self.token_env})"

    def insights(self, account_id: str, since: date, until: date) -> list[dict[str, Any]]:
        """Every page of daily campaign insights for [since, until]."""
        params = {"level": "campaign", "time_increment": "1", "fields": ",".join(FIELDS), "limit": str(PAGE_LIMIT),
                  "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()})}
        pages = []
        while True:
            page = self._get(f"/{GRAPH_VERSION}/{account_id}/insights", params)
            pages.append(page)
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return pages
            params = {**params, "after": str(after)}

    def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        for attempt in range(1, self.retry.max_attempts + 1):
            self._slow_down()
            self.requests += 1
            try:
                response = request_json(self.session, "GET", self.base_url + path, params=params,
                                        headers={"Authorization": f"Bearer {self._token}"}, deadline=self.deadline)
            except HttpTransportError as error:
                self._retry_or_fail(attempt, f"Meta did not answer ({error})", self.retry.backoff(attempt))
                continue
            self.last_usage = usage(response.headers)
            if response.status < 300 and isinstance(response.body, dict):
                return response.body
            self._handle_failure(response, attempt)
        raise AssertionError("unreachable")

    def _slow_down(self) -> None:
        """Pause before the next call when the last answer's usage headers say we are close to a limit."""
        delay = pause_for(self.last_usage)
        if delay is None:
            raise MetaThrottled(f"Meta's usage for this ad account is at {self.last_usage.percent:.0f}% of its "
                                "limit; stopped early, and the next run resumes")
        if delay:
            self.waited += delay
            self.retry.sleep(delay)

    def _handle_failure(self, response: JsonResponse, attempt: int) -> None:
        error = (response.body or {}).get("error") if isinstance(response.body, dict) else None
        error = error if isinstance(error, dict) else {}
        code = int(error.get("code") or 0)
        if code == 190:
            raise MetaAuthError(f"Meta refused the access token in {self.token_env} for store {self.store} "
                                f"(code 190: expired or invalid): create a new system-user token with ads_read "
                                f"and set {self.token_env}")
        message = self._scrub(str(error.get("message") or f"HTTP {response.status}"))
        if code in THROTTLE_CODES:
            self.last_usage = Usage()  # the error itself says how long; don't pause twice
            wait = max(usage(response.headers).regain_seconds, self.retry.backoff(attempt))
            if wait > MAX_WAIT:
                raise MetaThrottled(f"Meta throttled the insights calls (code {code}) for {wait / 60:.0f} min; "
                                    "stopped early, and the next run resumes")
            self._retry_or_fail(attempt, f"Meta kept throttling the insights calls (code {code}: {message})", wait)
        elif response.status >= 500 or code in (1, 2):
            self._retry_or_fail(attempt, f"Meta kept failing (HTTP {response.status}: {message})",
                                self.retry.backoff(attempt))
        elif code in (10, 200) or 200 <= code < 300:
            raise MetaRequestError(f"Meta denied access to the ad account (code {code}): give the system user of "
                                   f"{self.token_env} access to the ad account, with ads_read")
        else:
            raise MetaRequestError(f"Meta refused the insights request (code {code}: {message})")

    def _retry_or_fail(self, attempt: int, message: str, wait: float) -> None:
        if attempt == self.retry.max_attempts:
            raise MetaUnavailable(f"{message} after {attempt} attempts; try again later")
        self.waited += wait
        self.retry.sleep(wait)

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def build_client(environ: Mapping[str, str], token_env: str, store: str, **options: Any) -> MetaAdsClient:
    token = environ.get(token_env, "")
    if not token:
        raise MetaAuthError(f"{token_env} is not set for store {store}: export it with a system-user access token "
                            "that has ads_read (see 'Connect Meta Ads' in the README)")
    base = environ.get("KPIBOT_META_ENDPOINT", "").strip() or GRAPH_URL
    return MetaAdsClient(token, base, token_env=token_env, store=store, **options)
