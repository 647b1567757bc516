"""The slots of ``kpi.query.vocabulary`` phrases: a number, weeks, a month's name, a year, a date.

Each reads one word and returns its short-form text, or None when the word is not of that
kind. A date typed with slashes or dots is read day first, as in Italy: ``1/11/2025`` is
1 November 2025. A date that is not a day raises ``PeriodError`` naming what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kpi.periods import PeriodError
from kpi.query.vocabulary import MONTHS, NUMERALS, TENS

_DIGITS = re.compile(r"^[0-9]+$")
_YEAR = re.compile(r"^[0-9]{4}$")
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DAY_FIRST = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})$")
_MAX_DIGITS = 6  # longer numbers stay text: they are out of range anyway, and int() of huge text is slow


def _numerals() -> dict[str, int]:
    numbers: dict[str, int] = {}
    for language, words in NUMERALS.items():
        numbers.update({word: index for index, word in enumerate(words.split(), start=1)})
        numbers.update(TENS[language])
    return numbers


def _month_numbers() -> dict[str, int]:
    return {name: number for names in MONTHS.values()
            for number, group in enumerate(names, start=1) for name in group.split()}


NUMBERS = _numerals()
MONTH_NUMBERS = _month_numbers()


def number(word: str) -> str | None:
    if _DIGITS.match(word):
        return word
    return str(NUMBERS[word]) if word in NUMBERS else None


def weeks(word: str) -> str | None:
    count = number(word)
    if count is None or len(count) > _MAX_DIGITS:
        return count
    return str(int(count) * 7)


def month_name(word: str) -> str | None:
    return f"{MONTH_NUMBERS[word]:02d}" if word in MONTH_NUMBERS else None


def year(word: str) -> str | None:
    return word if _YEAR.match(word) else None


def day(word: str) -> str | None:
    if _ISO.match(word):
        return word
    if not (match := _DAY_FIRST.match(word)):
        return None
    first, _, second, year_text = match.groups()
    read = _day_or_none(int(year_text), int(second), int(first))
    if read is not None:
        return read.isoformat()
    swapped = _day_or_none(int(year_text), int(first), int(second))
    raise PeriodError(f"{word!r} is not a valid date: write it as YYYY-MM-DD", "bad_date",
                      swapped.isoformat() if swapped else None, text=word)


def _day_or_none(year_number: int, month_number: int, day_number: int) -> date | None:
    try:
        return date(year_number, month_number, day_number)
    except ValueError:
        return None


SLOTS: dict[str, Callable[[str], str | None]] = {
    "{n}": number, "{w}": weeks, "{month}": month_name, "{year}": year, "{date}": day, "{date2}": day,
}
