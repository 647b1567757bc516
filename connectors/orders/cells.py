"""One cell of an order export: a date or an amount, or why it cannot be one.

Dates come as ISO 8601 (with or without an offset), as Shopify writes them
(``2024-03-05 14:22:10 +0100``) or day first as an Italian spreadsheet writes them
(``05/03/2024``, ``05/03/2024 14:22``, ``05-03-2024 14:22:10``). A slash or dash date
is always read day first; one that can only be month first (``03/15/2024``) proves the
file is month first, so every other such date in it may be misread: it refuses the file.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

FIRST_DAY = date(1990, 1, 1)  # before e-commerce exports existed: a mistyped year
LAST_DAY = date(2100, 12, 31)  # without a given last day, still far from datetime's limits
MAX_TOTAL = 1e12  # above any real order in any currency: a shifted or mistyped cell
DATE_FORMS = "ISO 8601 such as 2024-03-05T14:22:10+01:00, or day first such as 05/03/2024 14:22"
_OFFSET = re.compile(r"\s*([+-]\d{2}):?(\d{2})$")
_DAY_FIRST = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})"
                        r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
                        r"(?:\s*(?P<offset>[+-]\d{2}:?\d{2}))?)?")
_ITALIAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


class Rejected(ValueError):
    """A cell that cannot be read; ``fatal`` when it makes the whole file untrustworthy."""

    fatal = False

    def __init__(self, column: str, value: str, why: str) -> None:
        super().__init__(why)
        self.column, self.value, self.why = column, value, why


class MonthFirst(Rejected):
    fatal = True


def parse_datetime(text: str, timezone: ZoneInfo, column: str, last_day: date | None = None) -> datetime:
    """A timezone-aware moment; a date without an offset is in the store's ``timezone``."""
    moment = _day_first(text, column) or _iso(text, column)
    if moment.date() < FIRST_DAY:
        raise Rejected(column, text, f"a date before {FIRST_DAY.year}: check the year")
    if moment.date() > (last_day or LAST_DAY):
        raise Rejected(column, text, f"a date after {last_day or LAST_DAY}: an order cannot be in the future; "
                                     "check the year")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def _iso(text: str, column: str) -> datetime:
    cleaned = _OFFSET.sub(lambda m: f"{m.group(1)}:{m.group(2)}", text.strip())
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        raise Rejected(column, text, f"not a date: use {DATE_FORMS}") from None


def _day_first(text: str, column: str) -> datetime | None:
    """``dd/mm/yyyy[ hh:mm[:ss]]`` or with dashes; None when the text has another shape."""
    match = _DAY_FIRST.fullmatch(text.strip())
    if not match:
        return None
    day, month, year, sep = int(match["a"]), int(match["b"]), int(match["year"]), match["sep"]
    if day <= 12 < month <= 31:
        raise MonthFirst(column, text, f"a month-first date (mm{sep}dd{sep}yyyy), but dates are read day first "
                                       f"(dd{sep}mm{sep}yyyy), so every date in this file may be misread: export "
                                       f"them day first ({month:02d}{sep}{day:02d}{sep}{year}) or as ISO "
                                       f"({year}-{day:02d}-{month:02d})")
    offset = f"{match['offset'][:3]}:{match['offset'][-2:]}" if match["offset"] else ""
    try:
        moment = datetime(year, month, day, int(match["hour"] or 0), int(match["minute"] or 0),
                          int(match["second"] or 0))
        return datetime.fromisoformat(moment.isoformat() + offset)
    except ValueError:
        raise Rejected(column, text, f"not a date read day first (dd{sep}mm{sep}yyyy): there is no such day, "
                                     f"time or offset; use {DATE_FORMS}") from None


def parse_amount(text: str, decimal_comma: bool, column: str) -> float:
    raw = text.strip().replace("€", "").replace("$", "").replace("\xa0", "").strip()
    if decimal_comma and _ITALIAN_NUMBER.match(raw):
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise Rejected(column, text, "not an amount: write it like 1234.56 (or 1.234,56 in a ';' file)") from None
    if not math.isfinite(value):
        raise Rejected(column, text, "not a finite number: write the total like 1234.56")
    if value >= MAX_TOTAL:
        raise Rejected(column, text, f"too large to be an order total (over {MAX_TOTAL:,.0f}): check the column")
    if value < 0:
        raise Rejected(column, text, "a negative order total: record refunds with the status column instead")
    return value
