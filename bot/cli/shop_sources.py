"""Wiring the shop sources of a store: clients from the environment, then the connector's sync.

Part of the composition root: the only place besides ``bot/cli/main.py`` commands that reads
the environment for shops. The config names the variables; their values stay here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from connectors.ga4.fetch import RetryPolicy
from connectors.orders.shop_store import Destination
from connectors.orders.shop_sync import ShopSyncResult
from connectors.shopify.client import ShopifyAccess, ShopifyClient
from connectors.shopify.sync import sync_shopify
from connectors.warehouse import Warehouse
from connectors.woocommerce.client import WooCommerceAccess, WooCommerceClient
from connectors.woocommerce.sync import sync_woocommerce
from kpi.settings import StoreSettings

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient
    from connectors.woocommerce.client import WooCommerceClient

PLATFORMS = {"shopify": "Shopify", "woocommerce": "WooCommerce"}


class ShopSetupError(Exception):
    exit_code = 2


def shop_sources(store: StoreSettings) -> list[str]:
    return [name for name, configured in (("shopify", store.shopify), ("woocommerce", store.woocommerce))
            if configured]


def _secret(environ: Mapping[str, str], variable: str, what: str, section: str) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise ShopSetupError(f"{variable} is not set: export it with {what} (see '{section}' in the README); "
                             "'kpibot check-config' lists every missing variable")
    return value


def shopify_client(store: StoreSettings, environ: Mapping[str, str],
                   retry: RetryPolicy | None = None) -> ShopifyClient:

    config = store.shopify
    assert config is not None
    token = _secret(environ, config.token_env, f"the Admin API access token of {config.shop}", "Connect Shopify")
    endpoint = environ.get("KPIBOT_SHOPIFY_ENDPOINT", "").strip() or f"https://{config.shop}"
    return ShopifyClient(ShopifyAccess(store.name, config.shop, endpoint, token, config.token_env), retry)


def woocommerce_client(store: StoreSettings, environ: Mapping[str, str],
                       retry: RetryPolicy | None = None) -> WooCommerceClient:

    config = store.woocommerce
    assert config is not None
    key = _secret(environ, config.key_env, f"the consumer key (ck_...) of {config.url}", "Connect WooCommerce")
    secret = _secret(environ, config.secret_env, f"the consumer secret (cs_...) of {config.url}",
                     "Connect WooCommerce")
    endpoint = environ.get("KPIBOT_WOOCOMMERCE_ENDPOINT", "").strip() or config.url
    return WooCommerceClient(WooCommerceAccess(store.name, config.url, endpoint, key, secret, config.key_env,
                                               config.secret_env), retry)


def sync_shop_source(db: Warehouse, store: StoreSettings, source: str, environ: Mapping[str, str], now: datetime,
                     since: date | None = None, until: date | None = None,
                     retry: RetryPolicy | None = None) -> ShopSyncResult:
    """One shop source of one store, synced; raises an error with ``exit_code`` when it fails."""
    destination = Destination.of(db, store.name, source, store.timezone, store.currency)
    if source == "shopify":

        return sync_shopify(db, shopify_client(store, environ, retry), destination, now=now, since=since,
                            until=until)

    return sync_woocommerce(db, woocommerce_client(store, environ, retry), destination, now=now, since=since,
                            until=until)


def summary(result: ShopSyncResult) -> str:
    what = {"backfill": "whole history", "incremental": "changes", "range": "orders created in the range"}
    return (f"{result.store}: {PLATFORMS[result.source]} ({what[result.mode]}): {result.orders} order(s), "
            f"{result.lines} line item(s) in {result.requests} request(s)")
