"""The language a person reads Slack in (``users.info`` with ``include_locale``), cached for a few minutes.

Answers only that person sees (ephemeral replies, refusals) follow it when kpibot speaks it
(Italian or English); messages in a channel keep the store's language. Anything else, or a
failed lookup, leaves the store's language: never an error, never a wait on every reply.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.i18n import LANGUAGES

log = logging.getLogger("kpibot.slack")

LOCALE_TTL = 300.0  # seconds: a changed Slack language shows within five minutes
CACHE_LIMIT = 5000


class Locales:
    def __init__(self, client: WebClient, ttl: float = LOCALE_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl = ttl
        self.clock = clock
        self.cache: dict[str, tuple[float, str | None]] = {}
        self.lock = threading.Lock()

    def language(self, user: str | None) -> str | None:
        """``it`` or ``en`` when ``user`` reads Slack in one of them, else None (use the store's)."""
        if not user:
            return None
        with self.lock:
            hit = self.cache.get(user)
            if hit is not None and self.clock() - hit[0] < self.ttl:
                return hit[1]
        found = self._fetch(user)
        with self.lock:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()  # rare: thousands of people in five minutes; everyone is simply asked again
            self.cache[user] = (self.clock(), found)
        return found

    def _fetch(self, user: str) -> str | None:
        try:
            response = self.client.users_info(user=user, include_locale=True)
        except Exception as error:  # noqa: BLE001 - the store's language is a fine answer; remembered a while
            log.info("could not read a user's Slack locale: %s", type(error).__name__)
            return None
        locale = str((response.get("user") or {}).get("locale") or "")
        language = locale.replace("_", "-").split("-")[0].lower()
        return language if language in LANGUAGES else None
