"""The demo's marketing sources: the Klaviyo and Meta emulators in-process, synced through the real clients.

They sync in a thread of their own while GA4 syncs, with their own connection to the warehouse,
so they add next to nothing to the demo's time. Klaviyo's client keeps its real pacing (1 report
request a second, 2 a minute) on a simulated clock, and the demo says how long those limits make
the same backfill take against the real Klaviyo.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from connectors.demo.shop import DemoShop
from connectors.klaviyo.client import KlaviyoClient
from connectors.klaviyo.demo import build_klaviyo_demo
from connectors.klaviyo.emulator import KlaviyoState, serve_klaviyo
from connectors.klaviyo.sync import sync_klaviyo
from connectors.meta_ads.client import MetaAdsClient
from connectors.meta_ads.demo import build_meta_demo
from connectors.meta_ads.emulator import MetaState, serve_meta
from connectors.meta_ads.sync import sync_meta_ads
from connectors.pacing import Pacer, SimClock
from connectors.warehouse import open_database
from kpi.settings import StoreSettings

DEMO_KEY, DEMO_TOKEN = "pk_demo", "EAAdemo"  # the emulators accept any key; no secret is involved


@dataclass(frozen=True)
class MarketingSynced:
    klaviyo_rows: int
    klaviyo_reports: int  # report requests, the ones Klaviyo limits
    klaviyo_paced_s: float  # how long Klaviyo's 1/s and 2/min limits make them take for real
    meta_rows: int
    meta_requests: int

    def summary(self) -> str:
        return (f"Synced Klaviyo ({self.klaviyo_rows} flow and campaign rows in {self.klaviyo_reports} report "
                f"requests: {self.klaviyo_paced_s / 60:.0f} min at Klaviyo's 2 a minute, simulated here) and "
                f"Meta Ads ({self.meta_rows} rows in {self.meta_requests} requests) from their emulators.")


def start_marketing_sync(pool: ThreadPoolExecutor, db_path: Path, shop: DemoShop, store: StoreSettings, as_of: date,
                         now: Callable[[], datetime]) -> Future[MarketingSynced]:
    """Klaviyo and Meta, synced in the background into ``db_path`` (collect with ``.result()``)."""
    return pool.submit(_sync, db_path, shop, store, as_of, now)


def _sync(db_path: Path, shop: DemoShop, store: StoreSettings, as_of: date,
          now: Callable[[], datetime]) -> MarketingSynced:
    assert store.meta_ads is not None
    db = open_database(db_path)  # a connection of this thread's own
    clock = SimClock()
    try:
        with serve_klaviyo(KlaviyoState(build_klaviyo_demo(shop))) as url:
            client = KlaviyoClient(DEMO_KEY, url, key_env="the demo", pacer=Pacer(clock=clock, sleep=clock.sleep))
            klaviyo = sync_klaviyo(db, client, store, as_of, now=now)
        with serve_meta(MetaState(build_meta_demo(shop, store.currency), store.meta_ads.account_id, as_of)) as url:
            meta = sync_meta_ads(db, MetaAdsClient(DEMO_TOKEN, url, token_env="the demo", store=store.name), store,
                                 as_of, now=now)
    finally:
        db.close()
    return MarketingSynced(klaviyo.rows, klaviyo.report_requests, clock.now, meta.rows, meta.requests)


MARKETING_EXAMPLES = ("ad_cost last-30d by platform", "email_attributed_share last-30d by flow", "mer last-30d")


def marketing_config(store: StoreSettings) -> str:
    """The demo toml's ``[stores.klaviyo]`` and ``[stores.meta_ads]``: variables named, no secret."""
    assert store.klaviyo is not None and store.meta_ads is not None
    return (f'\n[stores.klaviyo]\nkey_env = "{store.klaviyo.key_env}"\n\n[stores.meta_ads]\n'
            f'account_id = "{store.meta_ads.account_id}"\ntoken_env = "{store.meta_ads.token_env}"\n')
