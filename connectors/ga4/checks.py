"""Checks on GA4's answers, made before anything stored is deleted or replaced.

A legitimately empty answer (a brand-new property, a range before tracking began) is
consistent: ``rowCount`` 0, no rows, and nothing stored for those days. A wrongly empty
or short one breaks one of these rules: rows returned = ``rowCount`` on every page,
``rowCount`` the same on every page and plausible for the range, every value a finite
number in range, every day inside the range asked for, and no day that was already
final when stored (older than the re-pull window) gone from the answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from connectors.engine.database import Database

# GA4's summary tables hold at most 50,000 rows a day for the standard reports kpibot
# pulls; beyond that GA4 folds rows into "(other)". A larger rowCount is not an answer.
MAX_ROWS_PER_DAY = 50_000
INTEGER_LIMIT = 2**63  # SQLite's INTEGER range


class CheckFailed(Exception):
    """One check failed; the text completes "the <report> report for <range> ..."."""


def check_page(row_count: int, announced: int | None, offset: int, page_rows: int, page_size: int,
               days: int) -> None:
    """Rows on this page = what ``rowCount`` announces for it; an empty page ends paging."""
    if row_count > days * MAX_ROWS_PER_DAY:
        raise CheckFailed(f"announces rowCount {row_count:,}, more than {days} day(s) can hold "
                          f"({MAX_ROWS_PER_DAY:,} rows a day)")
    if announced is not None and row_count != announced:
        raise CheckFailed(f"changed its rowCount from {announced:,} to {row_count:,} between pages")
    expected = max(0, min(page_size, row_count - offset))
    if page_rows != expected:
        raise CheckFailed(f"has {offset + page_rows:,} rows where rowCount says {row_count:,}")


def metric_number(value: str, integer: bool, metric: str, day: str | None) -> float | int:
    """A metric's value string as a number, refusing NaN, infinities and overflow."""
    try:
        number = float(value)
    except ValueError:
        raise CheckFailed(f"has {metric} = {value[:20]!r} on {day}, which is not a number") from None
    if not math.isfinite(number):
        raise CheckFailed(f"has {metric} = {value[:20]} on {day}, which is not a finite number")
    if integer:
        if abs(number) >= INTEGER_LIMIT:
            raise CheckFailed(f"has {metric} = {value[:20]} on {day}, which is out of range")
        return int(number)
    return number


def iso_day(value: str) -> str:
    """GA4's ``YYYYMMDD`` as ``YYYY-MM-DD``, refusing anything else."""
    if len(value) == 8 and value.isdigit():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
        except ValueError:
            pass
    raise CheckFailed(f"has the date {value[:20]!r}, which is not a day as YYYYMMDD")


def check_days_in_range(days: Iterable[str], start: date, end: date) -> None:
    outside = sorted(day for day in set(days) if not start.isoformat() <= day <= end.isoformat())
    if outside:
        raise CheckFailed(f"has rows for {outside[0]}, outside the range asked for")


def check_final_days_kept(stored: Iterable[str], fetched: Iterable[str], final_through: date) -> None:
    """Stored days GA4 had finished processing must not vanish from a re-pull.

    GA4 revises the last 24-48 hours, never drops a finished day: an answer without a
    day that was stored as final is a wrong answer (a partial or empty 200), not news.
    """
    present = set(fetched)
    missing = sorted(day for day in set(stored) if day <= final_through.isoformat() and day not in present)
    if missing:
        span = missing[0] if len(missing) == 1 else f"{missing[0]} to {missing[-1]}"
        raise CheckFailed(f"has no rows for {len(missing)} day(s) already stored as final ({span})")


def stored_days(db: Database, table: str, store: str, start: date, end: date) -> set[str]:
    cursor = db.execute(f"SELECT DISTINCT date FROM {table} WHERE store = ? AND date BETWEEN ? AND ?",
                        [store, start.isoformat(), end.isoformat()])
    return {row[0] for row in cursor.fetchall()}
