"""The App Home tab, per store the person may see: yesterday's headline KPIs, targets, open alerts,
data freshness. Pure: the numbers arrive in a ``StoreHome``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.i18n import label, t
from bot.render.alerts import open_alert_lines
from bot.render.alerts.incidents import incident_lines
from bot.render.blocks import HOME_BLOCKS, Block, context, header, line_sections, more, section
from bot.render.formatting import format_change, format_day, format_value, mood_emoji
from bot.render.replies import targets_text
from kpi.answer import KpiLine
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings
from kpi.targets import TargetCheck
from schedules.episodes import Episode
from schedules.incidents import Incident

SECTION_BUDGET = 2700  # one section each for targets and alerts: the first lines, then "…and N more"


@dataclass(frozen=True)
class StoreHome:
    store: StoreSettings
    day: date  # yesterday
    headline: Sequence[KpiLine]
    targets: Sequence[TargetCheck]
    episodes: Sequence[Episode]  # live alerts of their own (targets)
    data_through: date | None
    incidents: Sequence[Incident] = ()


def home_view(homes: Sequence[StoreHome]) -> dict[str, Any]:
    """The home tab for someone who may see these stores (never empty: see ``explanation_view``)."""
    blocks: list[Block] = []
    for index, home in enumerate(homes):
        shown = [*store_blocks(home), {"type": "divider"}]
        if len(blocks) + len(shown) > HOME_BLOCKS - 1:  # whole stores only, and room for the note
            blocks.append(section(t("more_rows", homes[index].store.language, n=len(homes) - index)))
            break
        blocks.extend(shown)
    return {"type": "home", "blocks": blocks}


def explanation_view(text: str) -> dict[str, Any]:
    """The home tab for someone who may see no store, or whose access Slack could not confirm."""
    return {"type": "home", "blocks": [section(text)]}


def store_blocks(home: StoreHome) -> list[Block]:
    store, language = home.store, home.store.language
    lines = []
    for line in home.headline:
        metric = BY_NAME[line.metric]
        lines.append(f"{mood_emoji(line.change_week, metric.direction)} {label(metric, language)}: "
                     f"*{format_value(line.value, metric.unit, store.currency, language)}* "
                     f"({format_change(line.change_week, language)})")
    alerts = incident_lines(home.incidents, store) + open_alert_lines(home.episodes, store) \
        or [t("home_none", language)]
    fresh = t("home_fresh", language, day=home.data_through.isoformat() if home.data_through else "–")
    return [header(f"{store.name} · {format_day(home.day, language)}"),
            section(f"*{t('home_yesterday', language)}* ({t('home_vs', language)})\n" + "\n".join(lines)),
            *titled_section(t("home_targets", language), targets_text(home.targets, store).splitlines(), language),
            *titled_section(t("home_alerts", language), alerts, language),
            context(fresh)]


def titled_section(title: str, lines: list[str], language: str) -> list[Block]:
    """One section: a bold title, then as many whole lines as fit and "…and N more"."""
    return line_sections([f"*{title}*", *lines], more(language), budget=SECTION_BUDGET, max_blocks=1)
