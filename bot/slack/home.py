"""App Home for one person: the stores they may see, computed here and rendered by ``bot.render.home``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bot.i18n import t
from bot.render.home import StoreHome, explanation_view, home_view
from bot.slack.access import Access, MembershipUnknown, Refusal, log_refusal
from connectors.warehouse import Warehouse
from kpi.service import headline
from kpi.settings import Settings, StoreSettings
from kpi.targets import evaluate_all
from schedules.incidents import open_alerts
from schedules.targets import effective_store

HEADLINE = ("revenue", "orders", "sessions", "cvr", "aov")


def home_for(settings: Settings, access: Access, user: str, warehouse: Callable[[], Warehouse],
             today: Callable[[StoreSettings], date]) -> dict[str, Any]:
    """App Home for ``user``: their stores, or a short explanation with no numbers and no store name."""
    try:
        stores = access.visible_stores(user)
    except MembershipUnknown as error:
        log_refusal(user, "app_home_opened", Refusal(f"membership lookup failed ({error})"), level=logging.INFO)
        return explanation_view(t("access_retry", settings.language))
    if not stores:
        log_refusal(user, "app_home_opened", Refusal("sees no store"), level=logging.INFO)
        return explanation_view(t("access_home", settings.language))
    db = warehouse()
    return home_view([store_home(db, store, today(store)) for store in stores])


def store_home(db: Warehouse, store: StoreSettings, as_of: date) -> StoreHome:
    store = effective_store(db, store)  # targets set from Slack win over the file
    yesterday = as_of - timedelta(days=1)
    span = db.data_span(store.name, "sessions")
    incidents, episodes = open_alerts(db, store.name)
    return StoreHome(store, yesterday, headline(db, store, yesterday, HEADLINE), evaluate_all(db, store, as_of),
                     episodes, span[1] if span else None, incidents)
