"""Periods of the query language (SPEC §6) and their comparison periods.

Weeks start on Monday. ``as_of`` is the day kpibot runs as; ``yesterday`` and every
``last-Nd`` end the day before it. To-date periods (this-week, mtd, qtd, ytd) run to
yesterday too, or are just today on their first day. Natural wording ("ultimi 30 giorni")
is turned into these tokens by ``kpi.query.grammar``; this module reads only the short form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from kpi.answer import Period

LY_SHIFT = timedelta(days=364)  # a year earlier, on the same weekday
MAX_DAYS = 3660
KEYWORDS = ("today", "yesterday", "last-7d", "last-30d", "last-90d", "this-week", "last-week", "mtd",
            "this-month", "last-month", "qtd", "ytd")
SIMPLE = {"today": "today", "yesterday": "yesterday", "this-week": "this_week", "last-week": "last_week",
          "mtd": "mtd", "this-month": "mtd", "last-month": "last_month", "qtd": "qtd", "ytd": "ytd"}
CANONICAL = {"today": "today", "yesterday": "yesterday", "this_week": "this-week", "last_week": "last-week",
             "mtd": "mtd", "last_month": "last-month", "qtd": "qtd", "ytd": "ytd"}
_LAST_N = re.compile(r"^last-([0-9]+)d$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DAY_DIGITS = 6  # more digits than this is out of range without reading the number
# Dates outside these are typos; inside, every comparison period (up to 3660 + 364 days earlier) is a date.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class PeriodError(ValueError):
    """A period that cannot be read. ``code`` and ``params`` let a caller word it in any language."""

    exit_code = 2

    def __init__(self, message: str, code: str = "unknown_period", suggestion: str | None = None,
                 **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params
        self.suggestion = suggestion
        self.span: tuple[int, int] | None = None  # the words it came from, when the grammar knows them


@dataclass(frozen=True)
class PeriodSpec:
    """A period before it is anchored to a day. ``text`` is its canonical short form."""

    kind: str  # day | today | yesterday | last_n | this_week | last_week | mtd | last_month | qtd | ytd
    #            | month | range
    days: int = 0
    start: date | None = None
    end: date | None = None
    text: str = ""


DEFAULT = PeriodSpec("last_n", days=7, text="last-7d")


def parse_period(text: str) -> PeriodSpec:
    """Read one short-form period token (``last-30d``, ``2026-10``, ``a..b``); raise ``PeriodError``."""
    token = text.strip().lower()
    if token in SIMPLE:
        return PeriodSpec(SIMPLE[token], text=CANONICAL[SIMPLE[token]])
    if match := _LAST_N.match(token):
        return last_days(match.group(1))
    if _MONTH.match(token):
        return month(token)
    if _DAY.match(token):
        day = _date(token)
        return PeriodSpec("day", start=day, end=day, text=day.isoformat())
    if ".." in token:
        first, _, last = token.partition("..")
        return date_range(_date(first), _date(last))
    raise PeriodError(f"{text[:40]!r} is not a period", "unknown_period", word=text[:40])


def last_days(digits: str) -> PeriodSpec:
    days = int(digits) if len(digits) <= _DAY_DIGITS else MAX_DAYS + 1
    if not 1 <= days <= MAX_DAYS:
        raise PeriodError(f"last-{digits[:12]}d is out of range: use between last-1d and last-{MAX_DAYS}d",
                          "days_out_of_range", days=digits[:12], max=MAX_DAYS)
    return PeriodSpec("last_n", days=days, text=f"last-{days}d")


def month(token: str) -> PeriodSpec:
    try:
        start = date.fromisoformat(f"{token}-01")
    except ValueError:
        raise PeriodError(f"{token!r} is not a month: write it as YYYY-MM", "bad_month", text=token) from None
    _within_years(start, token)
    return PeriodSpec("month", start=start, end=_month_end(start), text=start.isoformat()[:7])


def date_range(start: date, end: date) -> PeriodSpec:
    text = f"{start.isoformat()}..{end.isoformat()}"
    if end < start:
        raise PeriodError(f"the range {text} ends before it starts: write the earlier date first",
                          "range_reversed", f"{end.isoformat()}..{start.isoformat()}", text=text)
    if (end - start).days >= MAX_DAYS:
        raise PeriodError(f"the range {text} is longer than {MAX_DAYS} days", "range_too_long",
                          text=text, max=MAX_DAYS)
    return PeriodSpec("range", start=start, end=end, text=text)


def is_period(text: str) -> bool:
    try:
        parse_period(text)
    except PeriodError:
        return False
    return True


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{text[:40]!r} is not a valid date: write it as YYYY-MM-DD", "bad_date",
                          text=text[:40]) from None
    return _within_years(day, text)


def _within_years(day: date, text: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PeriodError(f"{text[:40]} is outside the years {FIRST_DAY.year}–{LAST_DAY.year}", "year_out_of_range",
                          text=text[:40], first=FIRST_DAY.year, last=LAST_DAY.year)
    return day


def _month_end(start: date) -> date:
    return _add_months(start, 1) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _to_date(start: date, as_of: date) -> Period:
    return Period(start, max(start, as_of - timedelta(days=1)))


def resolve(spec: PeriodSpec, as_of: date) -> Period:
    """Anchor ``spec`` to the day kpibot runs as."""
    yesterday = as_of - timedelta(days=1)
    monday = as_of - timedelta(days=as_of.weekday())
    if spec.kind == "today":
        return Period(as_of, as_of)
    if spec.kind == "yesterday":
        return Period(yesterday, yesterday)
    if spec.kind == "last_n":
        return Period(as_of - timedelta(days=spec.days), yesterday)
    if spec.kind == "this_week":
        return _to_date(monday, as_of)
    if spec.kind == "last_week":
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if spec.kind == "mtd":
        return _to_date(as_of.replace(day=1), as_of)
    if spec.kind == "last_month":
        start = _add_months(as_of.replace(day=1), -1)
        return Period(start, _month_end(start))
    if spec.kind == "qtd":
        return _to_date(_quarter_start(as_of), as_of)
    if spec.kind == "ytd":
        return _to_date(date(as_of.year, 1, 1), as_of)
    assert spec.start is not None and spec.end is not None
    return Period(spec.start, spec.end)


def previous_period(spec: PeriodSpec, period: Period) -> Period:
    """The default comparison: the previous period of the same kind (SPEC §6)."""
    if spec.kind in ("month", "last_month"):
        start = _add_months(period.start, -1)
        return Period(start, _month_end(start))
    if spec.kind == "last_week":
        return Period(period.start - timedelta(days=7), period.end - timedelta(days=7))
    unit_start: dict[str, Callable[[date], date]] = {
        "this_week": lambda d: d - timedelta(days=7), "mtd": lambda d: _add_months(d, -1),
        "qtd": lambda d: _add_months(d, -3), "ytd": lambda d: date(d.year - 1, 1, 1)}
    if spec.kind in unit_start:
        start = unit_start[spec.kind](period.start)
        return Period(start, start + timedelta(days=period.days - 1))
    return Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1))


def last_year(period: Period) -> Period:
    return Period(period.start - LY_SHIFT, period.end - LY_SHIFT)
