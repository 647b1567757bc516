"""Failure and recovery notices in the store's language."""

from __future__ import annotations

from bot.i18n import t
from kpi.settings import StoreSettings
from schedules.failures import Notice


def notice_text(store: StoreSettings, notice: Notice) -> str:
    if notice.error is None:
        return t(f"notice_recovered_{notice.kind}", store.language, store=store.name)
    return t(f"notice_{notice.kind}", store.language, store=store.name, n=notice.failures, error=notice.error[:200])
