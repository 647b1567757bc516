"""The Shopify connector under faults, injected for real: throttling, failing bulk operations, a bad
token, a kill -9 mid-sync, a broken export, other currencies and an empty shop."""

from __future__ import annotations

import logging
import math
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from connectors.emulation.shop_model import refund
from connectors.ga4.fetch import RetryPolicy
from connectors.orders.importer import import_file
from connectors.orders.shop_store import other_currency_orders, synced_from
from connectors.orders.store import counted_orders
from connectors.shopify.bulk import MalformedExport
from connectors.shopify.client import ShopifyAccess, ShopifyClient, ShopifyError
from connectors.shopify.sync import sync_shopify
from connectors.warehouse import open_database
from tests.support import forked
from tests.support.ga4 import demo_shop, emulator
from tests.support.paths import FIXTURES
from tests.support.shops import (
    NOW,
    SHOP,
    STORE,
    TOKEN,
    demo_orders,
    destination,
    later,
    plain_order,
    shopify,
    table_dump,
    twin_databases,
)
from tests.support.shops import (
    shopify_sync as sync,
)

TABLES = ("orders", "order_lines", "shop_sync_state")



def changed_orders(count: int = 30) -> list:
    start = NOW - timedelta(days=10)
    return [plain_order(n, start + timedelta(hours=n), 20.0 + n) for n in range(count)]


def test_throttled_twice_then_the_query_goes_through_after_waiting_for_the_refill():
    orders = changed_orders()
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        for order in orders[:12]:
            refund(order, 2.0, later(0.1))
        running.state.throttle(2)
        result = sync(db, running, clock, now=later(1))
    assert running.state.throttled == 2 and result.orders == 12
    waits = [w for w in clock.waited if w > 0]
    assert len(waits) >= 2 and all(w >= 1.0 / 50 for w in waits)  # it waited for restoreRate, each time
    assert math.isclose(counted_orders(db, STORE)["total"].sum(), sum(o.total for o in orders) - 24.0)


def test_pages_slow_down_before_the_bucket_is_empty_rather_than_be_throttled():
    orders = changed_orders()
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        for order in orders[:28]:
            refund(order, 1.0, later(0.1))
        result = sync(db, running, clock, now=later(1))
    assert result.orders == 28 and running.state.throttled == 0
    assert sum(clock.waited) > 0  # three pages of ~962 points from a 1,000-point bucket: it had to pace itself


def test_a_bulk_operation_that_fails_once_is_started_again():
    db = open_database()
    with shopify(changed_orders(), bulk_polls_running=3) as (running, clock):
        running.state.fail_bulk(1, "INTERNAL_SERVER_ERROR")
        result = sync(db, running, clock)
    assert result.orders == 30 and len(running.state.operations) == 2
    assert clock.waited[:3] == [1.0, 2.0, 4.0]  # polls back off while the operation runs


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """A config with one store that has GA4 and Shopify, both served by emulators."""
    config = tmp_path / "kpibot.toml"
    config.write_text(f'[kpibot]\ndatabase = "k.db"\n[[stores]]\nname = "{STORE}"\nga4_property = "100000001"\n'
                      f'[stores.shopify]\nshop = "{SHOP}"\ntoken_env = "SHOPIFY_TOKEN_DEMO"\n')
    with emulator(demo_shop(days=30)) as (ga4, _), shopify(changed_orders()) as (running, clock):
        monkeypatch.setenv("KPIBOT_GA4_ENDPOINT", ga4.url)
        monkeypatch.setenv("KPIBOT_SHOPIFY_ENDPOINT", running.url)
        monkeypatch.setenv("SHOPIFY_TOKEN_DEMO", TOKEN)
        yield config, running


def run_sync(config: Path) -> int:
    return main(["--config", str(config), "sync", "--as-of", "2026-11-24"])


def test_a_bulk_operation_that_fails_twice_exits_1_with_its_error_code_and_ga4_still_syncs(cli, capsys):
    config, running = cli
    running.state.fail_bulk(2, "INTERNAL_SERVER_ERROR")
    assert run_sync(config) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("kpibot:")]
    assert len(err) == 1 and err[0].startswith(f"kpibot: {STORE}: Shopify failed: ")
    assert "INTERNAL_SERVER_ERROR" in err[0] and "FAILED 2 times" in err[0]
    db = open_database(config.parent / "k.db")
    assert db.execute("SELECT COUNT(DISTINCT date) FROM ga4_sessions").fetchone()[0] == 30
    assert synced_from(db, STORE, "shopify") is None  # the next run backfills again
    assert run_sync(config) == 0 and db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 30


def test_a_refused_token_names_the_store_and_variable_and_appears_nowhere(cli, capsys, caplog, monkeypatch):
    config, running = cli
    wrong = "tok-" + "ffffeeeeddddccccbbbb"
    monkeypatch.setenv("SHOPIFY_TOKEN_DEMO", wrong)
    caplog.set_level(logging.DEBUG)
    assert run_sync(config) == 1
    out = capsys.readouterr()
    assert f"kpibot: {STORE}: Shopify failed: " in out.err and "SHOPIFY_TOKEN_DEMO" in out.err and "401" in out.err
    db_file = config.parent / "k.db"
    db = open_database(db_file)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    everything = out.out + out.err + caplog.text
    assert wrong not in everything and TOKEN not in everything
    assert wrong.encode() not in db_file.read_bytes() and TOKEN.encode() not in db_file.read_bytes()
    assert running.state.requests == 1  # a 401 is not retried


def test_a_missing_token_variable_is_a_config_error_that_names_it(cli, capsys, monkeypatch):
    config, _ = cli
    monkeypatch.delenv("SHOPIFY_TOKEN_DEMO")
    assert run_sync(config) == 2
    assert "SHOPIFY_TOKEN_DEMO is not set" in capsys.readouterr().err
    assert main(["--config", str(config), "check-config"]) == 2
    assert "shopify.token_env names SHOPIFY_TOKEN_DEMO, which is not set" in capsys.readouterr().err


@pytest.mark.parametrize("point", ["between_batches", "inside_transaction"])
def test_a_sync_killed_mid_way_then_run_again_equals_one_never_interrupted(tmp_path, point):
    orders = demo_orders(30)
    killed, clean = twin_databases(tmp_path)
    with shopify(orders) as (running, clock):
        process = forked.run("tests.support.kill_sync", ["shopify", running.url, str(killed), point], timeout=120)
        assert process.returncode == 9, process.stderr
        db = open_database(killed)
        stored = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        assert 0 < stored < len(orders) and synced_from(db, STORE, "shopify") is None
        sync(db, running, clock, batch_rows=300)
        reference = open_database(clean)
        sync(reference, running, clock, batch_rows=300)
    for table in TABLES:
        assert table_dump(db, table) == table_dump(reference, table), table


def test_a_malformed_export_line_is_named_and_earlier_data_is_kept():
    orders = changed_orders(200)
    db = open_database()
    with shopify(orders) as (running, clock):
        sync(db, running, clock)
        before = {table: table_dump(db, table) for table in TABLES}
        for order in orders:
            refund(order, 1.0, later(0.1))
        running.state.corrupt_lines = frozenset({2})
        with pytest.raises(MalformedExport, match="line 2 of Shopify's bulk export for demo-shop.myshopify.com"):
            sync(db, running, clock, now=later(1))
    assert {table: table_dump(db, table) for table in TABLES} == before


def test_other_and_unknown_currencies_are_kept_flagged_and_left_out_of_sums():
    orders = changed_orders(10)
    orders[1].currency = orders[2].currency = "USD"
    orders[3].currency = "ZZZ"
    db = open_database()
    with shopify(orders) as (running, clock):
        result = sync(db, running, clock)
    assert dict(result.other_currency) == {"USD": 2} and dict(result.unknown_currency) == {"ZZZ": 1}
    notes = result.notes("EUR", "Shopify")
    assert any("2 order(s) in USD, not the store's EUR" in note for note in notes)
    assert any("unknown currency 'ZZZ'" in note for note in notes)
    assert other_currency_orders(db, STORE) == {"USD": 2, "ZZZ": 1}
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 10
    euro = [o for n, o in enumerate(orders) if n not in (1, 2, 3)]
    assert math.isclose(counted_orders(db, STORE)["total"].sum(), sum(o.total for o in euro))


def test_an_empty_shop_says_so_and_keeps_the_orders_imported_before():
    db = open_database()
    fixture = FIXTURES / "orders" / "ordini_it.csv"
    import_file(db, fixture, STORE, "Europe/Rome", "EUR")
    before = table_dump(db, "orders")
    with shopify([]) as (running, clock):
        result = sync(db, running, clock)
    assert result.orders == 0 and "Shopify has no orders for this store yet" in result.notes("EUR", "Shopify")[0]
    assert table_dump(db, "orders") == before


def test_an_unreachable_proxy_is_named_with_its_password_masked():
    access = ShopifyAccess(STORE, SHOP, "http://kpibot:hunter2@127.0.0.1:1", TOKEN, "SHOPIFY_TOKEN_DEMO")
    client = ShopifyClient(access, RetryPolicy(max_attempts=2, sleep=lambda seconds: None))
    db = open_database()
    with pytest.raises(ShopifyError) as error:
        sync_shopify(db, client, destination(db, "shopify"), now=NOW)
    assert "http://kpibot:***@127.0.0.1:1" in str(error.value) and "hunter2" not in str(error.value)


def test_a_shop_that_accepts_but_never_answers_hits_the_deadline_then_gives_up():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept_and_stall() -> None:
        while not done.is_set():
            try:
                held.append(listener.accept()[0])  # read nothing, answer nothing
            except OSError:
                return

    threading.Thread(target=accept_and_stall, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    client = ShopifyClient(ShopifyAccess(STORE, SHOP, url, TOKEN, "SHOPIFY_TOKEN_DEMO"),
                           RetryPolicy(max_attempts=2, sleep=lambda seconds: None), deadline=0.1)
    db = open_database()
    try:
        with pytest.raises(ShopifyError, match="cannot reach Shopify .* after 2 attempts"):
            sync_shopify(db, client, destination(db, "shopify"), now=NOW)
    finally:
        done.set()
        listener.close()
        for connection in held:
            connection.close()
    assert client.requests == 2
