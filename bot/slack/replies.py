"""What `/kpi` answers in a channel: the channel's stores, the one asked about, then ``bot.replies``.

Every path returns a reply, never raises: errors become an ephemeral message that says
what was wrong, suggests a fix and gives an example. A reply only the asker sees speaks the
asker's Slack language when kpibot speaks it (``bot.slack.locale``); one in the channel
speaks the store's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from bot.i18n import query_error_text, t
from bot.render.blocks import context, section
from bot.replies import Reply, reply, split_public
from bot.slack.access import stores_for_channel
from bot.slack.locale import Locales
from connectors.warehouse import Warehouse
from kpi.query.parser import QueryError, parse
from kpi.settings import Settings, StoreSettings

log = logging.getLogger("kpibot.slack")


def payload(answer: Reply) -> dict[str, Any]:
    return {"response_type": "in_channel" if answer.public else "ephemeral", "blocks": answer.blocks,
            "text": answer.text, "replace_original": False}


class SlackReplies:
    def __init__(self, settings: Settings, warehouse: Callable[[], Warehouse],
                 today: Callable[[StoreSettings], date], locales: Locales | None = None) -> None:
        self.settings = settings
        self.warehouse = warehouse
        self.today = today
        self.locales = locales

    def language_of(self, user: str | None, default: str) -> str:
        """The asker's Slack language when kpibot speaks it, else ``default``."""
        found = self.locales.language(user) if self.locales is not None and user else None
        return found or default

    def for_command(self, text: str, channel: str, user: str | None = None, as_of: date | None = None) -> Reply:
        """The reply to `/kpi TEXT` in ``channel``; ``user`` (the asker) sets the language of a private reply."""
        query_text, public = split_public(text or "")
        allowed = stores_for_channel(self.settings, channel)
        if not allowed:
            return error_reply(t("channel_refused", self.language_of(user, self.settings.language), channel=channel))
        store_language = allowed[0].language if len(allowed) == 1 else self.settings.language
        language = store_language if public else self.language_of(user, store_language)
        try:
            query = parse(query_text or "help", language)
            store = self._store(allowed, query.store, query_text, language)
            if isinstance(store, Reply):
                return store
            shown = store if public else replace(store, language=self.language_of(user, store.language))
            answered = reply(self.warehouse(), shown, query, query_text, as_of or self.today(store))
        except QueryError as error:
            return error_reply(f"{t('error', language)}: {query_error_text(error, language)}")
        except Exception:  # noqa: BLE001 - a reply is owed whatever happened; the log keeps the detail
            log.exception("answering /kpi failed")
            return error_reply(t("failed", language))
        answered.public = public
        answered.store = store
        return answered

    def _store(self, allowed: list[StoreSettings], name: str | None, text: str,
               language: str) -> StoreSettings | Reply:
        names = ", ".join(f"`{s.name}`" for s in allowed)
        if name is None:
            if len(allowed) == 1:
                return allowed[0]
            return error_reply(t("which_store", language, names=names, example=f"{text} store:{allowed[0].name}"))
        for store in allowed:
            if store.name == name:
                return store
        return error_reply(t("store_not_here", language, store=name[:40], names=names))


def error_reply(message: str) -> Reply:
    return Reply([section(message), context("`/kpi help`")], message)
