"""The Slack Web API client, built from the environment, and per-channel pacing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

RATE_LIMIT_RETRIES = 4  # slack_sdk's default is 1; a digest must survive a short burst of 429s


class SlackSetupError(Exception):
    exit_code = 2


def build_slack_client(environ: Mapping[str, str], require_token: bool = True) -> WebClient:
    """A WebClient with rate-limit retries; ``KPIBOT_SLACK_API_URL`` overrides its base URL."""
    token = environ.get("SLACK_BOT_TOKEN")
    if require_token and not token:
        raise SlackSetupError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from the "
                              "Slack app's 'OAuth & Permissions' page into the environment")
    base_url = environ.get("KPIBOT_SLACK_API_URL") or WebClient.BASE_URL
    return WebClient(token=token, base_url=base_url if base_url.endswith("/") else base_url + "/",
                     retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)])


class ChannelPacer:
    """At most one message per second per channel (Slack's posting limit)."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, channel: str) -> None:
        with self.lock:
            now = self.clock()
            ready = self.last.get(channel, now - self.interval) + self.interval
            self.last[channel] = max(now, ready)
        if ready > now:
            self.sleep(ready - now)
