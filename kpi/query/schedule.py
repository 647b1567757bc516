"""The words of a report someone schedules: `schedule "QUERY" every monday 09:00`.

English and Italian read alike: ``every monday 09:00``, ``every day at 8:30``, ``ogni lunedì
alle 9``, ``ogni giorno alle 8:30``, ``tutti i giorni alle 7``. The query sits in quotes
(straight, curly or «guillemets», as Slack clients type them) and is checked by the query
parser like any `/kpi` text. A problem raises ``QueryError`` with a code the bot words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time

from kpi.query.errors import QueryError
from kpi.query.grammar import words_of

SCHEDULE_WORDS = ("schedule", "pianifica", "programma")
LIST_WORDS = ("schedules", "pianificati", "pianificazioni", "programmati")
EVERY = ("every", "each", "ogni", "tutti", "tutte", "i", "le", "on", "il", "di")
DAILY = ("day", "days", "daily", "giorno", "giorni")
AT = ("at", "alle", "ore", "h", "a", "all'", "dalle")
WEEKDAYS = {
    0: ("monday", "mon", "lunedì", "lunedi", "lun"), 1: ("tuesday", "tue", "tues", "martedì", "martedi", "mar"),
    2: ("wednesday", "wed", "mercoledì", "mercoledi", "mer"), 3: ("thursday", "thu", "thurs", "giovedì", "giovedi",
                                                                   "gio"),
    4: ("friday", "fri", "venerdì", "venerdi", "ven"), 5: ("saturday", "sat", "sabato", "sabati", "sab"),
    6: ("sunday", "sun", "domenica", "domeniche", "dom"),
}
DAY_OF_WORD = {word: day for day, words in WEEKDAYS.items() for word in words}
QUOTED = re.compile(r'^\s*["“”„«‘’\']([^"“”„«»‘’\']+)["“”„»‘’\']\s*(.*)$', re.S)
CLOCK = re.compile(r"^([01]?[0-9]|2[0-3])(?:[:.h]([0-5][0-9]))?(am|pm)?$")
EXAMPLES = {"en": 'schedule "revenue last-7d by channel" every monday 09:00',
            "it": 'pianifica "fatturato ultimi 7 giorni per canale" ogni lunedì alle 9'}


@dataclass(frozen=True)
class ReportPlan:
    """What to answer (the query as typed), on which weekday (None: every day) and at what local time."""

    query: str
    weekday: int | None
    at: time


def is_schedule(text: str) -> bool:
    words = text.split()
    return bool(words) and words[0].lower() in SCHEDULE_WORDS


def is_schedule_list(text: str) -> bool:
    words = text.split()
    return bool(words) and words[0].lower() in LIST_WORDS


def parse_schedule(text: str, language: str) -> ReportPlan:
    """``schedule "QUERY" every DAY [at] TIME`` (the command word included) → a plan."""
    rest = unicodedata.normalize("NFKC", text).strip().split(None, 1)
    quoted = QUOTED.match(rest[1] if len(rest) > 1 else "")
    if not quoted or not quoted.group(1).strip():
        raise _error("schedule_quotes", {}, language)
    query = quoted.group(1).strip()
    if is_schedule(query) or is_schedule_list(query):
        raise _error("schedule_nested", {}, language)
    words = [w for w in words_of(quoted.group(2)) if w not in EVERY and w not in AT]
    if not words:
        raise _error("schedule_when", {}, language)
    weekday = _day(words[0], language)
    if len(words) < 2:
        raise _error("schedule_when", {}, language)
    if len(words) > 2:
        raise _error("schedule_time", {"word": " ".join(words[1:])[:20]}, language)
    return ReportPlan(query, weekday, _clock(words[1], language))


def _day(word: str, language: str) -> int | None:
    if word in DAILY:
        return None
    day = DAY_OF_WORD.get(word, DAY_OF_WORD.get(word.removesuffix("s")))
    if day is None:
        if CLOCK.match(word):
            raise _error("schedule_when", {}, language)
        raise _error("schedule_day", {"word": word[:20]}, language)
    return day


def _clock(word: str, language: str) -> time:
    matched = CLOCK.match(word)
    if not matched:
        raise _error("schedule_time", {"word": word[:20]}, language)
    hour, minute, half = int(matched.group(1)), int(matched.group(2) or 0), matched.group(3)
    if half and not 1 <= hour <= 12:
        raise _error("schedule_time", {"word": word[:20]}, language)
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return time(hour, minute)


def _error(code: str, params: dict[str, object], language: str) -> QueryError:
    return QueryError(code, params, example=EXAMPLES.get(language, EXAMPLES["en"]), language=language)
