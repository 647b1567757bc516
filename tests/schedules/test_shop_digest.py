"""The digest's shop section and /kpi status for a store with a live Shopify source.

Orders go through the real Shopify emulator and client; GA4's daily orders are written as a GA4
sync writes them. The expected figures are plain arithmetic on the orders the test hands the
emulator (pandas, Shopify's rules in tests/support/shops.py), never kpibot's own sums.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from bot.i18n import t
from bot.render.digest import digest_lines
from bot.render.formatting import format_value
from bot.render.replies import status_text
from bot.replies import store_status
from connectors.warehouse import open_database, write_chunk
from kpi.settings import ShopifySettings, StoreSettings
from schedules.digest import build_digest
from schedules.shop_digest import build_shop_digest
from tests.support.shops import NOW, STORE, plain_order, shopify, shopify_frame, shopify_sync

DAY = date(2026, 11, 23)  # the digest's day: NOW is the morning after, in Rome
DAYS = 29  # the day and the 28 before it, whose median gap the day is judged against
PER_DAY = 20
USUAL_GA4 = 18  # GA4 sees 18 of the shop's 20 orders on an ordinary day: a 10% gap


def store(language: str = "en", shopify_source: bool = True) -> StoreSettings:
    shop = ShopifySettings("demo-shop.myshopify.com", "SHOPIFY_TOKEN_DEMO") if shopify_source else None
    return StoreSettings(name=STORE, ga4_property="1", language=language, shopify=shop)


def shop_orders():
    """PER_DAY orders a day for DAYS days (mid-morning in Rome), and one order in dollars on DAY."""
    orders = []
    for back in range(DAYS):
        noon = datetime.combine(DAY - timedelta(days=back), datetime.min.time(), UTC) + timedelta(hours=10)
        orders += [plain_order(back * 100 + n, noon + timedelta(minutes=n), 30.0 + n + back % 5)
                   for n in range(PER_DAY)]
    orders.append(plain_order(99_000, datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=15),
                              70.0, currency="USD"))
    return orders


def write_ga4_orders(db, ga4_orders: dict[date, int]) -> None:
    rows = [{"store": STORE, "date": day.isoformat(), "channel": "Direct", "device": "mobile", "visitor": "new",
             "sessions": 400, "engaged_sessions": 200, "orders": n, "revenue": 40.0 * n, "add_to_carts": 40,
             "checkouts": 30, "key_events": n} for day, n in ga4_orders.items()]
    first, last = min(ga4_orders), max(ga4_orders)
    write_chunk(db, "ga4_sessions", rows, {
        "store": STORE, "report": "sessions", "start_date": first.isoformat(), "end_date": last.isoformat(),
        "currency": "EUR", "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0, "sampled": 0,
        "rows": len(rows), "fetched_at": "2026-11-24T06:00:00+00:00"})


@pytest.fixture(scope="module")
def synced():
    orders = shop_orders()
    db = open_database()
    with shopify(orders) as (running, clock):
        shopify_sync(db, running, clock)
    return db, shopify_frame(orders)


def ga4_days(day_orders: int) -> dict[date, int]:
    return {DAY - timedelta(days=back): (day_orders if back == 0 else USUAL_GA4) for back in range(DAYS)}


@pytest.mark.parametrize(("ga4_on_the_day", "jumps"), [(9, True), (17, False), (USUAL_GA4, False)])
def test_the_tracking_gap_of_the_day_is_judged_against_the_usual_gap(synced, ga4_on_the_day, jumps):
    db, frame = synced
    write_ga4_orders(db, ga4_days(ga4_on_the_day))
    shop_count = int(frame[(frame["day"] == DAY.isoformat()) & frame["counts"]].shape[0])
    check = build_shop_digest(db, store(), DAY).tracking
    assert shop_count == PER_DAY  # the dollar order is kept but is not one of the shop's orders
    assert (check.ga4_orders, check.shop_orders) == (ga4_on_the_day, shop_count)
    assert math.isclose(check.gap, 1 - ga4_on_the_day / shop_count)
    assert math.isclose(check.median, 1 - USUAL_GA4 / PER_DAY)
    assert check.jumped is jumps


def test_a_jump_gets_a_warning_that_says_what_to_check_in_the_stores_language(synced):
    db, frame = synced
    write_ga4_orders(db, ga4_days(9))
    for language in ("en", "it"):
        lines = digest_lines(build_digest(db, store(language), DAY + timedelta(days=1)))
        heading = lines.index(f"*{t('digest_shop', language)}*")
        section = lines[heading:lines.index(f"*{t('digest_targets', language)}*")]
        warning = next(line for line in section if line.startswith(":warning:"))
        ratio = format_value(1 - 9 / PER_DAY, "ratio", "", language)
        assert ratio in warning and format_value(1 - USUAL_GA4 / PER_DAY, "ratio", "", language) in warning
        assert ("purchase tag" if language == "en" else "tag di acquisto") in warning


def test_the_shop_section_shows_net_sales_of_the_day_and_names_the_dollar_order(synced):
    db, frame = synced
    write_ga4_orders(db, ga4_days(USUAL_GA4))
    shop = build_shop_digest(db, store(), DAY)
    day = frame[(frame["day"] == DAY.isoformat()) & frame["counts"]]
    revenue = next(line for line in shop.kpis if line.metric == "shop_revenue")
    assert math.isclose(revenue.value, day["net"].sum(), rel_tol=1e-9)
    assert shop.other_currency == {"USD": 1}
    lines = digest_lines(build_digest(db, store(), DAY + timedelta(days=1)))
    assert not any(line.startswith(":warning:") and "tracking" in line.lower() for line in lines)
    assert any("USD" in line and "1 order" in line for line in lines)


def test_a_store_without_a_shop_source_has_no_shop_section(synced):
    db, _ = synced
    write_ga4_orders(db, ga4_days(USUAL_GA4))
    assert build_shop_digest(db, store(shopify_source=False), DAY) is None
    lines = digest_lines(build_digest(db, store(shopify_source=False), DAY + timedelta(days=1)))
    assert f"*{t('digest_shop', 'en')}*" not in lines


def test_status_says_when_shopify_last_synced_and_how_far_its_orders_reach(synced):
    db, frame = synced
    status = store_status(db, store())
    [shop] = status.shops
    synced_local = pd.Timestamp(NOW).tz_convert("Europe/Rome").strftime("%Y-%m-%d %H:%M")
    assert (shop.platform, shop.synced, shop.orders_through) == ("Shopify", synced_local, frame["day"].max())
    assert f"Shopify: last synced {synced_local}, orders up to {frame['day'].max()}" in status_text(status, "en")
    assert "ultima sincronizzazione" in status_text(status, "it")
    never = store_status(open_database(), store())
    assert "Shopify: not synced yet: run kpibot sync" in status_text(never, "en")
    assert store_status(db, store(shopify_source=False)).shops == ()
