"""Who may see which store: one rule for every Slack action (buttons, App Home).

A person may see a store when they are a member of one of the store's ``channels``, or
listed in ``[kpibot] admins``. An action clicked in a channel (a button in a message)
must also come from a channel that maps to the store it touches. Payloads are signed by
Slack but their contents (an episode id, a store name) are not proof of anything, so the
store is always re-derived on our side and checked here.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.i18n import t
from bot.slack.cache import PersonCache
from kpi.settings import Settings, StoreSettings

log = logging.getLogger("kpibot.access")

MEMBERSHIP_TTL = 300.0  # seconds: joining or leaving a channel shows within five minutes
PAGE_SIZE = 200  # Slack recommends at most 200 per page
MAX_PAGES = 50  # 10,000 channels; also ends a cursor that never runs out
CHANNEL_TYPES = "public_channel,private_channel"


class MembershipUnknown(Exception):
    """Slack could not tell which channels a person is in (the check fails closed)."""


class Membership:
    """The channels a person is a member of (``users.conversations``), cached for a few minutes."""

    def __init__(self, client: WebClient, ttl: float = MEMBERSHIP_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.cache: PersonCache[frozenset[str]] = PersonCache(ttl, clock)

    def channels(self, user: str) -> frozenset[str]:
        return self.cache.get(user, self._fetch)

    def _fetch(self, user: str) -> frozenset[str]:
        found: set[str] = set()
        cursor = ""
        try:
            for _ in range(MAX_PAGES):
                page = self.client.users_conversations(user=user, types=CHANNEL_TYPES, limit=PAGE_SIZE,
                                                       exclude_archived=True, cursor=cursor or None)
                found.update(str(channel.get("id", "")) for channel in page.get("channels") or [])
                cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
                if not cursor:
                    break
        except Exception as error:  # noqa: BLE001 - any failure means "unknown", and unknown means no
            raise MembershipUnknown(type(error).__name__) from None
        return frozenset(found)


@dataclass(frozen=True)
class Refusal:
    """Why an action was refused: ``reason`` is a short phrase for the log, never shown raw."""

    reason: str
    store: StoreSettings | None = None
    retry: bool = False  # the check itself failed; trying again later may work


class Access:
    """The one access rule, applied by every listener before it reads or changes anything."""

    def __init__(self, settings: Settings, membership: Membership) -> None:
        self.settings = settings
        self.membership = membership

    def visible_stores(self, user: str) -> list[StoreSettings]:
        """The stores ``user`` may see (raises MembershipUnknown when Slack cannot tell)."""
        if user in self.settings.admins:
            return list(self.settings.stores)
        channels = self.membership.channels(user)
        return [store for store in self.settings.stores if channels & set(store.channels)]

    def check(self, user: str, store: StoreSettings | None, channel: str | None) -> Refusal | None:
        """None when ``user`` may act on ``store`` from ``channel`` (None: not from a channel)."""
        if store is None:
            return Refusal("no such store")
        if channel is not None and channel not in store.channels:
            return Refusal("channel does not map to the store", store)
        if user in self.settings.admins:
            return None
        try:
            channels = self.membership.channels(user)
        except MembershipUnknown as error:
            return Refusal(f"membership lookup failed ({error})", store, retry=True)
        if not channels & set(store.channels):
            return Refusal("not a member of the store's channels", store)
        return None


SAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def loggable(text: object, limit: int = 40) -> str:
    """Text from a request reduced to characters that cannot forge or split a log line."""
    return SAFE.sub("?", str(text)[:limit]) or "-"


def log_refusal(user: object, action: object, refusal: Refusal, level: int = logging.WARNING) -> None:
    """One short line: who, what, why; never the payload."""
    log.log(level, "refused Slack action %s by user %s: %s", loggable(action), loggable(user), refusal.reason)


def language_for(settings: Settings, store: StoreSettings | None) -> str:
    """The store's language, or the global one when there is no store."""
    return store.language if store else settings.language


def refusal_text(settings: Settings, refusal: Refusal, language: str | None = None) -> str:
    """The polite "no", in ``language`` (the asker's) or else the store's."""
    return t("access_retry" if refusal.retry else "access_refused", language or language_for(settings, refusal.store))


def stores_for_channel(settings: Settings, channel_id: str) -> list[StoreSettings]:
    """SPEC §9: a channel may only query the stores whose ``channels`` contain it."""
    return [store for store in settings.stores if channel_id in store.channels]


def store_of_channel(settings: Settings, channel_id: str) -> StoreSettings | None:
    """The one store this channel maps to, or None when it maps to none or to several (then ask store:NAME)."""
    stores = stores_for_channel(settings, channel_id)
    return stores[0] if len(stores) == 1 else None
