"""The App Home tab: per store, yesterday's headline KPIs, targets, open alerts, freshness.

Each person sees only the stores they may see (``bot.slack.access``); someone who may see none
gets a short explanation, with no numbers and no store name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from bot.i18n import format_day, label
from bot.render.blocks import context, section
from bot.render.formatting import format_change, format_value, mood_emoji
from connectors.warehouse import Warehouse
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.service import relative_change
from kpi.settings import StoreSettings

HEADLINE = ("revenue", "orders", "sessions", "cvr", "aov")
HOME_BLOCKS = 100
WORDS = {"it": {"yesterday": "Ieri", "targets": "Obiettivi", "alerts": "Avvisi aperti", "none": "nessuno",
                "fresh": "Dati GA4 fino al {day}", "vs": "vs stesso giorno sett. scorsa"},
         "en": {"yesterday": "Yesterday", "targets": "Targets", "alerts": "Open alerts", "none": "none",
                "fresh": "GA4 data up to {day}", "vs": "vs same weekday last week"}}


def home_view(stores: Sequence[StoreSettings], db: Warehouse, today: Callable[[StoreSettings], date]) -> dict[str, Any]:
    """The home tab for someone who may see ``stores`` (never empty: see ``explanation_view``)."""
    blocks: list[dict[str, Any]] = []
    for store in stores:
        blocks.extend(store_blocks(db, store, today(store)))
        blocks.append({"type": "divider"})
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}


def explanation_view(text: str) -> dict[str, Any]:
    """The home tab for someone who may see no store, or whose access Slack could not confirm."""
    return {"type": "home", "blocks": [section(text)]}


def store_blocks(db: Warehouse, store: StoreSettings, as_of: date) -> list[dict[str, Any]]:
    words = WORDS.get(store.language, WORDS["en"])
    yesterday = as_of - timedelta(days=1)
    week_ago = yesterday - timedelta(days=7)
    day, week_before = Period(yesterday, yesterday), Period(week_ago, week_ago)
    lines = []
    for name in HEADLINE:
        metric = BY_NAME[name]
        value = metric_value(db, store, metric, day)
        change = relative_change(value, metric_value(db, store, metric, week_before))
        lines.append(f"{mood_emoji(change, metric.direction)} {label(metric, store.language)}: "
                     f"*{format_value(value, metric.unit, store.currency, store.language)}* "
                     f"({format_change(change, store.language)})")
    title = f"{store.name} · {format_day(yesterday, store.language)}"
    header = {"type": "header", "text": {"type": "plain_text", "text": title}}
    return [header, section(f"*{words['yesterday']}* ({words['vs']})\n" + "\n".join(lines)),
            section(f"*{words['targets']}*\n" + _targets(db, store, as_of)),
            section(f"*{words['alerts']}*\n" + _alerts(db, store, words["none"])),
            context(_freshness(db, store, words))]


def _targets(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    from bot.render.replies import targets_text

    return targets_text(db, store, as_of)


def _alerts(db: Warehouse, store: StoreSettings, none: str) -> str:
    from bot.render.alert_text import open_alert_lines

    return "\n".join(open_alert_lines(db, store)) or none


def _freshness(db: Warehouse, store: StoreSettings, words: dict[str, str]) -> str:
    last = db.execute("SELECT MAX(date) FROM ga4_sessions WHERE store = ?", [store.name]).fetchone()[0]
    return words["fresh"].format(day=last or "–")
