"""The language a person reads Slack in (``users.info`` with ``include_locale``), cached for a few minutes.

Answers only that person sees (ephemeral replies, refusals) follow it when kpibot speaks it
(Italian or English); messages in a channel keep the store's language. Anything else, or a
failed lookup, leaves the store's language: never an error, never a wait on every reply.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.i18n import LANGUAGES
from bot.slack.cache import PersonCache

log = logging.getLogger("kpibot.slack")

LOCALE_TTL = 300.0  # seconds: a changed Slack language shows within five minutes


class Locales:
    def __init__(self, client: WebClient, ttl: float = LOCALE_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.cache: PersonCache[str | None] = PersonCache(ttl, clock)

    def language(self, user: str | None) -> str | None:
        """``it`` or ``en`` when ``user`` reads Slack in one of them, else None (use the store's)."""
        return self.cache.get(user, self._fetch) if user else None

    def _fetch(self, user: str) -> str | None:
        try:
            response = self.client.users_info(user=user, include_locale=True)
        except Exception as error:  # noqa: BLE001 - the store's language is a fine answer; remembered a while
            log.info("could not read a user's Slack locale: %s", type(error).__name__)
            return None
        locale = str((response.get("user") or {}).get("locale") or "")
        language = locale.replace("_", "-").split("-")[0].lower()
        return language if language in LANGUAGES else None
