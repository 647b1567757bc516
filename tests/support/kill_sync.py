"""Run a source's sync and kill this process at a chosen write: the children of the kill -9 tests.

    python -m tests.support.kill_sync klaviyo|meta URL DB N
        SIGKILL inside the Nth write transaction, before COMMIT
    python -m tests.support.kill_sync shopify URL DB between_batches|inside_transaction
        os._exit(9) as the third batch of 300 orders starts, or after its statements ran but before COMMIT
    python -m tests.support.kill_sync woocommerce URL DB N
        os._exit(9) as the Nth page's batch starts

No cleanup, no rollback, no ``finally`` runs: exactly what a power cut or the OOM killer does.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import connectors.orders.shop_store as shop_store
import connectors.orders.shop_sync as shop_sync
from connectors.engine.database import Database
from connectors.klaviyo.sync import sync_klaviyo
from connectors.meta_ads.sync import sync_meta_ads
from connectors.shopify.client import ShopifyAccess, ShopifyClient
from connectors.shopify.sync import sync_shopify
from connectors.warehouse import open_database
from connectors.woocommerce.sync import sync_woocommerce
from tests.support.ga4 import AS_OF
from tests.support.marketing import KLAVIYO, META, Recorder, fixed_now, klaviyo_client, meta_client
from tests.support.shops import NOW, SHOP, STORE, TOKEN, destination, woo_client


def marketing(source: str, url: str, db: Database, kill_at: int) -> None:
    calls = 0

    def checkpoint(label: str) -> None:
        nonlocal calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    if source == "klaviyo":
        sync_klaviyo(db, klaviyo_client(url, Recorder()), KLAVIYO, AS_OF, now=fixed_now, checkpoint=checkpoint)
    else:
        sync_meta_ads(db, meta_client(url, Recorder()), META, AS_OF, now=fixed_now, checkpoint=checkpoint)


def shopify(url: str, db: Database, point: str) -> None:
    writes = 0
    write_batch, transaction = shop_store.write_batch, shop_store.transaction

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        writes += 1
        if point == "between_batches" and writes == 3:
            os._exit(9)  # two batches committed, the third never started
        return write_batch(*args, **kwargs)

    @contextmanager
    def dying(db: Database) -> Iterator[None]:
        with transaction(db):
            yield
            if point == "inside_transaction" and writes == 3:
                os._exit(9)  # the third batch's statements ran; no COMMIT

    shop_store.write_batch, shop_store.transaction = counting, dying  # type: ignore[assignment]
    shop_sync.write_batch = counting  # type: ignore[assignment]
    client = ShopifyClient(ShopifyAccess(STORE, SHOP, url, TOKEN, "SHOPIFY_TOKEN_DEMO"))
    sync_shopify(db, client, destination(db, "shopify"), now=NOW, batch_rows=300)


def woocommerce(url: str, db: Database, kill_at: int) -> None:
    write_batch, pages = shop_sync.write_batch, 0

    def dies_on_that_page(*args: Any, **kwargs: Any) -> Any:
        nonlocal pages
        pages += 1
        if pages == kill_at:
            os._exit(9)
        return write_batch(*args, **kwargs)

    shop_sync.write_batch = dies_on_that_page  # type: ignore[assignment]
    sync_woocommerce(db, woo_client(url), destination(db, "woocommerce"), now=NOW)


def main(source: str, url: str, path: str, point: str) -> None:
    db = open_database(Path(path))
    if source == "shopify":
        shopify(url, db, point)
    elif source == "woocommerce":
        woocommerce(url, db, int(point))
    else:
        marketing(source, url, db, int(point))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])
