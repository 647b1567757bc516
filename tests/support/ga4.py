"""Test support: the GA4 emulator with the official client, and synced demo warehouses."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.demo.orders_csv import write_demo_orders
from connectors.demo.shop import DemoShop, build_demo_shop
from connectors.demo.version import demo_data_version
from connectors.engine.database import Database
from connectors.ga4.client import build_client
from connectors.ga4.emulator.server import RunningEmulator, serve_emulator
from connectors.ga4.fetch import RetryPolicy
from connectors.ga4.sync import sync_store
from connectors.orders.importer import import_file
from connectors.warehouse import open_database
from connectors.warehouse_copy import copy_warehouse
from tests.support.engines import fresh_schema
from tests.support.paths import DEMO_DBS

STORE = "demo-shop"
PROPERTY = "100000001"
AS_OF = date(2026, 11, 24)


def no_sleep_retry() -> RetryPolicy:
    return RetryPolicy(sleep=lambda seconds: None)


def fixed_clock() -> datetime:
    return datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@contextmanager
def emulator(shop: DemoShop, property_id: str | None = None) -> Iterator[tuple[RunningEmulator, Any]]:
    with serve_emulator(shop, property_id=property_id) as running:
        yield running, build_client({"KPIBOT_GA4_ENDPOINT": running.url})


def sync_all(db: Database, client: Any, start: date, end: date, **kwargs: Any) -> Any:
    kwargs.setdefault("retry", no_sleep_retry())
    return sync_store(db, client, STORE, PROPERTY, start, end, clock=fixed_clock, **kwargs)


def demo_shop(as_of: date = AS_OF, days: int = 400, planted: bool = True) -> DemoShop:
    return _demo_shop(as_of, days, planted)  # one cache entry whether the defaults are spelled out or not


@lru_cache(maxsize=8)
def _demo_shop(as_of: date, days: int, planted: bool) -> DemoShop:
    return build_demo_shop(as_of, days, planted)


# A cached warehouse is only reused while the demo shop that filled it is unchanged.
_SHOP_VERSION = demo_data_version()


def synced_demo_db(path: Path, as_of: date = AS_OF, days: int = 400, planted: bool = True,
                   orders: bool = False) -> Database:
    """A warehouse with the demo shop synced through the real client (cached per worker); with ``orders``,
    the demo shop's order export imported too, as `kpibot demo` does."""
    cached = DEMO_DBS / f"demo-{as_of}-{days}-{int(planted)}-{int(orders)}-{_SHOP_VERSION}.db"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(f".{datetime.now().timestamp()}.tmp")
        db = open_database(building)
        with emulator(demo_shop(as_of, days, planted)) as (_, client):
            sync_all(db, client, as_of - timedelta(days=days), as_of - timedelta(days=1))
        if orders:
            export = building.with_suffix(".csv")
            write_demo_orders(demo_shop(as_of, days, planted), export)
            import_file(db, export, STORE, "Europe/Rome", "EUR")
            export.unlink()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        building.replace(cached)
    shutil.copyfile(cached, path)
    return open_database(path)


def demo_frames(as_of: date = AS_OF, days: int = 400, planted: bool = True) -> dict[str, pd.DataFrame]:
    """The emulator's own rows with ISO dates and warehouse column names, for independent sums."""
    shop = demo_shop(as_of, days, planted)
    renames = {"sessionDefaultChannelGroup": "channel", "deviceCategory": "device",
               "newVsReturning": "visitor", "engagedSessions": "engaged_sessions",
               "ecommercePurchases": "orders", "purchaseRevenue": "revenue", "addToCarts": "add_to_carts",
               "keyEvents": "key_events", "totalUsers": "total_users", "newUsers": "new_users",
               "activeUsers": "active_users", "sessionCampaignName": "campaign",
               "advertiserAdCost": "ad_cost", "advertiserAdClicks": "ad_clicks",
               "advertiserAdImpressions": "ad_impressions"}
    out = {}
    for name, frame in (("sessions", shop.sessions), ("users", shop.users), ("ads", shop.ads)):
        frame = frame.rename(columns=renames).copy()
        frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
        out[name] = frame
    return out


@contextmanager
def synced_demo_location(engine: str, folder: Path, as_of: date = AS_OF, days: int = 400,
                         planted: bool = True) -> Iterator[Path | str]:
    """Where a synced demo warehouse is, on ``engine``: the cached SQLite copy, or that copy moved into a
    fresh PostgreSQL schema the way ``kpibot migrate-db`` moves it (the same emulator rows on both)."""
    path = folder / "kpibot.db"
    synced_demo_db(path, as_of, days, planted).close()
    if engine == "sqlite":
        yield path
        return
    with fresh_schema() as url:
        source, target = open_database(path), open_database(url)
        copy_warehouse(source, target)
        source.close()
        target.close()
        yield url
