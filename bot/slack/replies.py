"""What `/kpi` answers, as Slack message payloads: the thin listeners call ``SlackReplies``.

Every path returns a reply, never raises: errors become an ephemeral message that says
what was wrong, suggests a fix and gives an example.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.cli.context import stores_for_channel
from bot.i18n import query_error_text
from bot.render.blocks import answer_blocks, context, section, text_blocks
from bot.render.replies import reply_text
from connectors.warehouse import Warehouse
from kpi.answer import Answer
from kpi.query.parser import Command, Query, QueryError, parse
from kpi.service import answer
from kpi.settings import Settings, StoreSettings

log = logging.getLogger("kpibot.slack")

WORDS = {
    "it": {"refused": "Questo canale non è collegato a nessun negozio, quindi non posso mostrare numeri qui. "
                      "Chiedi a chi gestisce kpibot di aggiungere <#{channel}> a `channels` in kpibot.toml.",
           "which": "Questo canale vede più negozi ({names}): aggiungi `store:<nome>`, ad esempio `{example}`.",
           "not_here": "Il negozio `{store}` non è visibile da questo canale. Negozi visibili: {names}.",
           "error": "Non ho capito", "failed": "Qualcosa è andato storto mentre calcolavo la risposta; "
                                                "riprova tra poco. Se succede ancora, avvisa chi gestisce kpibot."},
    "en": {"refused": "This channel is not linked to any store, so I can't show numbers here. "
                      "Ask whoever runs kpibot to add <#{channel}> to `channels` in kpibot.toml.",
           "which": "This channel sees several stores ({names}): add `store:<name>`, for example `{example}`.",
           "not_here": "Store `{store}` is not visible from this channel. Visible stores: {names}.",
           "error": "I didn't understand", "failed": "Something went wrong while computing the answer; "
                                                     "try again shortly. If it keeps happening, tell whoever "
                                                     "runs kpibot."},
}


@dataclass
class Reply:
    blocks: list[dict[str, Any]]
    text: str
    public: bool = False
    answer: Answer | None = None
    store: StoreSettings | None = None

    def payload(self) -> dict[str, Any]:
        return {"response_type": "in_channel" if self.public else "ephemeral", "blocks": self.blocks,
                "text": self.text, "replace_original": False}


def split_public(text: str) -> tuple[str, bool]:
    words = text.split()
    if words and words[-1].lower() in ("public", "pubblico"):
        return " ".join(words[:-1]), True
    return text, False


class SlackReplies:
    def __init__(self, settings: Settings, warehouse: Callable[[], Warehouse],
                 today: Callable[[StoreSettings], date]) -> None:
        self.settings = settings
        self.warehouse = warehouse
        self.today = today

    def words(self, store: StoreSettings | None = None) -> dict[str, str]:
        return WORDS.get(store.language if store else self.settings.language, WORDS["en"])

    def for_command(self, text: str, channel: str) -> Reply:
        query_text, public = split_public(text or "")
        allowed = stores_for_channel(self.settings, channel)
        if not allowed:
            return self._error(self.words()["refused"].format(channel=channel))
        language = allowed[0].language if len(allowed) == 1 else self.settings.language
        try:
            query = parse(query_text or "help", language)
            store = self._store(allowed, query.store, query_text)
            if isinstance(store, Reply):
                return store
            reply = self._reply(store, query, query_text)
        except QueryError as error:
            words = WORDS.get(language, WORDS["en"])
            return self._error(f"{words['error']}: {query_error_text(error, language)}")
        except Exception:  # noqa: BLE001 - a reply is owed whatever happened; the log keeps the detail
            log.exception("answering /kpi failed")
            return self._error(self.words(allowed[0])["failed"])
        reply.public = public
        return reply

    def _store(self, allowed: list[StoreSettings], name: str | None, text: str) -> StoreSettings | Reply:
        names = ", ".join(f"`{s.name}`" for s in allowed)
        if name is None:
            if len(allowed) == 1:
                return allowed[0]
            return self._error(self.words()["which"].format(names=names, example=f"{text} store:{allowed[0].name}"))
        for store in allowed:
            if store.name == name:
                return store
        return self._error(self.words()["not_here"].format(store=name[:40], names=names))

    def _reply(self, store: StoreSettings, query: Query | Command, text: str) -> Reply:
        db = self.warehouse()
        as_of = self.today(store)
        if isinstance(query, Command):
            body = reply_text(db, self.settings, store, query, as_of)
            return Reply(text_blocks(body), body[:3000], store=store)
        result = answer(db, store, query, as_of)
        blocks, fallback = answer_blocks(result, store.language, text)
        return Reply(blocks, fallback, answer=result, store=store)

    def _error(self, message: str) -> Reply:
        return Reply([section(message), context("`/kpi help`")], message)
