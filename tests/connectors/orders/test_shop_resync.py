"""Late changes reach the shop KPIs on the next sync, through the real Shopify emulator and client:
a refund, a full refund, a cancellation. And orders from a CSV import sit beside live ones."""

from __future__ import annotations

import math
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.emulation.shop_model import cancel, refund
from connectors.orders.importer import import_file
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.settings import StoreSettings
from tests.support.shops import NOW, STORE, ZONE, demo_orders, later, plain_order, shop_sales_frames, shopify
from tests.support.shops import shopify_sync as sync

SHOP = StoreSettings(name=STORE, ga4_property="1")
KPIS = ("shop_revenue", "shop_orders", "refund_rate", "discount_rate", "items_per_order")


def kpis(db, day: date) -> dict[str, float | None]:
    return {name: metric_value(db, SHOP, BY_NAME[name], Period(day, day)) for name in KPIS}


def local_day(order) -> date:
    """The store's day of an order's creation (as ``shop_sales_frames`` says it, without a frame per order)."""
    return order.created_at.astimezone(ZoneInfo(ZONE)).date()


@pytest.fixture
def synced():
    """A week of the demo shop synced once; yields the db, the orders and the running emulator."""
    orders = demo_orders(7)
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        yield db, orders, running, clock


def paid_orders(orders):
    return [o for o in orders if o.financial_status == "paid" and not o.test and not o.refunds and not o.cancelled_at]


def test_a_refund_after_the_first_sync_lowers_net_sales_of_the_orders_day_on_the_next_sync(synced):
    db, orders, running, clock = synced
    order = paid_orders(orders)[40]
    day = local_day(order)
    before = kpis(db, day)
    sold = shop_sales_frames([o for o in orders if local_day(o) == day])[0].query("sold")
    refund(order, 12.5, later(0.5))
    assert kpis(db, day) == before  # nothing changes until the sync reads it
    result = sync(db, running, clock, now=later(1))
    after = kpis(db, day)
    assert result.mode == "incremental"
    assert math.isclose(before["shop_revenue"] - after["shop_revenue"], 12.5, rel_tol=1e-9)
    assert after["shop_orders"] == before["shop_orders"]  # partly refunded: it still counts
    assert math.isclose(after["refund_rate"] - before["refund_rate"], 12.5 / sold["total"].sum(), rel_tol=1e-9)
    assert after["discount_rate"] == before["discount_rate"] and after["items_per_order"] == before["items_per_order"]


def test_a_full_refund_takes_the_order_out_and_its_whole_total_into_the_refund_rate(synced):
    db, orders, running, clock = synced
    order = paid_orders(orders)[55]
    day = local_day(order)
    before = kpis(db, day)
    gross = shop_sales_frames([o for o in orders if local_day(o) == day])[0].query("sold")["total"].sum()
    refund(order, order.total, later(0.5))
    sync(db, running, clock, now=later(1))
    after = kpis(db, day)
    assert math.isclose(before["shop_revenue"] - after["shop_revenue"], order.total, rel_tol=1e-9)
    assert after["shop_orders"] == before["shop_orders"] - 1
    assert math.isclose(after["refund_rate"] - before["refund_rate"], order.total / gross, rel_tol=1e-9)


def test_a_cancelled_order_leaves_net_sales_orders_and_the_rates(synced):
    db, orders, running, clock = synced
    order = paid_orders(orders)[70]
    day = local_day(order)
    before = kpis(db, day)
    frame = shop_sales_frames([o for o in orders if local_day(o) == day])[0]
    cancel(order, later(0.3))
    result = sync(db, running, clock, now=later(1))
    after = kpis(db, day)
    assert result.orders >= 1
    assert math.isclose(before["shop_revenue"] - after["shop_revenue"], order.total, rel_tol=1e-9)
    assert after["shop_orders"] == before["shop_orders"] - 1
    rest = frame[frame["sold"] & (frame["order_id"] != str(order.id))]
    assert math.isclose(after["refund_rate"], rest["refund"].sum() / rest["total"].sum(), rel_tol=1e-9)
    row = db.execute("SELECT counted, status FROM orders WHERE order_id = ?", [str(order.id)]).fetchone()
    assert tuple(row) == (0, "cancelled")  # kept, counted for nothing


def test_a_csv_import_beside_live_orders_counts_in_net_sales_but_not_in_items_per_order(tmp_path):
    """CSV orders have no line items (and the generic format no refund amount): a refunded one is
    refunded in full, and items per order looks only at orders with line items."""
    moment = NOW - timedelta(days=2)
    live = [plain_order(n, moment + timedelta(minutes=n), 50.0 + n) for n in range(4)]
    live[0].lines[0].quantity, live[0].lines[0].unit_price = 3, 16.0  # three of a kind: 4 orders, 6 units
    csv = tmp_path / "orders.csv"
    created = moment.astimezone().isoformat()
    csv.write_text("order_id,customer_id,created_at,total,currency,status\n"
                   f"C-1,anna,{created},120.00,EUR,paid\nC-2,bruno,{created},80.00,EUR,refunded\n")
    db = open_database()
    import_file(db, csv, STORE, ZONE, "EUR")
    with shopify(live) as (running, clock):
        sync(db, running, clock)
    frame, _ = shop_sales_frames(live)
    day = date.fromisoformat(frame["day"].iloc[0])
    got = kpis(db, day)
    assert math.isclose(got["shop_revenue"], frame["net"].sum() + 120.0, rel_tol=1e-9)
    assert got["shop_orders"] == len(live) + 1
    assert math.isclose(got["refund_rate"], 80.0 / (frame["total"].sum() + 120.0 + 80.0), rel_tol=1e-9)
    assert math.isclose(got["items_per_order"], frame["units"].sum() / len(live), rel_tol=1e-9)
    assert got["discount_rate"] == 0.0  # live orders report no discounts; CSV orders report none at all


def overlap_export(live, tmp_path, names):
    """A Shopify-style export (generic columns) of the live orders named ``names``, plus one only it has."""
    csv = tmp_path / "orders.csv"
    rows = [f"{name},c{n},{order.created_at.astimezone().isoformat()},{frame_total:.2f},EUR,paid"
            for n, (name, order, frame_total) in enumerate(names)]
    only = live[0].created_at.astimezone().isoformat()
    csv.write_text("order_id,customer_id,created_at,total,currency,status\n" + "\n".join(rows) +
                   f"\nX-77,zeta,{only},33.00,EUR,paid\n")
    return csv


@pytest.mark.parametrize("first", ["export", "live"])
def test_an_order_both_exported_and_synced_live_counts_once_whichever_came_first(tmp_path, first):
    """A store that imported CSVs and then connects Shopify: the same order, named #5001 in both, is the
    live one; the export's copy is kept and counts for nothing. Re-importing the export changes nothing."""
    moment = NOW - timedelta(days=2)
    live = [plain_order(n, moment + timedelta(minutes=n), 50.0 + n) for n in range(4)]
    frame, _ = shop_sales_frames(live)
    exported = [(f"#{order.number}" if n % 2 else str(order.number), order, 999.0) for n, order in enumerate(live[:3])]
    csv = overlap_export(live, tmp_path, exported)
    db = open_database()
    with shopify(live) as (running, clock):
        if first == "export":
            import_file(db, csv, STORE, ZONE, "EUR")
            sync(db, running, clock)
        else:
            sync(db, running, clock)
            import_file(db, csv, STORE, ZONE, "EUR")
    again = import_file(db, csv, STORE, ZONE, "EUR").counts
    day = date.fromisoformat(frame["day"].iloc[0])
    got = kpis(db, day)
    assert got["shop_orders"] == len(live) + 1  # the live four and the one only the export has
    assert math.isclose(got["shop_revenue"], frame["net"].sum() + 33.0, rel_tol=1e-9)
    assert (again.inserted, again.updated) == (0, 0)
    kept = db.execute("SELECT COUNT(*) FROM orders WHERE source = 'csv' AND counted = 0").fetchone()[0]
    assert kept == len(exported)
