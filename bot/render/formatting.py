"""Locale number formats shared by the terminal and Slack renderers (babel).

Italian: ``1.234,56 €``, ``2,13%``. English: ``€1,234.56``, ``2.13%``.
"""

from __future__ import annotations

from babel.numbers import format_currency, format_decimal, format_percent

LOCALES = {"it": "it_IT", "en": "en_US"}


def locale_for(language: str) -> str:
    return LOCALES.get(language, "en_US")


def format_value(value: float | None, unit: str, currency: str, language: str) -> str:
    """A KPI value for display: currency, count, ratio (as %), or multiple (×)."""
    if value is None:
        return "–"
    locale = locale_for(language)
    if unit == "currency":
        return format_currency(value, currency, locale=locale)
    if unit == "ratio":
        return format_percent(value, "#,##0.00%", locale=locale)
    if unit == "multiple":
        return format_decimal(value, "#,##0.00", locale=locale) + "×"
    return format_decimal(round(value), "#,##0", locale=locale)


def format_change(change: float | None, language: str) -> str:
    """A relative change with its sign: ``+5,1%`` / ``−12.4%``; ``n/d`` when unknown."""
    if change is None:
        return "n/d" if language == "it" else "n/a"
    text = format_percent(abs(change), "#,##0.0%", locale=locale_for(language))
    return ("+" if change >= 0 else "−") + text


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
