"""Every warehouse test on both engines: a fresh SQLite file, or a fresh PostgreSQL schema.

PostgreSQL tests need a server: ``KPIBOT_TEST_POSTGRES_URL`` names a database on it where the
tests may create and drop schemas (``.ci/run`` starts a throwaway server and sets it; README
"PostgreSQL" says how to use your own). Without it they are skipped, saying so. Each test gets
its own schema (``search_path`` in the URL's ``options``), dropped afterwards, so tests running
in parallel never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from connectors.engine.database import Database, open_engine
from connectors.warehouse import Warehouse
from connectors.warehouse import open_database as open_warehouse

POSTGRES_URL_VAR = "KPIBOT_TEST_POSTGRES_URL"
ENGINES = ("sqlite", "postgresql")
SKIP_REASON = (f"no PostgreSQL server for the tests: set {POSTGRES_URL_VAR} to a database where they may create "
               "schemas (.ci/run starts one; see 'PostgreSQL' in the README)")


def postgres_url() -> str:
    """The test server's URL, or skip the test (saying why) when there is none."""
    url = os.environ.get(POSTGRES_URL_VAR)
    if not url:
        pytest.skip(SKIP_REASON)
    return url


def with_schema(url: str, schema: str) -> str:
    """``url`` with its connections' ``search_path`` set to ``schema`` (libpq's ``options``)."""
    base, _, query = url.partition("?")
    pairs = [(k, v) for k, v in parse_qsl(query) if k != "options"]
    pairs.append(("options", f"-c search_path={schema}"))
    return f"{base}?{urlencode(pairs, quote_via=quote)}"  # libpq decodes %20, not +


def admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute(statement)


@contextmanager
def fresh_schema(prefix: str = "t") -> Iterator[str]:
    """A URL whose warehouse is a new, empty schema on the test server, dropped afterwards."""
    url = postgres_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin(url, f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(url, schema)
    finally:
        admin(url, f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def fresh_location(engine: str, folder: Path) -> Iterator[Path | str]:
    """An empty warehouse location on ``engine``: a file in ``folder``, or a fresh schema."""
    if engine == "sqlite":
        yield folder / "kpibot.db"
    else:
        with fresh_schema() as url:
            yield url


def unmigrated(location: Path | str) -> Database:
    """The warehouse at ``location`` opened as it is, no migration run (to build old schemas)."""
    return Database(open_engine(location, 10_000))


@contextmanager
def warehouse_on(engine: str, folder: Path) -> Iterator[Warehouse]:
    """A new, migrated warehouse on ``engine`` (a file in ``folder``, or a fresh schema), closed afterwards."""
    with fresh_location(engine, folder) as where:
        db = open_warehouse(where)
        try:
            yield db
        finally:
            db.close()
