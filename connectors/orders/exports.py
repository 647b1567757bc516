"""Parsing order exports (Shopify, generic) into plain rows and a list of problems.

Pure functions over text: no database, no hashing. Every problem names the row, the
column, the value and why it was refused. Refused: values that do not parse, totals that
are not finite or not plausible, dates before 1990 or after the import's last allowed day,
rows with more cells than the header, and an order that appears again with other values.
A file the csv module cannot read at all (a huge field, binary data), one whose header
lacks a required column, and one with a month-first date are refused whole.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from connectors.orders.cells import Rejected, parse_amount, parse_datetime

SHOPIFY_COLUMNS = ("Name", "Email", "Created at", "Total", "Currency", "Financial Status", "Cancelled at")
GENERIC_COLUMNS = ("order_id", "customer_id", "created_at", "total")
EXCLUDED_STATUSES = {"cancelled", "canceled", "voided", "refunded", "void", "annullato", "rimborsato"}


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
    fatal: bool = False  # the file cannot be trusted past this row: refuse it even with --skip-bad

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}, value {self.value[:40]!r}: {self.why}"


def rejected(number: int, error: Rejected) -> Problem:
    return Problem(number, error.column, error.value, error.why, error.fatal)


class WrongHeader(ValueError):
    """The header lacks columns the format needs: no row can be read, so the file is refused whole."""

    def __init__(self, file_format: str, missing: list[str], header: list[str]) -> None:
        super().__init__(f"missing {', '.join(missing)}")
        self.file_format, self.missing, self.header = file_format, missing, header

    def sentence(self) -> str:
        """One line naming every missing column, what looks like them, and what to do."""
        missing = ", ".join(repr(name) for name in self.missing)
        by_lower = {cell.lower(): cell for cell in self.header}
        hints = [f"{by_lower[close[0]]!r} looks like {name!r}" for name in self.missing
                 if (close := difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75))]
        seen = f" ({', '.join(hints)})" if hints else ""
        if self.file_format == "shopify":
            return (f"the header lacks the column(s) {missing}{seen}: a Shopify export needs all seven of "
                    f"{', '.join(SHOPIFY_COLUMNS)}, or cancelled, refunded and other-currency orders would count "
                    "as revenue; export the orders again from Shopify with every column; nothing imported")
        return (f"the header lacks the column(s) {missing}{seen}: row 1 of a generic export reads "
                f"{','.join(GENERIC_COLUMNS)}[,currency][,status] (with ';' in an Italian file); rename the "
                "columns, or give --format shopify for a Shopify export; nothing imported")


def sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def detect_format(header: str) -> str:
    """The format whose columns the header line holds more of; generic when neither (its message is shorter)."""
    row = next(csv.reader([header], delimiter=sniff_delimiter(header)), [])
    cells = {cell.strip().lstrip("\ufeff") for cell in row}
    shopify = len(cells.intersection(SHOPIFY_COLUMNS)) + ("Lineitem name" in cells)
    return "shopify" if shopify > len(cells.intersection(GENERIC_COLUMNS)) else "generic"


def read_rows(text: str) -> tuple[list[str], Iterator[list[str]], str]:
    header_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    return header, reader, delimiter


class Unreadable(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.why)
        self.problem = problem


def numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with their row number (the header is row 1); raises ``Unreadable``
    for a row the csv module cannot read (past it, nothing in the file can be trusted)."""
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            why = f"cannot be read as CSV ({error}): this does not look like an order export"
            raise Unreadable(Problem(number, "", "", why, fatal=True)) from None
        if any(cell.strip() for cell in cells):
            yield number, cells


def check_shape(cells: list[str], header: list[str], delimiter: str) -> None:
    """A cell beyond the header shifts every later column: refuse the row rather than guess."""
    if len(cells) > len(header):
        raise Rejected(f"(cell {len(header) + 1})", cells[len(header)],
                       f"{len(cells)} cells but the header has {len(header)}: a value probably contains the "
                       f"separator {delimiter!r}; quote that value or remove the separator")


def require_columns(file_format: str, header: list[str], required: Iterable[str]) -> None:
    if missing := [column for column in required if column not in header]:
        raise WrongHeader(file_format, missing, header)


class Orders:
    """Rows kept once per order id; an id seen again with other values is refused, both rows."""

    def __init__(self, columns: dict[str, str]) -> None:
        self.columns = columns  # OrderRow field -> the file's column, to name what differs
        self.first: dict[str, tuple[int, OrderRow]] = {}
        self.conflicting: set[str] = set()

    def add(self, number: int, row: OrderRow, cells: list[str], index: dict[str, int]) -> Problem | None:
        if row.order_id not in self.first:
            self.first[row.order_id] = (number, row)
            return None
        first_number, first = self.first[row.order_id]
        changed = [f.name for f in fields(OrderRow) if getattr(first, f.name) != getattr(row, f.name)]
        if not changed:
            return None  # the same order repeated (line items): fine
        self.conflicting.add(row.order_id)
        column = self.columns.get(changed[0], changed[0])
        value = cells[index[column]].strip() if column in index else ""
        return Problem(number, column, value, f"order {row.order_id} is also on row {first_number} with a different "
                                              f"{column}: keep one row per order (neither row is imported)")

    def rows(self) -> list[OrderRow]:
        return [row for _, row in self.first.values() if row.order_id not in self.conflicting]


GENERIC_FIELDS = {"customer": "customer_id", "created_at": "created_at", "total": "total", "currency": "currency",
                  "status": "status"}
SHOPIFY_READ = (*SHOPIFY_COLUMNS, "Refunded Amount")
SHOPIFY_FIELDS = {"customer": "Email", "email": "Email", "created_at": "Created at", "total": "Total",
                  "currency": "Currency", "status": "Financial Status", "counted": "Financial Status"}


def parse_generic(text: str, timezone: ZoneInfo, last_day: date | None = None) -> tuple[list[OrderRow], list[Problem]]:
    header, reader, delimiter = read_rows(text)
    index = {name: i for i, name in enumerate(header)}
    require_columns("generic", header, GENERIC_COLUMNS)
    orders, problems = Orders(GENERIC_FIELDS), []
    try:
        for number, cells in numbered(reader):
            try:
                check_shape(cells, header, delimiter)
                row = _generic_row(cells, index, timezone, delimiter == ";", last_day)
            except Rejected as error:
                problems.append(rejected(number, error))
            except IndexError:
                problems.append(Problem(number, "", delimiter.join(cells), f"expected {len(header)} columns"))
            else:
                if conflict := orders.add(number, row, cells, index):
                    problems.append(conflict)
    except Unreadable as error:
        problems.append(error.problem)
    return orders.rows(), problems


def _generic_row(cells: list[str], index: dict[str, int], timezone: ZoneInfo, decimal_comma: bool,
                 last_day: date | None) -> OrderRow:
    def cell(name: str) -> str:
        return cells[index[name]].strip() if name in index else ""

    order_id, customer = cell("order_id"), cell("customer_id")
    if not order_id:
        raise Rejected("order_id", order_id, "empty order id")
    if not customer:
        raise Rejected("customer_id", customer, "empty customer id")
    status = cell("status").lower() or "paid"
    return OrderRow(order_id, customer, parse_datetime(cell("created_at"), timezone, "created_at", last_day),
                    parse_amount(cell("total"), decimal_comma, "total"), cell("currency").upper(), status,
                    status not in EXCLUDED_STATUSES)


def parse_shopify(text: str, timezone: ZoneInfo, last_day: date | None = None) -> tuple[list[OrderRow], list[Problem]]:
    """One order per ``Name``: the order columns are filled on its first line-item row. Later
    line-item rows repeat only some of them (``Created at``, ``Email``); one that fills the
    ``Total`` again must agree with the first."""
    header, reader, delimiter = read_rows(text)
    index = {name: i for i, name in enumerate(header)}
    require_columns("shopify", header, SHOPIFY_COLUMNS)
    orders, problems = Orders(SHOPIFY_FIELDS), []
    try:
        for number, cells in numbered(reader):
            if problem := _shopify_problem(number, cells, header, index, delimiter):
                problems.append(problem)
            elif _order_columns_filled(cells, index, orders):
                try:
                    row = _shopify_row(cells, index, timezone, last_day)
                except Rejected as error:
                    problems.append(rejected(number, error))
                else:
                    if conflict := orders.add(number, row, cells, index):
                        problems.append(conflict)
    except Unreadable as error:
        problems.append(error.problem)
    return orders.rows(), problems


def _order_columns_filled(cells: list[str], index: dict[str, int], orders: Orders) -> bool:
    if not cells[index["Created at"]].strip():
        return False
    return cells[index["Name"]].strip() not in orders.first or bool(cells[index["Total"]].strip())


def _shopify_problem(number: int, cells: list[str], header: list[str], index: dict[str, int],
                     delimiter: str) -> Problem | None:
    try:
        check_shape(cells, header, delimiter)
    except Rejected as error:
        return rejected(number, error)
    if len(cells) <= max(index[name] for name in SHOPIFY_READ if name in index):
        return Problem(number, "", delimiter.join(cells), f"expected {len(header)} columns")
    if not cells[index["Name"]].strip():
        return Problem(number, "Name", "", "empty order name")
    return None


def _shopify_row(cells: list[str], index: dict[str, int], timezone: ZoneInfo, last_day: date | None) -> OrderRow:
    def cell(name: str) -> str:
        return cells[index[name]].strip() if name in index else ""

    name, email = cell("Name"), cell("Email").lower()
    financial, cancelled = cell("Financial Status").lower(), cell("Cancelled at")
    status = "cancelled" if cancelled else (financial or "paid")
    refunded = parse_amount(cell("Refunded Amount"), False, "Refunded Amount") if cell("Refunded Amount") else 0.0
    return OrderRow(name, email or f"guest:{name}",
                    parse_datetime(cell("Created at"), timezone, "Created at", last_day),
                    parse_amount(cell("Total"), False, "Total"), cell("Currency").upper(), status,
                    status not in EXCLUDED_STATUSES, email or None, refunded)
