"""The WooCommerce connector against the emulator over HTTP, checked with pandas on the JSON it serves."""

from __future__ import annotations

import json
import logging
import math
from datetime import timedelta

import pandas as pd
import pytest
import requests

from bot.cli.main import main
from connectors.emulation.shop_model import cancel, refund
from connectors.orders.store import counted_orders
from connectors.warehouse import open_database
from connectors.woocommerce.client import WooCommerceAuthError, WooCommerceError
from connectors.woocommerce.emulator import WooEmulatorState, serve_woocommerce
from connectors.woocommerce.parse import parse_order
from connectors.woocommerce.sync import sync_woocommerce
from tests.support import forked
from tests.support.ga4 import demo_shop, emulator
from tests.support.paths import FIXTURES
from tests.support.shops import (
    NOW,
    STORE,
    demo_orders,
    destination,
    later,
    table_dump,
    twin_databases,
    woo_client,
    woo_frame,
)

FIXTURES = FIXTURES / "woocommerce"


def served(url: str) -> list[dict]:
    """Every order the emulator serves, read with plain requests (not kpibot's client)."""
    orders, page = [], 1
    while True:
        response = requests.get(f"{url}/wp-json/wc/v3/orders", params={"per_page": 100, "page": page},
                                auth=("emulator-key", "emulator-secret"), timeout=10)
        orders += response.json()
        if page >= int(response.headers["X-WP-TotalPages"]):
            return orders
        page += 1


def sync(db, url, **kwargs):
    client = kwargs.pop("client", None) or woo_client(url)
    return sync_woocommerce(db, client, destination(db, "woocommerce"), now=kwargs.pop("now", NOW), **kwargs)


def test_an_orders_page_parses_statuses_refunds_guests_and_lines():
    first, guest, unpaid = [parse_order(data) for data in json.loads((FIXTURES / "orders_page.json").read_text())]
    assert (first.order_id, first.name, first.total, first.refunded, first.currency) == ("727", "#727", 119.0, 30.0,
                                                                                         "EUR")
    assert first.live and first.created_at.isoformat() == "2026-03-28T23:30:00+00:00"
    assert (first.subtotal, first.discounts, first.shipping, first.tax) == (95.0, 10.0, 5.0, 21.46)
    assert [(li.line, li.quantity, li.sku, li.net_amount) for li in first.lines] == [
        ("315", 1, "AC-CASCO", 63.0), ("316", 2, None, 22.5)]
    assert guest.live and guest.customer_id is None and guest.email is None  # on-hold counts; a guest
    assert not unpaid.live and unpaid.status == "pending"


def test_a_backfill_stores_what_pandas_counts_and_stops_at_the_last_page():
    state = WooEmulatorState(demo_orders(20))  # twenty-odd pages of 100, the last one partly full
    db = open_database()
    with serve_woocommerce(state) as site:
        expected = woo_frame(served(site.url))
        state.requests = 0
        result = sync(db, site.url)
    pages = math.ceil(len(expected) / 100)
    assert result.mode == "backfill" and result.requests == state.requests == pages
    stored = pd.DataFrame(list(db.query("SELECT * FROM orders")))
    assert len(stored) == len(expected) and stored["counted"].sum() == expected["counts"].sum()
    counted = expected[expected["counts"]]
    pd.testing.assert_series_equal(counted_orders(db, STORE).groupby("date")["total"].sum(),
                                   counted.groupby("day")["net"].sum(), check_names=False, rtol=1e-9)
    assert sorted(counted_orders(db, STORE).groupby("customer").size()) == sorted(counted.groupby("customer").size())
    lines = db.execute("SELECT COUNT(*), SUM(net_amount) FROM order_lines").fetchone()
    assert lines[0] == expected["lines"].sum() and math.isclose(lines[1], expected["lines_total"].sum())


def test_a_late_refund_and_a_cancellation_change_their_days_on_the_next_sync():
    orders = demo_orders(20)
    state = WooEmulatorState(orders)
    db = open_database()
    with serve_woocommerce(state) as site:
        sync(db, site.url)
        before = counted_orders(db, STORE).groupby("date")["total"].sum()
        paid = [o for o in orders if o.financial_status == "paid" and not o.test and not o.refunds]
        refund(paid[5], 7.5, later(0.5))
        cancel(paid[6], later(0.5))
        result = sync(db, site.url, now=later(1))
        raw = served(site.url)
    expected = woo_frame(raw)
    window = (NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")  # since the last sync, minus 3 days
    changed = sum(1 for order in raw if order["date_modified_gmt"] > window)
    assert result.mode == "incremental" and result.orders == changed and result.requests == math.ceil(changed / 100)
    after = counted_orders(db, STORE).groupby("date")["total"].sum()
    counted = expected[expected["counts"]].groupby("day")["net"].sum()
    pd.testing.assert_series_equal(after, counted, check_names=False, rtol=1e-9)
    assert math.isclose(before.sum() - after.sum(), 7.5 + paid[6].total, rel_tol=1e-9)


def test_429_and_5xx_back_off_with_jitter_then_succeed_or_give_up_clearly():
    state = WooEmulatorState(demo_orders(10))
    db = open_database()
    sleeps: list[float] = []
    with serve_woocommerce(state) as site:
        state.inject(429)
        state.inject(503)
        state.inject(500)
        result = sync(db, site.url, client=woo_client(site.url, sleeps=sleeps))
        assert result.orders == len(served(site.url)) and sleeps[0] == 1.0  # Retry-After: 1 on the 429
        assert len(sleeps) == 3 and all(0 <= s <= 4 for s in sleeps[1:])
        before = table_dump(db, "orders")
        state.inject(503, times=10)
        with pytest.raises(WooCommerceError, match="kept answering HTTP 503 after 6 attempts"):
            sync(db, site.url, now=later(1))
    assert table_dump(db, "orders") == before


def test_a_refused_key_names_the_store_and_both_variables_and_no_secret(tmp_path, monkeypatch, capsys, caplog):
    config = tmp_path / "kpibot.toml"
    config.write_text(f'[kpibot]\ndatabase = "k.db"\n[[stores]]\nname = "{STORE}"\nga4_property = "100000001"\n'
                      '[stores.woocommerce]\nurl = "https://negozio.example.it"\nkey_env = "WC_KEY_DEMO"\n'
                      'secret_env = "WC_SECRET_DEMO"\n')
    secret = "sec-" + "0f1e2d3c4b5a69788796"
    caplog.set_level(logging.DEBUG)
    with emulator(demo_shop(days=30)) as (ga4, _), serve_woocommerce(WooEmulatorState(demo_orders(5))) as site:
        monkeypatch.setenv("KPIBOT_GA4_ENDPOINT", ga4.url)
        monkeypatch.setenv("KPIBOT_WOOCOMMERCE_ENDPOINT", site.url)
        monkeypatch.setenv("WC_KEY_DEMO", "emulator-key")
        monkeypatch.setenv("WC_SECRET_DEMO", secret)
        assert main(["--config", str(config), "sync", "--as-of", "2026-11-24"]) == 1
        assert site.state.requests == 1  # a 401 is not retried
    out = capsys.readouterr()
    failure = [line for line in out.err.splitlines() if line.startswith("kpibot:")]
    assert len(failure) == 1 and failure[0].startswith(f"kpibot: {STORE}: WooCommerce failed: ")
    assert "WC_KEY_DEMO and WC_SECRET_DEMO" in failure[0] and "401" in failure[0]
    assert secret not in out.out + out.err + caplog.text
    db_file = tmp_path / "k.db"
    open_database(db_file).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert secret.encode() not in db_file.read_bytes()
    assert open_database(db_file).execute("SELECT COUNT(*) FROM ga4_sessions").fetchone()[0] > 0  # GA4 went on


def test_since_and_until_ask_for_orders_created_in_the_range():
    orders = demo_orders(20)
    db = open_database()
    with serve_woocommerce(WooEmulatorState(orders)) as site:
        from datetime import date

        result = sync(db, site.url, since=date(2026, 11, 10), until=date(2026, 11, 12))
        expected = woo_frame(served(site.url))
    inside = expected[(expected["day"] >= "2026-11-10") & (expected["day"] <= "2026-11-12")]
    assert result.mode == "range" and result.orders == len(inside) > 0


def test_an_unreadable_order_is_named_and_earlier_pages_are_kept():
    orders = demo_orders(5)
    orders[-1].created_at = orders[-1].updated_at = NOW - timedelta(hours=1)
    db = open_database()
    state = WooEmulatorState(orders)
    state.damaged[orders[-1].id] = {"date_created_gmt": "yesterday"}  # the site serves it damaged
    with serve_woocommerce(state) as site:
        with pytest.raises(WooCommerceError, match=rf"order {orders[-1].id}: date_created_gmt is not a date"):
            sync(db, site.url)
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 100 * (math.ceil(len(orders) / 100) - 1)


def test_a_wrong_key_raises_an_auth_error_without_the_secret():
    with serve_woocommerce(WooEmulatorState([])) as site:
        with pytest.raises(WooCommerceAuthError) as error:
            sync(open_database(), site.url, client=woo_client(site.url, secret="not-the-secret"))
    assert "not-the-secret" not in str(error.value) and "WC_SECRET_DEMO" in str(error.value)


def test_a_sync_killed_between_pages_then_run_again_equals_one_never_interrupted(tmp_path):
    killed, clean = twin_databases(tmp_path)
    with serve_woocommerce(WooEmulatorState(demo_orders(10))) as site:
        # os._exit(9) as the third page's batch starts
        process = forked.run("tests.support.kill_sync", ["woocommerce", site.url, str(killed), "3"], timeout=120)
        assert process.returncode == 9, process.stderr
        db, reference = open_database(killed), open_database(clean)
        assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 200  # two pages of 100 got in
        sync(db, site.url)
        sync(reference, site.url)
    for table in ("orders", "order_lines", "shop_sync_state"):
        assert table_dump(db, table) == table_dump(reference, table), table
