"""The Shopify connector against the emulator over HTTP: what lands in the warehouse, against pandas."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date, timedelta

import pandas as pd
import pytest
import requests

from connectors.demo.shop_orders import demo_shop_orders
from connectors.emulation.shop_model import cancel, refund
from connectors.orders.store import counted_orders
from connectors.shopify.bulk import jsonl_records
from connectors.shopify.emulator.shapes import jsonl_lines, line_node, order_node
from connectors.shopify.parse import parse_bulk_record, parse_connection_order
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.settings import StoreSettings
from tests.support.ga4 import demo_shop
from tests.support.paths import FIXTURES
from tests.support.shops import (
    NOW,
    STORE,
    demo_orders,
    later,
    plain_order,
    shopify,
    shopify_frame,
    shopify_lines,
    stored_orders,
)
from tests.support.shops import (
    shopify_sync as sync,
)

FIXTURES = FIXTURES / "shopify"



def test_an_orders_page_parses_into_plain_orders():
    page = json.loads((FIXTURES / "orders_page.json").read_text())["data"]["orders"]
    (first, cursor), (second, none) = [parse_connection_order(edge["node"]) for edge in page["edges"]]
    assert (first.order_id, first.name, first.total, first.refunded, first.currency) == (
        "5100000001", "#1001", 119.00, 30.00, "EUR")
    assert first.live and first.status == "partially_refunded" and first.customer_id == "7200000001"
    assert (first.subtotal, first.discounts, first.shipping, first.tax) == (124.00, 10.00, 5.00, 21.46)
    assert [(li.line, li.quantity, li.product_type, li.net_amount) for li in first.lines] == [
        ("13400000011", 1, "Accessori", 63.00), ("13400000012", 2, None, 22.50)]
    assert cursor == "bGluZXwy" and none is None  # the first has more line items to fetch
    assert not second.live and second.status == "cancelled" and second.customer_id is None and not second.email


def test_a_bulk_export_parses_line_items_that_come_before_their_order():
    lines = (FIXTURES / "bulk_children_first.jsonl").read_bytes().splitlines()
    records = [parse_bulk_record(record) for record in jsonl_records(lines, "demo")]
    assert records[0][0] == "5100000003" and records[0][1].title == "Monopattino City"  # a child, parent later
    order, test_order = records[2], records[4]
    assert order.refunded == order.total == 249.00 and order.live  # PAID, but refunded in full
    assert test_order.test and test_order.currency == "USD"
    assert records[5] is None  # not an order, not a line item


def test_the_emulators_bulk_lines_say_what_its_graphql_nodes_say():
    orders = demo_orders(30)[:300]
    lines = [json.loads(line) for line in jsonl_lines(orders)]
    by_id = {record["id"]: record for record in lines}
    for order in orders:
        assert by_id[f"gid://shopify/Order/{order.id}"] == order_node(order)
        for line in order.lines:
            parent = {**line_node(line, order.currency), "__parentId": f"gid://shopify/Order/{order.id}"}
            assert by_id[f"gid://shopify/LineItem/{line.id}"] == parent
    assert len(lines) == len(orders) + sum(len(order.lines) for order in orders)


def test_a_backfill_stores_what_pandas_counts_from_the_emulators_orders():
    orders = demo_orders(30)  # ~3,800 orders: four batches of 1,000 from one bulk export
    db = open_database()
    with shopify(orders) as (running, clock):
        result = sync(db, running, clock, batch_rows=1_000)
        assert result.mode == "backfill" and running.state.requests == result.requests == 2
        assert running.state.downloads == 1
    expected, stored = shopify_frame(orders), stored_orders(db, "shopify")
    assert len(stored) == len(expected) and stored["counted"].sum() == expected["counts"].sum()
    counted = expected[expected["counts"]]
    by_day = counted.groupby("day")["net"].sum()
    got = counted_orders(db, STORE).groupby("date")["total"].sum()
    pd.testing.assert_series_equal(got, by_day, check_names=False, rtol=1e-9)
    per_customer = sorted(counted.groupby("customer")["net"].agg(["size", "sum"]).round(2).itertuples(index=False))
    got_customers = counted_orders(db, STORE).groupby("customer")["total"].agg(["size", "sum"]).round(2)
    assert sorted(got_customers.itertuples(index=False)) == per_customer
    lines = shopify_lines(orders)
    stored_lines = pd.DataFrame(list(db.query("SELECT * FROM order_lines")))
    assert len(stored_lines) == len(lines) and stored_lines["quantity"].sum() == lines["quantity"].sum()
    pd.testing.assert_series_equal(stored_lines.groupby("product_type")["net_amount"].sum(),
                                   lines.groupby("product_type")["net_amount"].sum(), rtol=1e-9)


def test_line_items_before_their_order_in_the_export_store_the_same_tables():
    orders = demo_orders(20)
    shuffled, interleaved = open_database(), open_database()
    for db, children_first in ((shuffled, True), (interleaved, False)):
        with shopify(orders, children_first=children_first) as (running, clock):
            sync(db, running, clock, batch_rows=200)  # many batches: children and parents land in different ones
    for query in ("SELECT order_id, total, refunded, counted FROM orders ORDER BY order_id",
                  "SELECT order_id, line, quantity, net_amount FROM order_lines ORDER BY order_id, line"):
        assert list(shuffled.query(query)) == list(interleaved.query(query))
    assert shuffled.execute("SELECT COUNT(*) FROM order_lines").fetchone()[0] == len(shopify_lines(orders))


def test_kpibot_emulator_serves_the_demo_shop_as_shopify_and_woocommerce():
    command = [sys.executable, "-u", "-m", "bot.cli.main", "emulator", "--port", "0", "--days", "10", "--shopify-port",
               "0", "--woocommerce-port", "0", "--as-of", "2026-11-24"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        exports = {}
        for line in process.stdout:
            if line.strip().startswith("export "):
                name, value = line.strip()[len("export "):].split("=", 1)
                exports[name] = value
            if "Ctrl-C" in line:
                break
        page = requests.post(f"{exports['KPIBOT_SHOPIFY_ENDPOINT']}/admin/api/2025-07/graphql.json",
                             json={"query": "{ ordersCount { count } }"}, timeout=10,
                             headers={"X-Shopify-Access-Token": exports["SHOPIFY_TOKEN_DEMO"]}).json()
        woo = requests.get(f"{exports['KPIBOT_WOOCOMMERCE_ENDPOINT']}/wp-json/wc/v3/orders", timeout=10,
                           auth=(exports["WC_KEY_DEMO"], exports["WC_SECRET_DEMO"]))
    finally:
        process.terminate()
        process.wait(timeout=10)
    expected = len(demo_shop_orders(demo_shop(date(2026, 11, 24), 10)))
    assert page["data"]["ordersCount"]["count"] == int(woo.headers["X-WP-Total"]) == expected
    assert "KPIBOT_GA4_ENDPOINT" in exports


def test_a_late_refund_and_a_cancellation_change_their_days_on_the_next_sync():
    orders = demo_orders(30)
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        paid = [o for o in orders if o.financial_status == "paid" and not o.test and not o.refunds]
        refunded, cancelled = paid[10], paid[20]
        before = counted_orders(db, STORE).groupby("date")["total"].sum()
        refund(refunded, 12.5, later(0.5))
        cancel(cancelled, later(0.5))
        result = sync(db, running, clock, now=later(1))
    assert result.mode == "incremental" and result.orders >= 2
    after = counted_orders(db, STORE).groupby("date")["total"].sum()
    days = shopify_frame([refunded, cancelled])["day"].tolist()
    if days[0] == days[1]:
        assert math.isclose(before[days[0]] - after[days[0]], 12.5 + cancelled.total, rel_tol=1e-9)
    else:
        assert math.isclose(before[days[0]] - after[days[0]], 12.5, rel_tol=1e-9)
        assert math.isclose(before[days[1]] - after.get(days[1], 0.0), cancelled.total, rel_tol=1e-9)
    row = db.execute("SELECT counted, status FROM orders WHERE order_id = ?", [str(cancelled.id)]).fetchone()
    assert tuple(row) == (0, "cancelled")


def test_a_few_changes_go_through_cost_sized_pages_and_long_orders_get_every_line():
    start = NOW - timedelta(days=10)
    orders = [plain_order(n, start + timedelta(hours=n), 20.0 + n) for n in range(40)]
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        for order in orders[:25]:
            refund(order, 1.0, later(0.2))
        orders[3].lines = orders[3].lines * 1 + [
            type(orders[3].lines[0])(95_000 + n, 1, "X", "Extra", 1, "Ricambi", "RicambiMax", 2.0) for n in range(45)]
        orders[3].updated_at = later(0.3)
        result = sync(db, running, clock, now=later(1))
    assert result.orders == 25 and result.requests >= 4  # a count, three pages, then line-item follow-ups
    assert max(running.state.costs) <= 1000  # no page was refused for its cost
    assert db.execute("SELECT COUNT(*) FROM order_lines WHERE order_id = ?", [str(orders[3].id)]).fetchone()[0] == 46


def test_five_hundred_changes_take_three_requests_through_a_bulk_operation():
    start = NOW - timedelta(days=40)
    orders = [plain_order(n, start + timedelta(minutes=30 * n), 30.0) for n in range(800)]
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        for order in orders[:500]:
            refund(order, 5.0, later(0.1))
        result = sync(db, running, clock, now=later(1))
    assert result.mode == "incremental" and result.orders >= 500 and result.requests <= 3
    assert math.isclose(counted_orders(db, STORE)["total"].sum(), 800 * 30.0 - 500 * 5.0)


def test_since_and_until_read_only_orders_created_in_those_days_and_leave_the_backfill_to_come():
    orders = demo_orders(30)
    db = open_database()
    since, until = date(2026, 11, 1), date(2026, 11, 7)
    with shopify(orders) as (running, clock):
        result = sync(db, running, clock, since=since, until=until)
        expected = shopify_frame(orders)
        inside = expected[(expected["day"] >= since.isoformat()) & (expected["day"] <= until.isoformat())]
        assert result.mode == "range" and result.orders == len(inside) == len(stored_orders(db, "shopify"))
        assert sync(db, running, clock).mode == "backfill"  # the whole history is still to come


@pytest.fixture(scope="module")
def live_orders():
    orders = demo_orders(120)
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
    frame = shopify_frame(orders)
    frame = frame[frame["counts"]].sort_values(["day", "created"])
    return db, frame.assign(date=pd.to_datetime(frame["day"]))


@pytest.mark.parametrize("period", [("2026-08-01", "2026-08-31"), ("2026-09-15", "2026-11-23"),
                                    ("2026-11-17", "2026-11-23")])
@pytest.mark.parametrize("metric", ["customers", "repurchase_rate", "ltv", "aov_new", "purchase_frequency"])
def test_the_order_kpis_work_unchanged_on_live_shopify_orders(live_orders, metric, period):
    db, frame = live_orders
    store = StoreSettings(name=STORE, ga4_property="1", ltv_months=2)
    start, end = period
    got = metric_value(db, store, BY_NAME[metric], Period(date.fromisoformat(start), date.fromisoformat(end)))
    assert math.isclose(got, independent(frame, metric, start, end, months=2), rel_tol=1e-9)


def independent(frame: pd.DataFrame, metric: str, start: str, end: str, months: int) -> float:
    inside = frame[(frame["date"] >= start) & (frame["date"] <= end)]
    first = frame.groupby("customer")["date"].transform("min")
    if metric == "customers":
        return inside["customer"].nunique()
    if metric == "repurchase_rate":
        return (inside.groupby("customer").size() >= 2).mean()
    if metric == "purchase_frequency":
        return len(inside) / inside["customer"].nunique()
    if metric == "aov_new":
        new = inside[~frame.duplicated("customer").loc[inside.index]]
        return new["net"].sum() / len(new)
    cohort = frame[(first >= start) & (first <= end)]
    start_of = cohort.groupby("customer")["date"].transform("min")
    window = cohort[cohort["date"] < start_of + pd.DateOffset(months=months)]
    return window["net"].sum() / cohort["customer"].nunique()
