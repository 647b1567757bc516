"""Words users read, in Italian and English. Numbers are formatted by ``bot.render.formatting``."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from bot.render.formatting import locale_for
from kpi.answer import Period
from kpi.metric import Metric
from kpi.query.errors import QUERY_STRINGS, QueryError, describe

STRINGS: dict[str, tuple[str, str]] = {
    "vs": ("vs", "vs"),
    "previous": ("previous period", "periodo precedente"),
    "target": ("Target", "Obiettivo"),
    "status_ok": ("on target", "in linea con l'obiettivo"),
    "status_below": ("below target", "sotto l'obiettivo"),
    "status_above": ("above target", "sopra l'obiettivo"),
    "status_no_data": ("no data", "nessun dato"),
    "default": ("default", "predefinito"),
    "pace": ("{pace} of the goal expected by now", "{pace} dell'obiettivo atteso a oggi"),
    "note": ("Note", "Nota"),
    "no_value": ("no data", "nessun dato"),
    "by": ("by", "per"),
    "channel": ("channel", "canale"),
    "device": ("device", "dispositivo"),
    "visitor": ("new/returning", "nuovi/di ritorno"),
    "campaign": ("campaign", "campagna"),
    "segment": ("segment", "segmento"),
    "formula": ("Revenue {change}: traffic {traffic}, CvR {cvr}, AOV {aov}",
                "Fatturato {change}: traffico {traffic}, CvR {cvr}, AOV {aov}"),
    "no_split": ("Revenue {change} (split undefined: a zero in the data)",
                 "Fatturato {change} (scomposizione non definita: uno zero nei dati)"),
}


def t(key: str, language: str, **params: object) -> str:
    english, italian = STRINGS[key]
    return (italian if language == "it" else english).format(**params)


def label(metric: Metric, language: str) -> str:
    return metric.label_it if language == "it" else metric.label_en


def format_day(day: date, language: str) -> str:
    return format_date(day, "d MMM yyyy", locale=locale_for(language))


def format_period(period: Period, language: str) -> str:
    if period.start == period.end:
        return format_day(period.start, language)
    same_year = period.start.year == period.end.year
    first = format_date(period.start, "d MMM" if same_year else "d MMM yyyy", locale=locale_for(language))
    return f"{first} – {format_day(period.end, language)}"


# The query language's errors: one table (kpi.query.errors) for the CLI's English and the bot's two languages.
STRINGS.update(QUERY_STRINGS)


def query_error_text(error: QueryError, language: str) -> str:
    """A query the parser could not read, worded in the store's language: problem, did you mean, example."""
    return describe(error, language)
