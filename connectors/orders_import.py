"""Importing an order export file: parse, refuse or skip bad rows, store in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from connectors.orders_csv import Problem, detect_format, parse_generic, parse_shopify
from connectors.orders_store import ImportCounts, store_orders

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


def import_file(db: Database, path: Path, store: str, timezone: str, currency: str,
                file_format: str | None = None, skip_bad: bool = False) -> ImportResult:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BadOrderFile(f"cannot read {path}: {error}; export the file again as UTF-8 CSV") from None
    chosen = file_format or detect_format(text.split("\n", 1)[0])
    rows, problems = PARSERS[chosen](text, ZoneInfo(timezone))
    if problems and (not skip_bad or not rows):
        hint = "fix them, or run again with --skip-bad to import the good rows" if rows else "fix the file"
        raise BadOrderFile(f"{path.name}: {len(problems)} bad row(s), nothing imported: {hint}", problems)
    return ImportResult(chosen, store_orders(db, store, timezone, rows, currency), problems)
