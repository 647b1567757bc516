"""Scoring flagged days against labelled windows: recall and false days per 100 days.

A window counts as found when the detector flags at least one day inside it; a false day is
a flagged day inside no window. The CLI (``kpibot anomalies --labels``) and the NAB
benchmark score the same way, with these functions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kpi.answer import Period


class LabelError(ValueError):
    exit_code = 2


@dataclass(frozen=True)
class LabelScore:
    windows: int
    found: int
    days: int
    false_days: int

    @property
    def recall(self) -> float:
        return self.found / self.windows if self.windows else 0.0

    @property
    def false_per_100(self) -> float:
        return 100 * self.false_days / self.days if self.days else 0.0

    def __add__(self, other: LabelScore) -> LabelScore:
        return LabelScore(self.windows + other.windows, self.found + other.found, self.days + other.days,
                          self.false_days + other.false_days)

    def to_json(self) -> dict[str, float | int]:
        return {"windows": self.windows, "found": self.found, "recall": self.recall, "days": self.days,
                "false_days": self.false_days, "false_per_100_days": self.false_per_100}


def parse_windows(text: str, source: str) -> list[Period]:
    """Windows from CSV text with the columns ``start,end`` (ISO dates, inclusive)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if "start" not in header or "end" not in header:
        raise LabelError(f"{source}: the first row must name the columns start,end (found {','.join(header)!r})")
    first, last = header.index("start"), header.index("end")
    windows = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        windows.append(_window(row, first, last, f"{source} row {number}"))
    if not windows:
        raise LabelError(f"{source}: has no labelled windows; add rows such as 2026-03-01,2026-03-03")
    return windows


def _window(row: list[str], first: int, last: int, where: str) -> Period:
    cells = []
    for column in (first, last):
        text = row[column].strip() if column < len(row) else ""
        try:
            cells.append(date.fromisoformat(text))
        except ValueError:
            raise LabelError(f"{where}: {text!r} is not a date as YYYY-MM-DD") from None
    if cells[1] < cells[0]:
        raise LabelError(f"{where}: end {cells[1]} is before start {cells[0]}")
    return Period(cells[0], cells[1])


def score_days(flagged: Iterable[date], windows: Iterable[Period], judged: Period,
               days: int | None = None) -> LabelScore:
    """Recall of the windows that overlap ``judged`` and the flagged days of ``judged`` outside them.

    ``days`` is how many days were judged (default: every day of ``judged``; fewer when some
    were missing).
    """
    marked = {d for d in flagged if judged.start <= d <= judged.end}
    inside = [w for w in windows if w.start <= judged.end and w.end >= judged.start]
    found = sum(any(w.start <= d <= w.end for d in marked) for w in inside)
    false_days = sum(not any(w.start <= d <= w.end for w in inside) for d in marked)
    return LabelScore(len(inside), found, judged.days if days is None else days, false_days)
