"""SQL text shared by both engines: ``?`` placeholders for psycopg, and the one upsert statement."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# a quoted string or identifier ('it''s', "name"), or a ? or % outside them
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[?%]")
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP")


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """``sql`` with each ``?`` outside quotes as ``%s``, and each ``%`` doubled (psycopg's escape)."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _TOKENS.sub(swap, sql)


@lru_cache(maxsize=1024)
def is_write(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in WRITES if sql.strip() else False


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str], keep: Sequence[str] = (),
               only_changed: bool = False) -> str:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET c = excluded.c`` for every column not in ``key`` or ``keep``.

    ``only_changed`` skips rows whose values are all the same, so the count of changed rows says
    how many really changed. (``IS DISTINCT FROM`` would say it shorter, but SQLite knows it only
    from 3.39; the spelled-out form runs on every SQLite with upserts, and on PostgreSQL.)
    """
    updates = [c for c in columns if c not in key and c not in keep]
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
           f"ON CONFLICT ({', '.join(key)}) ")
    if not updates:
        return sql + "DO NOTHING"
    sql += "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates)
    if only_changed:
        sql += " WHERE " + " OR ".join(distinct(f"{table}.{c}", f"excluded.{c}") for c in updates)
    return sql


def distinct(a: str, b: str) -> str:
    """``a IS DISTINCT FROM b`` (NULL equals NULL, and differs from any value) in SQL both engines run."""
    return f"({a} <> {b} OR ({a} IS NULL) <> ({b} IS NULL))"
