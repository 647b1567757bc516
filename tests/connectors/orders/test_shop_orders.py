"""One orders table and one counting rule for every source: the migration, the CSV import, the rule."""

from __future__ import annotations

import importlib
import math
from datetime import UTC, datetime

from connectors.migrations import discover, migrate
from connectors.orders.importer import import_file
from connectors.orders.rules import ShopOrder, counts, customer_key
from connectors.orders.shop_store import Destination, write_batch
from connectors.orders.store import counted_orders
from connectors.warehouse import open_database
from tests.support.engines import unmigrated

EXPORT = """Name,Email,Financial Status,Currency,Total,Refunded Amount,Created at,Lineitem name,Cancelled at
#2001,anna@example.it,partially_refunded,EUR,100.00,30.00,2024-05-02 10:00:00 +0200,Casco,
#2002,anna@example.it,refunded,EUR,50.00,50.00,2024-05-03 10:00:00 +0200,Luce,
#2003,bruno@example.it,partially_refunded,EUR,80.00,80.00,2024-05-03 11:00:00 +0200,Borsa,
#2004,,paid,USD,40.00,,2024-05-04 11:00:00 +0200,Luce,
#2005,,paid,EUR,20.00,,2024-05-04 12:00:00 +0200,Campanello,
"""


def test_the_migration_keeps_imported_orders_as_csv_rows(tmp_path):
    db = unmigrated(tmp_path / "old.db")
    db.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for number, name, apply in discover():
        if number <= 3:
            apply(db)
            db.execute("INSERT INTO _migrations VALUES (?, ?, 'x')", [number, name])
    db.execute("INSERT INTO orders VALUES ('shop', 'A-1', 'c1', NULL, '2024-01-10T10:00:00+01:00', '2024-01-10', "
               "1249.0, 'EUR', 'paid', 1)")
    db.execute("INSERT INTO orders VALUES ('shop', 'A-2', 'c2', 'e2', '2024-01-11T10:00:00+01:00', '2024-01-11', "
               "89.9, 'EUR', 'refunded', 0)")
    assert "m005_shop_orders" in migrate(db)
    rows = list(db.query("SELECT store, source, order_id, customer_hash, email_hash, total, refunded, counted "
                         "FROM orders ORDER BY order_id"))
    assert rows == [
        {"store": "shop", "source": "csv", "order_id": "A-1", "customer_hash": "c1", "email_hash": None,
         "total": 1249.0, "refunded": 0.0, "counted": 1},
        {"store": "shop", "source": "csv", "order_id": "A-2", "customer_hash": "c2", "email_hash": "e2",
         "total": 89.9, "refunded": 0.0, "counted": 0}]
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_orders_store_date", "idx_orders_store_customer_hash_date"} <= indexes
    importlib.import_module("connectors.migrations.m005_shop_orders").apply(db)  # re-applied: nothing changes
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 2


def test_the_shopify_export_counts_partial_refunds_net_and_full_ones_not_at_all(tmp_path):
    path = tmp_path / "orders_export.csv"
    path.write_text(EXPORT)
    db = open_database()
    import_file(db, path, "shop", "Europe/Rome", "EUR")
    counted = dict(db.execute("SELECT order_id, counted FROM orders").fetchall())
    assert counted == {"#2001": 1, "#2002": 0, "#2003": 0, "#2004": 0, "#2005": 1}
    assert db.execute("SELECT other_currency FROM orders WHERE order_id = '#2004'").fetchone()[0] == 1
    frame = counted_orders(db, "shop")
    assert sorted(frame["total"]) == [20.0, 70.0]  # 100 − 30 on its day; the guest's 20


def test_the_rule_in_words():
    assert counts(live=True, test=False, total=100.0, refunded=30.0, same_currency=True)
    assert not counts(live=True, test=False, total=100.0, refunded=100.0, same_currency=True)
    assert not counts(live=True, test=True, total=100.0, refunded=0.0, same_currency=True)
    assert not counts(live=False, test=False, total=100.0, refunded=0.0, same_currency=True)
    assert not counts(live=True, test=False, total=100.0, refunded=0.0, same_currency=False)
    assert counts(live=True, test=False, total=0.0, refunded=0.0, same_currency=True)  # a free order is an order
    assert customer_key("shopify", "1", None, None) != customer_key("shopify", "2", None, None)  # guests
    assert customer_key("shopify", "1", "77", " Anna@Example.it") == customer_key("csv", "9", None, "anna@example.it")


def test_the_same_order_id_from_two_sources_is_two_rows():
    db = open_database()
    moment = datetime(2024, 5, 2, 8, tzinfo=UTC)
    for source, total in (("shopify", 10.0), ("woocommerce", 20.0)):
        to = Destination.of(db, "shop", source, "Europe/Rome", "EUR")
        write_batch(db, to, [ShopOrder("1001", "#1001", moment, moment, total, 0.0, "EUR", "paid", True)])
    assert math.isclose(counted_orders(db, "shop")["total"].sum(), 30.0)
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 2
