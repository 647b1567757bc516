"""Parsing order exports (Shopify, generic) into plain rows and a list of problems.

Pure functions over text: no database, no hashing. Every problem names the row, the
column, the value and why it was refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

SHOPIFY_COLUMNS = ("Name", "Email", "Created at", "Total", "Currency", "Financial Status", "Cancelled at")
GENERIC_COLUMNS = ("order_id", "customer_id", "created_at", "total")
EXCLUDED_STATUSES = {"cancelled", "canceled", "voided", "refunded", "void", "annullato", "rimborsato"}
_OFFSET = re.compile(r"\s*([+-]\d{2}):?(\d{2})$")
_ITALIAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    customer: str  # the raw id or email; hashed before it is stored
    created_at: datetime  # timezone-aware
    total: float
    currency: str
    status: str
    counted: bool
    email: str | None = None
    refunded: float = 0.0


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    why: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}, value {self.value[:40]!r}: {self.why}"


class Rejected(ValueError):
    def __init__(self, column: str, value: str, why: str) -> None:
        super().__init__(why)
        self.column, self.value, self.why = column, value, why


def parse_datetime(text: str, timezone: ZoneInfo, column: str) -> datetime:
    """ISO 8601 with or without an offset, and Shopify's ``2024-03-05 14:22:10 +0100``."""
    cleaned = _OFFSET.sub(lambda m: f"{m.group(1)}:{m.group(2)}", text.strip())
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise Rejected(column, text, "not a date: use ISO 8601 such as 2024-03-05T14:22:10+01:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def parse_amount(text: str, decimal_comma: bool, column: str) -> float:
    raw = text.strip().replace("€", "").replace("$", "").replace("\xa0", "").strip()
    if decimal_comma and _ITALIAN_NUMBER.match(raw):
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise Rejected(column, text, "not an amount: write it like 1234.56 (or 1.234,56 in a ';' file)") from None
    if value < 0:
        raise Rejected(column, text, "a negative order total: record refunds with the status column instead")
    return value


def sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def detect_format(header: str) -> str:
    return "shopify" if "Financial Status" in header or header.startswith("Name") else "generic"


def read_rows(text: str) -> tuple[list[str], Iterator[list[str]], str]:
    header_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    return header, reader, delimiter


def missing_columns(header: list[str], required: Iterable[str]) -> list[str]:
    return [column for column in required if column not in header]


def parse_generic(text: str, timezone: ZoneInfo) -> tuple[list[OrderRow], list[Problem]]:
    header, reader, delimiter = read_rows(text)
    index = {name: i for i, name in enumerate(header)}
    if missing := missing_columns(header, GENERIC_COLUMNS):
        return [], [Problem(1, name, "", "required column is missing from the header") for name in missing]
    rows, problems = [], []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            rows.append(_generic_row(cells, index, timezone, delimiter == ";"))
        except Rejected as error:
            problems.append(Problem(number, error.column, error.value, error.why))
        except IndexError:
            problems.append(Problem(number, "", delimiter.join(cells), f"expected {len(header)} columns"))
    return rows, problems


def _generic_row(cells: list[str], index: dict[str, int], timezone: ZoneInfo, decimal_comma: bool) -> OrderRow:
    def cell(name: str) -> str:
        return cells[index[name]].strip() if name in index else ""

    order_id, customer = cell("order_id"), cell("customer_id")
    if not order_id:
        raise Rejected("order_id", order_id, "empty order id")
    if not customer:
        raise Rejected("customer_id", customer, "empty customer id")
    status = cell("status").lower() or "paid"
    return OrderRow(order_id, customer, parse_datetime(cell("created_at"), timezone, "created_at"),
                    parse_amount(cell("total"), decimal_comma, "total"), cell("currency").upper(), status,
                    status not in EXCLUDED_STATUSES)


def parse_shopify(text: str, timezone: ZoneInfo) -> tuple[list[OrderRow], list[Problem]]:
    """One order per ``Name``: the order columns are filled on its first line-item row only."""
    header, reader, _ = read_rows(text)
    index = {name: i for i, name in enumerate(header)}
    if missing := missing_columns(header, SHOPIFY_COLUMNS[:4]):
        return [], [Problem(1, name, "", "required Shopify column is missing from the header") for name in missing]
    rows: dict[str, OrderRow] = {}
    problems = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        name = cells[index["Name"]].strip()
        if not name:
            problems.append(Problem(number, "Name", "", "empty order name"))
        elif name not in rows and cells[index["Created at"]].strip():
            try:
                rows[name] = _shopify_row(cells, index, timezone)
            except Rejected as error:
                problems.append(Problem(number, error.column, error.value, error.why))
    return list(rows.values()), problems


def _shopify_row(cells: list[str], index: dict[str, int], timezone: ZoneInfo) -> OrderRow:
    def cell(name: str) -> str:
        return cells[index[name]].strip() if name in index else ""

    name, email = cell("Name"), cell("Email").lower()
    financial, cancelled = cell("Financial Status").lower(), cell("Cancelled at")
    status = "cancelled" if cancelled else (financial or "paid")
    refunded = parse_amount(cell("Refunded Amount"), False, "Refunded Amount") if cell("Refunded Amount") else 0.0
    return OrderRow(name, email or f"guest:{name}", parse_datetime(cell("Created at"), timezone, "Created at"),
                    parse_amount(cell("Total"), False, "Total"), cell("Currency").upper(), status,
                    status not in EXCLUDED_STATUSES, email or None, refunded)
