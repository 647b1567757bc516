"""Locale formats of numbers and dates, shared by the terminal and Slack renderers (babel).

Italian: ``1.234,56 €``, ``2,13%``, ``23 nov 2026``. English: ``€1,234.56``, ``2.13%``, ``Nov 23, 2026``.
"""

from __future__ import annotations

import math
from datetime import date

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from bot.i18n import locale_for, t
from kpi.answer import Period


def format_value(value: float | None, unit: str, currency: str, language: str) -> str:
    """A KPI value for display: currency, count, ratio (as %), multiple (×), or average (a mean count, such
    as items per order: two decimals, no sign of its own)."""
    if value is None:
        return "–"
    locale = locale_for(language)
    if unit == "currency":
        return format_currency(value, currency, locale=locale)
    if unit == "ratio":
        return format_percent(value, "#,##0.00%", locale=locale)
    if unit == "multiple":
        return format_decimal(value, "#,##0.00", locale=locale) + "×"
    if unit == "average":
        return format_decimal(value, "#,##0.00", locale=locale)
    return format_decimal(round(value), "#,##0", locale=locale)


def format_change(change: float | None, language: str) -> str:
    """A relative change with its sign: ``+5,1%`` / ``−12.4%``; ``n/d`` when unknown."""
    if change is None:
        return t("no_change", language)
    text = format_percent(abs(change), "#,##0.0%", locale=locale_for(language))
    return ("+" if change >= 0 else "−") + text


def whole_percents(shares: dict[str, float]) -> dict[str, int]:
    """Fractions that add up to 1 as whole percents that add up to exactly 100 (largest remainder)."""
    scaled = {key: value * 100 for key, value in shares.items()}
    floors = {key: math.floor(value) for key, value in scaled.items()}
    missing = 100 - sum(floors.values())
    for key in sorted(scaled, key=lambda k: floors[k] - scaled[k])[:max(missing, 0)]:
        floors[key] += 1
    return floors


def format_points(change: float, language: str) -> str:
    """A part of a relative change in percentage points, with its sign: ``+11,4`` (of a ``+21,5%``)."""
    text = format_decimal(abs(change) * 100, "#,##0.0", locale=locale_for(language))
    return ("+" if change >= 0 else "−") + text


def format_share(percent: int, language: str) -> str:
    """A whole percent: ``58%``, ``−12%`` (a factor that pulled the other way)."""
    text = format_percent(abs(percent) / 100, "#,##0%", locale=locale_for(language))
    return ("−" if percent < 0 else "") + text


def arrow(change: float | None) -> str:
    if change is None or abs(change) < 0.005:
        return "→"
    return "↑" if change > 0 else "↓"


def is_good(change: float | None, direction: str) -> bool | None:
    """Whether a change is good news for a KPI whose good ``direction`` is up or down."""
    if change is None or abs(change) < 0.005:
        return None
    return (change > 0) == (direction == "up")


def mood_emoji(change: float | None, direction: str) -> str:
    """Slack colour cue that follows the KPI's good direction."""
    good = is_good(change, direction)
    return ":large_green_circle:" if good else ":red_circle:" if good is False else ":white_circle:"


def format_day(day: date, language: str) -> str:
    return format_date(day, "d MMM yyyy", locale=locale_for(language))


def format_period(period: Period, language: str) -> str:
    if period.start == period.end:
        return format_day(period.start, language)
    same_year = period.start.year == period.end.year
    first = format_date(period.start, "d MMM" if same_year else "d MMM yyyy", locale=locale_for(language))
    return f"{first} – {format_day(period.end, language)}"
