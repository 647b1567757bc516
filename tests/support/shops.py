"""Test support for the shop connectors: emulators with a manual clock, clients, and independent sums.

The expectations here are computed from the emulators' own orders with pandas and each
platform's published rules, never with kpibot's code.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.demo.shop_orders import demo_shop_orders
from connectors.emulation.clocks import ManualClock
from connectors.emulation.shop_model import EmulatedLine, EmulatedOrder
from connectors.ga4.fetch import RetryPolicy
from connectors.orders.shop_store import Destination
from connectors.shopify.client import ShopifyAccess, ShopifyClient
from connectors.shopify.emulator.server import RunningShopify, serve_shopify
from connectors.shopify.emulator.state import ShopifyEmulatorState
from connectors.woocommerce.client import WooCommerceAccess, WooCommerceClient
from tests.support.ga4 import demo_shop

STORE = "demo-shop"
SHOP = "demo-shop.myshopify.com"
TOKEN = "tok-" + "a1b2c3d4e5f6a7b8c9d0"  # split so no token-shaped text sits in the repository
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
ZONE = "Europe/Rome"
SHOPIFY_COUNTED = {"paid", "partially_paid", "partially_refunded", "pending", "authorized"}
WOO_COUNTED = {"completed", "processing", "on-hold"}


@lru_cache(maxsize=8)
def _demo_orders(days: int) -> bytes:
    """The demo shop's orders, pickled once: unpickling is a deep copy at a third of ``copy.deepcopy``'s cost."""
    return pickle.dumps(demo_shop_orders(demo_shop(date(2026, 11, 24), days)), protocol=pickle.HIGHEST_PROTOCOL)


def demo_orders(days: int = 60) -> list[EmulatedOrder]:
    """Fresh copies of the demo shop's orders (tests change them)."""
    orders: list[EmulatedOrder] = pickle.loads(_demo_orders(days))
    return orders


def plain_order(number: int, created: datetime, total: float, **fields: Any) -> EmulatedOrder:
    line = EmulatedLine(90_000 + number, 1, f"SKU-{number}", f"Article {number}", 70_000 + number % 3, "Accessori",
                        "Lumina", total)
    return EmulatedOrder(10_000 + number, 5000 + number, created, fields.pop("updated_at", created), [line],
                         **fields)


@contextmanager
def shopify(orders: list[EmulatedOrder], **state: Any) -> Iterator[tuple[RunningShopify, ManualClock]]:
    clock = ManualClock()
    with serve_shopify(ShopifyEmulatorState(orders, token=TOKEN, clock=clock, **state)) as running:
        yield running, clock


def shopify_client(running: RunningShopify, clock: ManualClock, token: str = TOKEN) -> ShopifyClient:
    """A fresh client (its request counter starts at 0) whose waits move the emulator's clock."""
    access = ShopifyAccess(STORE, SHOP, running.url, token, "SHOPIFY_TOKEN_DEMO")
    return ShopifyClient(access, RetryPolicy(sleep=clock.advance))


def shopify_sync(db: Any, running: RunningShopify, clock: ManualClock, **kwargs: Any) -> Any:
    """Sync the emulator's shop into ``db`` as the store's ``shopify`` source, with a fresh client."""
    from connectors.shopify.sync import sync_shopify

    return sync_shopify(db, shopify_client(running, clock), destination(db, "shopify"),
                        now=kwargs.pop("now", NOW), **kwargs)


def woo_client(url: str, key: str = "emulator-key", secret: str = "emulator-secret",
               sleeps: list[float] | None = None) -> WooCommerceClient:
    access = WooCommerceAccess(STORE, "https://negozio.example.it", url, key, secret, "WC_KEY_DEMO",
                               "WC_SECRET_DEMO")
    return WooCommerceClient(access, RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda s: None)))


def destination(db: Any, source: str, currency: str = "EUR") -> Destination:
    return Destination.of(db, STORE, source, ZONE, currency)


def shopify_frame(orders: list[EmulatedOrder], currency: str = "EUR") -> pd.DataFrame:
    """Shopify's orders with Shopify's rule: cancelled, voided, refunded and test orders count for nothing."""
    frame = pd.DataFrame([{
        "order_id": str(o.id), "created": o.created_at, "total": o.total, "refunded": o.refunded,
        "currency": o.currency, "status": o.financial_status, "cancelled": o.cancelled_at is not None,
        "test": o.test, "customer": o.email or (f"id:{o.customer_id}" if o.customer_id else f"guest:{o.id}"),
    } for o in orders])
    frame["day"] = pd.to_datetime(frame["created"], utc=True).dt.tz_convert(ZONE).dt.date.astype(str)
    frame["counts"] = (frame["status"].isin(SHOPIFY_COUNTED) & ~frame["cancelled"] & ~frame["test"]
                       & (frame["currency"] == currency) & (frame["refunded"] < frame["total"] - 0.005))
    frame["net"] = frame["total"] - frame["refunded"]
    return frame


def shopify_lines(orders: list[EmulatedOrder]) -> pd.DataFrame:
    return pd.DataFrame([{"order_id": str(o.id), "line": str(line.id), "quantity": line.quantity,
                          "product_type": line.product_type, "net_amount": line.discounted_total}
                         for o in orders for line in o.lines])


def woo_frame(raw_orders: list[dict[str, Any]]) -> pd.DataFrame:
    """WooCommerce's orders as its JSON says, with WooCommerce's statuses."""
    frame = pd.DataFrame([{
        "order_id": str(o["id"]), "created": o["date_created_gmt"] + "+00:00", "total": float(o["total"]),
        "refunded": -sum(float(r["total"]) for r in o["refunds"]), "status": o["status"],
        "customer": o["billing"]["email"] or (f"id:{o['customer_id']}" if o["customer_id"] else f"guest:{o['id']}"),
        "lines": len(o["line_items"]), "lines_total": sum(float(i["total"]) for i in o["line_items"]),
    } for o in raw_orders])
    frame["day"] = pd.to_datetime(frame["created"], utc=True).dt.tz_convert(ZONE).dt.date.astype(str)
    frame["counts"] = frame["status"].isin(WOO_COUNTED) & (frame["refunded"] < frame["total"] - 0.005)
    frame["net"] = frame["total"] - frame["refunded"]
    return frame


def stored_orders(db: Any, source: str) -> pd.DataFrame:
    return pd.DataFrame(list(db.query("SELECT * FROM orders WHERE source = ? ORDER BY order_id", [source])))


def table_dump(db: Any, table: str) -> list[dict[str, Any]]:
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]
    return list(db.query(f"SELECT * FROM {table} ORDER BY {', '.join(columns)}"))


def later(days: float) -> datetime:
    return NOW + timedelta(days=days)


def twin_databases(folder: Path) -> tuple[Path, Path]:
    """Two empty warehouse files with one salt, so their customer hashes can be compared."""
    from connectors.orders.store import salt
    from connectors.warehouse import open_database

    first, second = folder / "killed.db", folder / "clean.db"
    db = open_database(first)
    salt(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.copyfile(first, second)
    return first, second


def shop_sales_frames(orders: list[EmulatedOrder], currency: str = "EUR") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shop's sales as its platform would report them, from the emulator's own orders: one row per
    order (``day``, ``counts``, ``sold``, ``net``, ``gross``, ``refund``, ``discounts``, ``units``) and
    one per line item of a counted order (``title``, ``product_type``, ``quantity``, ``amount``).

    Sold = counted, or fully refunded but otherwise a sale (not cancelled, not a test, in the store's
    currency); a fully refunded order's refund is its whole total."""
    frame = shopify_frame(orders, currency)
    by_id = {str(o.id): o for o in orders}
    frame["discounts"] = [by_id[i].discounts for i in frame["order_id"]]
    frame["units"] = [sum(line.quantity for line in by_id[i].lines) for i in frame["order_id"]]
    frame["has_lines"] = [bool(by_id[i].lines) for i in frame["order_id"]]
    full = (frame["status"] == "refunded") | (frame["refunded"] >= frame["total"] - 0.005)
    frame["sold"] = frame["counts"] | (~frame["cancelled"] & ~frame["test"] & (frame["currency"] == currency) & full)
    frame["refund"] = frame["refunded"].where(frame["counts"], frame["total"])
    lines = pd.DataFrame([{"order_id": str(o.id), "title": line.title, "product_type": line.product_type,
                           "quantity": line.quantity, "amount": line.discounted_total}
                          for o in orders for line in o.lines])
    counted = frame.loc[frame["counts"], ["order_id", "day"]]
    return frame, lines.merge(counted, on="order_id")
