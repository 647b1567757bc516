"""Importing an order export file: parse, refuse or skip bad rows, store in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.engine.database import Database
from connectors.orders.exports import OrderRow, Problem, WrongHeader, detect_format, parse_generic, parse_shopify
from connectors.orders.rules import order_currency
from connectors.orders.store import ImportCounts, store_orders

PARSERS = {"shopify": parse_shopify, "generic": parse_generic}


class BadOrderFile(Exception):
    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class ImportResult:
    format: str
    counts: ImportCounts
    skipped: list[Problem]
    other_currency: Counter[str] = field(default_factory=Counter)  # flagged orders per currency, not counted


def import_file(db: Database, path: Path, store: str, timezone: str, currency: str,
                file_format: str | None = None, skip_bad: bool = False, last_day: date | None = None) -> ImportResult:
    """Import one export in one transaction; ``last_day`` (the store's today) refuses future dates."""
    text = read_text(path)
    chosen = file_format or detect_format(text.split("\n", 1)[0])
    try:
        rows, problems = PARSERS[chosen](text, ZoneInfo(timezone), last_day)
    except WrongHeader as error:
        raise BadOrderFile(f"{path.name}: {error.sentence()}") from None
    if fatal := next((problem for problem in problems if problem.fatal), None):
        where = f"{fatal}" if fatal.column else f"row {fatal.row} {fatal.why}"
        raise BadOrderFile(f"{path.name}: {where}; nothing imported", problems)
    if problems and (not skip_bad or not rows):
        hint = "fix them, or run again with --skip-bad to import the good rows" if rows else "fix the file"
        raise BadOrderFile(f"{path.name}: {len(problems)} bad row(s), nothing imported: {hint}", problems)
    return ImportResult(chosen, store_orders(db, store, timezone, rows, currency), problems,
                        other_currencies(rows, currency))


def other_currencies(rows: list[OrderRow], currency: str) -> Counter[str]:
    """The orders stored with ``other_currency`` set, per currency (the rule the store applies)."""
    return Counter(code for row in rows if (code := order_currency(row.currency, currency)) != currency)


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadOrderFile(f"cannot read {path}: {error.strerror or error}") from None
    if b"\x00" in data[:65536]:
        raise BadOrderFile(f"{path.name} is not a CSV text file (it holds binary data): export the orders as "
                           "CSV (UTF-8) and import that file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadOrderFile(f"{path.name} is not UTF-8 text (byte {error.start + 1} is not): export the orders "
                           "again as CSV UTF-8 (a spreadsheet's 'CSV UTF-8' format) and import that file") from None
