"""The built-in demo shop's settings, used by `kpibot demo` and the emulator command."""

from __future__ import annotations

from datetime import time

from connectors.demo.shop import winter_sales
from kpi.settings import KlaviyoSettings, MetaAdsSettings, PlannedEvent, ShopifySettings, StoreSettings, Target

DEMO_PROPERTY = "100000001"
DEMO_META_ACCOUNT = "act_1234567890"
# The demo's orders come from the built-in Shopify emulator (`kpibot emulator --shopify-port` serves the same).
DEMO_SHOPIFY = ShopifySettings(shop="demo-shop.myshopify.com", token_env="SHOPIFY_TOKEN_DEMO")
# The demo shop runs the January sales every year; a real store lists each year's dates.
DEMO_EVENTS = tuple(PlannedEvent("Saldi invernali", *winter_sales(year)) for year in range(2020, 2036))


def demo_store(language: str = "it") -> StoreSettings:
    return StoreSettings(
        name="demo-shop", ga4_property=DEMO_PROPERTY, currency="EUR", timezone="Europe/Rome",
        language=language, channels=("C0DEMO",), digest_channel="C0DEMO", digest_time=time(8, 0),
        alert_channel="C0DEMO", margin=0.30, ltv_months=12,
        targets=(Target("cvr", min=0.015), Target("aov", min=60.0),
                 Target("revenue", min=360_000.0, period="month"),
                 Target("email_revenue_share", min=0.15, max=0.20)),
        country="IT", events=DEMO_EVENTS, shopify=DEMO_SHOPIFY,
        # its flows are named in Italian, so their roles are recognised without a flows table
        klaviyo=KlaviyoSettings("KLAVIYO_KEY_DEMO"), meta_ads=MetaAdsSettings(DEMO_META_ACCOUNT, "META_TOKEN_DEMO"),
    )
