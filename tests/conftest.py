"""Shared pytest fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.warehouse import Warehouse, open_database
from tests.support.engines import ENGINES, fresh_location


@pytest.fixture(params=ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """An empty warehouse location, once per engine: a SQLite file, then a PostgreSQL schema."""
    with fresh_location(request.param, tmp_path) as where:
        yield where


@pytest.fixture
def warehouse(location: Path | str) -> Iterator[Warehouse]:
    """A new, migrated warehouse on each engine, closed after the test."""
    db = open_database(location)
    yield db
    db.close()
