"""Test support: the Klaviyo and Meta emulators with the real clients on a simulated clock."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.demo.orders_csv import write_demo_orders
from connectors.demo.version import demo_data_version
from connectors.klaviyo.client import KlaviyoClient
from connectors.klaviyo.demo import KlaviyoDemo, build_klaviyo_demo
from connectors.klaviyo.emulator import KlaviyoState, serve_klaviyo
from connectors.klaviyo.sync import sync_klaviyo
from connectors.meta_ads.client import MetaAdsClient
from connectors.meta_ads.demo import MetaDemo, build_meta_demo
from connectors.meta_ads.emulator import MetaState, serve_meta
from connectors.meta_ads.sync import sync_meta_ads
from connectors.orders.importer import import_file
from connectors.pacing import Pacer, RetryPolicy, SimClock
from connectors.warehouse import Warehouse, open_database
from kpi.settings import KlaviyoSettings, MetaAdsSettings, StoreSettings
from tests.support.ga4 import AS_OF, demo_shop, synced_demo_db
from tests.support.paths import DEMO_DBS, ROOT

STORE = "demo-shop"
ACCOUNT = "act_1234567890"
KLAVIYO = StoreSettings(STORE, "100000001", klaviyo=KlaviyoSettings("KLAVIYO_KEY_TEST"))
META = StoreSettings(STORE, "100000001", meta_ads=MetaAdsSettings(ACCOUNT, "META_TOKEN_TEST"))


def fixed_now() -> datetime:
    return datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@lru_cache(maxsize=4)
def _klaviyo_demo(days: int, flows: int, per_month: tuple[int, int]) -> KlaviyoDemo:
    return build_klaviyo_demo(demo_shop(AS_OF, days), flows, per_month)


def klaviyo_demo(days: int = 400, flows: int = 8, per_month: tuple[int, int] = (6, 2)) -> KlaviyoDemo:
    """A fresh copy (tests rename flows) of a cached demo account."""
    cached = _klaviyo_demo(days, flows, per_month)
    return KlaviyoDemo(cached.flows.copy(), cached.flow_days, cached.campaigns, cached.metrics, cached.time_zone)


@lru_cache(maxsize=4)
def meta_demo(days: int = 400, currency: str = "EUR") -> MetaDemo:
    return build_meta_demo(demo_shop(AS_OF, days), currency)


@dataclass
class Recorder:
    """Sleeps recorded, never slept; with a SimClock the simulated time moves instead."""

    clock: SimClock = field(default_factory=SimClock)
    retry_sleeps: list[float] = field(default_factory=list)

    def retry_sleep(self, seconds: float) -> None:
        self.retry_sleeps.append(seconds)
        self.clock.sleep(seconds)


def klaviyo_client(url: str, recorder: Recorder, key: str = "pk_" + "test", **options: Any) -> KlaviyoClient:
    return KlaviyoClient(key, url, key_env="KLAVIYO_KEY_TEST",
                         pacer=Pacer(clock=recorder.clock, sleep=recorder.clock.sleep),
                         retry=RetryPolicy(sleep=recorder.retry_sleep), **options)


def meta_client(url: str, recorder: Recorder, token: str = "EAA" + "testtoken") -> MetaAdsClient:
    return MetaAdsClient(token, url, token_env="META_TOKEN_TEST", store=STORE,
                         retry=RetryPolicy(base_delay=30.0, max_delay=300.0, sleep=recorder.retry_sleep))


@contextmanager
def klaviyo_emulator(demo: KlaviyoDemo | None = None, **options: Any) -> Iterator[tuple[str, KlaviyoState]]:
    state = KlaviyoState(demo or klaviyo_demo(), **options)
    with serve_klaviyo(state) as url:
        yield url, state


@contextmanager
def meta_emulator(demo: MetaDemo | None = None, **options: Any) -> Iterator[tuple[str, MetaState]]:
    state = MetaState(demo or meta_demo(), ACCOUNT, AS_OF, **options)
    with serve_meta(state) as url:
        yield url, state


def in_period(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return frame[(frame["date"] >= start.isoformat()) & (frame["date"] <= end.isoformat())]


# A warehouse with the demo shop's GA4 days, its Klaviyo account and its Meta account synced through
# the real clients and emulators, and (unless orders=False) its order export imported: built once, kept
# beside synced_demo_db's and copied as those are, until any connector's code changes.
MARKETING_STORE = StoreSettings(STORE, "100000001", klaviyo=KlaviyoSettings("KLAVIYO_KEY_TEST"),
                                meta_ads=MetaAdsSettings(ACCOUNT, "META_TOKEN_TEST"))


@lru_cache(maxsize=1)
def _connectors_version() -> str:
    """The Klaviyo and Meta demo accounts and every sync and import live in connectors/: a hash of all of it."""
    digest = hashlib.sha256()
    for source in sorted((ROOT / "connectors").rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def synced_marketing_db(path: Path, *, orders: bool = True, meta_currency: str = "EUR") -> Warehouse:
    cached = DEMO_DBS / f"marketing-{AS_OF}-{int(orders)}-{meta_currency}-{_connectors_version()}.db"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(f".{os.getpid()}.tmp")  # workers may build it at once: replace is atomic
        if orders:  # the same warehouse, plus the order export
            db = synced_marketing_db(building, orders=False, meta_currency=meta_currency)
            import_file(db, demo_orders_csv(), STORE, MARKETING_STORE.timezone, MARKETING_STORE.currency)
        else:
            db = synced_demo_db(building)
            with klaviyo_emulator() as (url, _):
                sync_klaviyo(db, klaviyo_client(url, Recorder()), MARKETING_STORE, AS_OF, now=fixed_now)
            with meta_emulator(meta_demo(currency=meta_currency)) as (url, _):
                sync_meta_ads(db, meta_client(url, Recorder()), MARKETING_STORE, AS_OF, now=fixed_now)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        building.replace(cached)
    shutil.copyfile(cached, path)
    return open_database(path)


def demo_orders_frame(path: Path) -> pd.DataFrame:
    """The demo export's orders that count (paid), with their local day: independent of the importer."""
    frame = pd.read_csv(path)
    frame = frame[frame["status"] == "paid"].copy()
    frame["date"] = frame["created_at"].str[:10]
    return frame


def demo_orders_csv() -> Path:
    """The demo shop's order export, as the marketing warehouse imported it."""
    path = Path(tempfile.gettempdir()) / f"kpibot-demo-orders-{AS_OF}-{demo_data_version()}.csv"
    if not path.exists():
        writing = path.with_suffix(f".{os.getpid()}.tmp")  # workers may write it at once: replace is atomic
        write_demo_orders(demo_shop(AS_OF, 400), writing)
        writing.replace(path)
    return path
