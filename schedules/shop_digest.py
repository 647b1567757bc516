"""The digest's shop section: the shop's own sales, and whether GA4 still sees its orders.

It runs every day for a store with a live shop source (Shopify or WooCommerce): the order
KPIs of the day against the same weekday last week and the 28-day average, the tracking
gap against its 28-day median (a jump means a broken tag or lost consent), and the orders
left out of every sum for their currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpi.answer import KpiLine
from kpi.orders.tracking import TrackingCheck, tracking_check
from kpi.reader import KpiReader
from kpi.service import headline
from kpi.settings import StoreSettings

# refund_rate is left out: yesterday's refunds have mostly not arrived yet, so the day always looks good.
SHOP_KPIS = ("shop_revenue", "shop_orders", "shop_aov", "items_per_order", "new_customers")


@dataclass(frozen=True)
class ShopDigest:
    kpis: list[KpiLine]
    tracking: TrackingCheck
    other_currency: dict[str, int]  # orders of the day left out of the sums, per currency


def build_shop_digest(db: KpiReader, store: StoreSettings, day: date) -> ShopDigest | None:
    """The shop section for ``day``, or None for a store with no live shop source."""
    if store.shopify is None and store.woocommerce is None:
        return None
    return ShopDigest(headline(db, store, day, SHOP_KPIS), tracking_check(db, store, day),
                      db.other_currency_orders(store.name, day, day))
