"""Whether GA4 still sees the shop's orders: a day's tracking gap against its usual level.

The gap is ``tracking_gap`` on one day: 1 − GA4 orders / the shop's counted orders. Some
gap is normal (consent refused, ad blockers); a jump means the purchase tag or the consent
set-up broke. A day jumps when the shop had enough orders to tell, the gap rose at least
``JUMP`` above the median of the 28 days before, and by more than chance at that usual
rate explains (a binomial z-score on the untracked orders).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from kpi.answer import Period
from kpi.metric import Sum
from kpi.orders.shop import shop_part_sums
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

MEDIAN_DAYS = 28
MIN_ORDERS = 10  # fewer shop orders in a day cannot show that the tag broke
JUMP = 0.10  # the gap must rise at least 10 points above its median...
MIN_Z = 3.0  # ...and further than chance at the usual rate would take it
FLOOR = 0.02  # the usual rate is taken as at least 2%: a month of perfect tracking makes no single miss a jump


@dataclass(frozen=True)
class TrackingCheck:
    day: date
    ga4_orders: float
    shop_orders: float
    gap: float | None  # 1 − GA4 orders / shop orders; None when the shop had no orders
    median: float | None  # the median daily gap of the 28 days before; None without such days
    jumped: bool


def tracking_check(db: KpiReader, store: StoreSettings, day: date) -> TrackingCheck:
    """The tracking gap of ``day`` and whether it jumped against the 28 days before."""
    window = Period(day - timedelta(days=MEDIAN_DAYS), day)
    ga4 = db.sums(store.name, "sessions", "orders", window.start, window.end, by="date")
    shop = shop_part_sums(db, store, Sum("orders", "shop"), window, "date")
    key = day.isoformat()
    earlier = [_gap(ga4[d], n) for d, n in shop.items() if d != key and d in ga4 and n > 0]
    median = statistics.median(earlier) if earlier else None
    ga4_orders, shop_orders = ga4.get(key, 0.0), shop.get(key, 0.0)
    gap = _gap(ga4_orders, shop_orders) if shop_orders > 0 else None
    return TrackingCheck(day, ga4_orders, shop_orders, gap, median, _jumped(gap, median, ga4_orders, shop_orders))


def _gap(ga4_orders: float, shop_orders: float) -> float:
    return 1.0 - ga4_orders / shop_orders


def _jumped(gap: float | None, median: float | None, ga4_orders: float, shop_orders: float) -> bool:
    if gap is None or median is None or shop_orders < MIN_ORDERS or gap - median < JUMP:
        return False
    usual = min(max(median, FLOOR), 1.0 - FLOOR)
    untracked = shop_orders - ga4_orders
    z = (untracked - shop_orders * usual) / math.sqrt(shop_orders * usual * (1.0 - usual))
    return z >= MIN_Z
