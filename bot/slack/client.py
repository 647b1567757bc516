"""The Slack Web API client, built from the environment, counted per method, and per-channel pacing."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from connectors.ops.metrics import SLACK_CALLS, SLACK_ERRORS

RATE_LIMIT_RETRIES = 4  # slack_sdk's default is 1; a digest must survive a short burst of 429s


class SlackSetupError(Exception):
    exit_code = 2


def build_slack_client(environ: Mapping[str, str], require_token: bool = True,
                       sleep: Callable[[float], None] = time.sleep) -> WebClient:
    """A WebClient with rate-limit retries (``sleep`` waits out each Retry-After; tests record it instead);
    ``KPIBOT_SLACK_API_URL`` overrides its base URL."""
    token = environ.get("SLACK_BOT_TOKEN")
    if require_token and not token:
        raise SlackSetupError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from the "
                              "Slack app's 'OAuth & Permissions' page into the environment")
    base_url = environ.get("KPIBOT_SLACK_API_URL") or WebClient.BASE_URL
    return CountedWebClient(token=token, base_url=base_url if base_url.endswith("/") else base_url + "/",
                            retry_handlers=[CountedRateLimits(max_retry_count=RATE_LIMIT_RETRIES, sleep=sleep)])


# Its own generator: a worker thread drawing from the shared one would disturb whoever seeded it (and fails
# Hypothesis's check that nothing else draws from `random` while a test generates its input).
JITTER = random.Random()


class CountedWebClient(WebClient):
    """A WebClient that counts its calls by method, and its failures by method and Slack's error code."""

    def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        SLACK_CALLS.labels(api_method).inc()
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            SLACK_ERRORS.labels(api_method, str(code or "error")).inc()
            raise
        except Exception as error:
            SLACK_ERRORS.labels(api_method, type(error).__name__).inc()
            raise


class CountedRateLimits(RateLimitErrorRetryHandler):
    """slack_sdk's 429 retries, each one counted as a ``ratelimited`` error of its method.

    The wait before a retry is slack_sdk's (Slack's Retry-After, or 1 s without one, plus up to a second of
    jitter), taken through ``sleep`` rather than slack_sdk's own ``time.sleep`` so that it can be injected.
    """

    def __init__(self, max_retry_count: int = 1, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        retrying = super()._can_retry(state=state, request=request, response=response, error=error)
        if retrying:
            SLACK_ERRORS.labels(request.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0], "ratelimited").inc()
        return retrying

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]  # as slack_sdk: only a response can be rate limited
        state.next_attempt_requested = True
        retry_after = next((values for name, values in response.headers.items() if name.lower() == "retry-after"),
                           None)
        self.sleep((int(retry_after[0]) if retry_after else 1) + JITTER.random())  # the jitter, as slack_sdk adds it
        state.increment_current_attempt()


class ChannelPacer:
    """At most one message per second per channel (Slack's posting limit), as Slack counts them.

    ``paced`` runs one call at a time per channel and starts the next one ``interval`` after the
    previous one *answered*, so however long a request takes to reach Slack (a busy process, a
    slow network), two messages never arrive less than a second apart.
    """

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()
        self.channels: dict[str, threading.Lock] = {}

    @contextmanager
    def paced(self, channel: str) -> Iterator[None]:
        """Around one call that posts to ``channel``."""
        with self.lock:
            turn = self.channels.setdefault(channel, threading.Lock())
        with turn:
            self.wait(channel)
            try:
                yield
            finally:
                with self.lock:
                    self.last[channel] = self.clock()

    def wait(self, channel: str) -> None:
        with self.lock:
            now = self.clock()
            ready = self.last.get(channel, now - self.interval) + self.interval
            self.last[channel] = max(now, ready)
        if ready > now:
            self.sleep(ready - now)
