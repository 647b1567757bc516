"""The warehouse read by the KPI maths: what ``kpi.reader.KpiReader`` asks, in SQL.

Sums are grouped in SQL (one query per measure and period), so a ratio is always a ratio of
sums. Column names come from ``connectors.tables``; anything else is refused before it can
reach a query. A sum over rows where the measure is unknown (NULL: a statistic the source
refused) is unknown too, and comes back as NaN, never as the sum of the known rows.

A sum of floating-point money is rounded to ``SUM_DECIMALS`` places: adding the same doubles in
another order gives another last bit (9647.999999999998 or 9648.0), and the two engines (and
SQLite versions) add rows in different orders. Amounts are stored to the cent (GA4 and the shops
send at most a few decimals), so the rounding removes only that noise, and both engines answer
to the last decimal alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from connectors.engine.database import Database
from connectors.tables import SOURCE_DIMENSIONS, table_for

QUALITY_FLAGS = ("thresholded", "other_row", "sampled")
SUM_DECIMALS = 6  # far below a cent, far above the noise of adding millions of doubles


def sums(db: Database, store: str, source: str, measure: str, start: date, end: date, *, by: str | None = None,
         where: Mapping[str, str] | None = None) -> dict[str, float]:
    key = _column(source, by, allow_date=True) if by else "''"
    filters, params = _filters(source, store, start, end, where)
    # grouped by select-list position: PostgreSQL refuses a constant ('', 'meta') written in GROUP BY
    sql = (f"SELECT {key} AS key, {_known_sum(measure)} FROM {table_for(source)} "
           f"WHERE store = ? AND date BETWEEN ? AND ?{filters} GROUP BY 1")
    return {str(k): math.nan if v is None else float(_sum(v)) for k, v in db.execute(sql, params).fetchall()}


def daily(db: Database, store: str, source: str, measure: str, start: date, end: date, *, by: Sequence[str] = (),
          where: Mapping[str, str] | None = None) -> pd.DataFrame:
    keys = ["date", *(_column(source, column) for column in by)]
    named = ", ".join(["date", *(f"{_column(source, column)} AS {column}" for column in by)])
    filters, params = _filters(source, store, start, end, where)
    positions = ", ".join(str(n) for n in range(1, len(keys) + 1))
    sql = (f"SELECT {named}, {_known_sum(measure)} AS value FROM {table_for(source)} "
           f"WHERE store = ? AND date BETWEEN ? AND ?{filters} GROUP BY {positions} ORDER BY {positions}")
    cursor = db.execute(sql, params)
    frame = pd.DataFrame([(*row[:-1], None if row[-1] is None else _sum(row[-1])) for row in cursor.fetchall()],
                         columns=[d[0] for d in cursor.description])
    frame["value"] = frame["value"].astype(float)  # NULL (unknown) becomes NaN
    if by:  # text keys: in code-point order whatever the PostgreSQL collation
        frame = frame.sort_values(["date", *by], kind="stable", ignore_index=True)
    return frame


def days_with_data(db: Database, store: str, source: str, start: date, end: date) -> set[date]:
    rows = db.execute(f"SELECT DISTINCT date FROM {table_for(source)} WHERE store = ? AND date BETWEEN ? AND ?",
                      [store, start.isoformat(), end.isoformat()]).fetchall()
    return {date.fromisoformat(row[0]) for row in rows}


def data_span(db: Database, store: str, source: str) -> tuple[date, date] | None:
    """The first and last day stored: the one "data up to" every surface shows."""
    # two queries, not MIN and MAX in one: each alone is a single step down the (store, date) index
    first, last = (db.execute(f"SELECT {end}(date) FROM {table_for(source)} WHERE store = ?", [store]).fetchone()[0]
                   for end in ("MIN", "MAX"))
    return (date.fromisoformat(first), date.fromisoformat(last)) if first and last else None


def quality_flags(db: Database, store: str, start: date, end: date) -> set[str]:
    raised = db.execute(f"SELECT {', '.join(f'MAX({flag})' for flag in QUALITY_FLAGS)} FROM ga4_chunks "
                        "WHERE store = ? AND start_date <= ? AND end_date >= ?",
                        [store, end.isoformat(), start.isoformat()]).fetchone()
    return {flag for flag, value in zip(QUALITY_FLAGS, raised, strict=True) if value}


def _sum(value: Any) -> float | int:
    """A SUM as both engines give it: an int stays an int; a float loses the order-of-addition noise."""
    return round(value, SUM_DECIMALS) if isinstance(value, float) else value


def _known_sum(measure: str) -> str:
    """SUM of the measure, or NULL when any of the summed rows holds NULL (an unknown statistic)."""
    column = _measure(measure)
    return f"CASE WHEN COUNT({column}) = COUNT(*) THEN SUM({column}) END"


def _measure(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a measure: {name!r}")
    return name


def _column(source: str, name: str | None, allow_date: bool = False) -> str:
    """The SQL expression that reads dimension ``name`` of ``source`` (a column or a derived value)."""
    dimensions = SOURCE_DIMENSIONS.get(source, {})
    if name is not None and name in dimensions:
        return dimensions[name]
    if allow_date and name == "date":
        return "date"
    raise ValueError(f"the source {source!r} has no dimension {name!r}")


def _filters(source: str, store: str, start: date, end: date,
             where: Mapping[str, str] | None) -> tuple[str, list[Any]]:
    params: list[Any] = [store, start.isoformat(), end.isoformat()]
    filters = ""
    for column, value in (where or {}).items():
        filters += f" AND {_column(source, column)} = ?"
        params.append(value)
    return filters, params
