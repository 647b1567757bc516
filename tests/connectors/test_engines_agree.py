"""The whole answer suite on SQLite and on PostgreSQL, synced from the same emulators: equal answers.

Both warehouses are filled the way production fills them: the official GA4 client against the
GA4 emulator (400 days of the demo shop, so "vs ly" has a year to compare with; the SQLite side
is the suite's cached copy of that same sync) and the Shopify client against the Shopify
emulator (60 days of its orders). Then every KPI is asked for
every period form, against both comparisons and split by every dimension, on both engines; an
answer is ``kpibot ask --json``'s object (or the error's sentence), compared value for value,
so a float that differs in its last decimal fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.answer_check import answer_of
from connectors.warehouse import Warehouse, open_database
from kpi.catalogue import CATALOGUE
from kpi.settings import StoreSettings
from tests.support.engines import fresh_schema, postgres_url
from tests.support.ga4 import AS_OF, PROPERTY, STORE, demo_shop, emulator, sync_all, synced_demo_db
from tests.support.shops import demo_orders, shopify, shopify_sync

PERIODS = ("today", "yesterday", "last-7d", "last-30d", "last-90d", "this-week", "last-week", "mtd", "last-month",
           "qtd", "ytd", "2026-10", "2026-11-20", "2026-11-01..2026-11-15")
COMPARED = ("last-30d", "mtd", "last-week", "2026-10")
DIMENSIONS = ("channel", "device", "visitor", "campaign", "segment", "product", "product_type")
SETTINGS = StoreSettings(STORE, PROPERTY)


def answer_suite() -> list[str]:
    """Every KPI × every period form, × both comparisons, × every split (with and without one)."""
    texts = []
    for metric in (m.name for m in CATALOGUE):
        texts += [f"{metric} {period}" for period in PERIODS]
        texts += [f"{metric} {period} vs {base}" for period in COMPARED for base in ("prev", "ly")]
        texts += [f"{metric} last-30d by {dimension}" for dimension in DIMENSIONS]
        texts += [f"{metric} mtd vs ly by channel"]
    return texts


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, Warehouse]]:
    postgres_url()  # skip, saying why, without a server
    folder: Path = tmp_path_factory.mktemp("twins")
    with fresh_schema() as url:
        both = (synced_demo_db(folder / "kpibot.db", AS_OF, 400, True), open_database(url))
        with emulator(demo_shop(AS_OF, 400, True)) as (_, client):
            sync_all(both[1], client, AS_OF - timedelta(days=400), AS_OF - timedelta(days=1))
        with shopify(demo_orders(60)) as (running, clock):
            for db in both:
                shopify_sync(db, running, clock)
        yield both
        for db in both:
            db.close()


def test_every_answer_is_the_same_on_both_engines(twins):
    sqlite, postgres = twins
    assert (sqlite.kind, postgres.kind) == ("sqlite", "postgresql")
    texts = answer_suite()
    answers = [(answer_of(sqlite, SETTINGS, text, AS_OF), answer_of(postgres, SETTINGS, text, AS_OF))
               for text in texts]
    differing = [f"{text}: {one} <> {other}" for text, (one, other) in zip(texts, answers, strict=True)
                 if one != other]
    assert not differing, f"{len(differing)} of {len(texts)} answers differ, first: {differing[0]}"
    # the suite is not a pile of refusals: most questions got a number on both engines
    numbers = [one for one, _ in answers if isinstance(one, dict) and one.get("value") is not None]
    assert len(numbers) > len(texts) // 2, f"only {len(numbers)} of {len(texts)} answers have a value"


def test_the_stored_rows_are_the_same_on_both_engines(twins):
    sqlite, postgres = twins
    for table in ("ga4_sessions", "ga4_users", "ga4_ads", "order_lines"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4"
        assert sorted(map(repr, sqlite.query(query))) == sorted(map(repr, postgres.query(query))), table
    # each warehouse hashes customers with its own salt: the same orders, grouped into the same customers
    orders = []
    for db in twins:
        customer = first_orders(db)
        orders.append({row["order_id"]: {k: v for k, v in row.items() if not k.endswith("_hash")}
                       | {"customer": customer[row["customer_hash"]]} for row in db.query("SELECT * FROM orders")})
    assert orders[0] == orders[1] and len(orders[0]) > 1000


def first_orders(db: Warehouse) -> dict[str, str]:
    """Each customer hash named by its first order's id: a name that does not depend on the salt."""
    rows = db.query("SELECT customer_hash, MIN(order_id) AS first FROM orders GROUP BY customer_hash")
    return {row["customer_hash"]: row["first"] for row in rows}
