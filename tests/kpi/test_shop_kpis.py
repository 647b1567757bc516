"""The shop's own sales KPIs against independent pandas on the Shopify emulator's orders.

The orders go through the real client and sync into the warehouse; the expectations are
computed from the emulator's own order objects with Shopify's rules (tests/support/shops.py),
never from stored rows or kpibot's code.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from bot.i18n import caveat_text, query_error_text
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import breakdown, metric_value
from kpi.query.parser import QueryError, parse
from kpi.service import answer
from kpi.settings import StoreSettings
from tests.support.shops import NOW, STORE, demo_orders, plain_order, shop_sales_frames, shopify, shopify_sync

SHOP = StoreSettings(name=STORE, ga4_property="1")
AS_OF = date(2026, 11, 24)
PERIODS = [("2026-08-01", "2026-08-31"), ("2026-09-01", "2026-09-07"), ("2026-10-15", "2026-11-23"),
           ("2026-11-20", "2026-11-20")]


def _planted(orders):
    """A few orders the demo shop lacks: one in dollars, one PAID whose refunds reach its total."""
    usd = plain_order(1, NOW - timedelta(days=10), 80.0, currency="USD")
    paid_but_refunded = plain_order(2, NOW - timedelta(days=11), 45.0)
    paid_but_refunded.refunds.append(45.0)  # Shopify may leave it PAID: the amounts say it is fully refunded
    return [*orders, usd, paid_but_refunded]


@pytest.fixture(scope="module")
def shop():
    orders = _planted(demo_orders(120))
    db = open_database()
    with shopify(orders) as (running, clock):
        shopify_sync(db, running, clock)
    frame, lines = shop_sales_frames(orders)
    return db, frame, lines


def inside(frame: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return frame[(frame["day"] >= start) & (frame["day"] <= end)]


def expected(frame: pd.DataFrame, metric: str) -> float:
    counted, sold = frame[frame["counts"]], frame[frame["sold"]]
    return {
        "shop_revenue": lambda: counted["net"].sum(),
        "shop_orders": lambda: float(len(counted)),
        "shop_aov": lambda: counted["net"].sum() / len(counted),
        "refund_rate": lambda: sold["refund"].sum() / sold["total"].sum(),
        "discount_rate": lambda: sold["discounts"].sum() / (sold["total"] + sold["discounts"]).sum(),
        "shop_units": lambda: float(counted["units"].sum()),
        "items_per_order": lambda: counted["units"].sum() / counted["has_lines"].sum(),
    }[metric]()


def value(db, metric: str, start: str, end: str) -> float | None:
    return metric_value(db, SHOP, BY_NAME[metric], Period(date.fromisoformat(start), date.fromisoformat(end)))


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p[0]}..{p[1]}")
@pytest.mark.parametrize("metric", ["shop_revenue", "shop_orders", "shop_aov", "refund_rate", "discount_rate",
                                    "shop_units", "items_per_order"])
def test_each_shop_kpi_is_what_pandas_computes_from_the_emulators_orders(shop, metric, period):
    db, frame, _ = shop
    want = expected(inside(frame, *period), metric)
    assert want > 0 or metric != "shop_revenue"
    assert math.isclose(value(db, metric, *period), want, rel_tol=1e-9)


def test_the_planted_orders_land_where_the_rules_say(shop):
    db, frame, _ = shop
    day = (NOW - timedelta(days=11)).date().isoformat()
    refunded = frame[frame["order_id"] == "10002"].iloc[0]
    assert refunded["sold"] and not refunded["counts"] and refunded["refund"] == 45.0
    assert frame[frame["currency"] == "USD"]["sold"].sum() == 0
    # the PAID order whose refunds reach its total counts in the refund rate with its whole total
    assert value(db, "refund_rate", day, day) >= 45.0 / inside(frame, day, day)[lambda f: f["sold"]]["total"].sum()


@pytest.mark.parametrize("period", PERIODS[:3], ids=lambda p: f"{p[0]}..{p[1]}")
@pytest.mark.parametrize("split", ["product", "product_type"])
def test_by_product_and_product_type_split_line_items_as_pandas_does(shop, split, period):
    db, _, lines = shop
    rows = inside(lines, *period).groupby("title" if split == "product" else "product_type")
    want = {
        "shop_revenue": rows["amount"].sum(),
        "shop_orders": rows["order_id"].nunique().astype(float),
        "shop_aov": rows["amount"].sum() / rows["order_id"].nunique(),
        "shop_units": rows["quantity"].sum().astype(float),
        "items_per_order": rows["quantity"].sum() / rows["order_id"].nunique(),
    }
    span = Period(date.fromisoformat(period[0]), date.fromisoformat(period[1]))
    for metric, series in want.items():
        got = breakdown(db, SHOP, BY_NAME[metric], span, split)
        assert {row.key: row.value for row in got} == pytest.approx(series.to_dict(), rel=1e-9)
        assert [row.value for row in got] == sorted((row.value for row in got), reverse=True)
    assert len(want["shop_revenue"]) >= (8 if split == "product" else 4)


def test_an_answer_by_product_says_the_rows_do_not_add_up_to_net_sales(shop):
    db, frame, lines = shop
    result = answer(db, SHOP, parse("fatturato negozio 2026-08 per prodotto"), AS_OF)
    assert result.metric == "shop_revenue" and [row.key for row in result.breakdown][0] == \
        inside(lines, "2026-08-01", "2026-08-31").groupby("title")["amount"].sum().idxmax()
    assert "product_lines" in [c.code for c in result.caveats]
    assert sum(row.value for row in result.breakdown) != pytest.approx(result.value)  # shipping, refunds
    assert "refunds" in caveat_text(next(c for c in result.caveats if c.code == "product_lines"), "en")


@pytest.mark.parametrize("text", ["refund_rate last-30d by product",
                                  "tasso di sconto ultimi 30 giorni per tipo prodotto"])
def test_refunds_and_discounts_cannot_be_split_by_product_and_the_error_says_which_can(shop, text):
    db, _, _ = shop
    with pytest.raises(QueryError) as raised:
        answer(db, SHOP, parse(text), AS_OF)
    assert raised.value.code.startswith("cannot_split_product")
    for language in ("en", "it"):
        words = query_error_text(raised.value, language)
        assert all(name in words for name in ("shop_revenue", "shop_units", "items_per_order", "by product"))


def test_orders_in_another_currency_are_named_with_their_count_in_every_order_answer(shop):
    db, frame, _ = shop
    day = (NOW - timedelta(days=10)).date()
    for text in (f"shop_revenue {day}", f"customers {day}", f"ordini-negozio {day - timedelta(days=3)}..{day}"):
        result = answer(db, SHOP, parse(text), AS_OF)
        caveat = next(c for c in result.caveats if c.code == "other_currency")
        assert caveat.params == {"currency": "USD", "count": 1, "store_currency": "EUR"}
        assert "1 order(s) in USD" in caveat_text(caveat, "en") and "1 ordini in USD" in caveat_text(caveat, "it")
    result = answer(db, SHOP, parse(f"shop_revenue {day}"), AS_OF)
    assert math.isclose(result.value, expected(inside(frame, day.isoformat(), day.isoformat()), "shop_revenue"))
    before = answer(db, SHOP, parse(f"shop_revenue {day - timedelta(days=30)}"), AS_OF)
    assert "other_currency" not in [c.code for c in before.caveats]


def test_a_shop_kpi_answer_carries_no_ga4_caveats_and_says_when_there_are_no_orders(shop):
    db, _, _ = shop
    codes = [c.code for c in answer(db, SHOP, parse("shop_revenue last-7d"), AS_OF).caveats]
    assert not {"provisional", "missing_days", "no_data"} & set(codes)
    empty = answer(open_database(), SHOP, parse("shop_aov last-7d"), AS_OF)
    assert empty.value is None and "no_orders" in [c.code for c in empty.caveats]


@pytest.mark.parametrize(("text", "canonical"), [
    ("quanto abbiamo fatturato nel negozio ieri", "shop_revenue yesterday"),
    ("fatturato-negozio ultimi 30 giorni per prodotto", "shop_revenue last-30d by product"),
    ("ordini negozio settimana scorsa per tipo prodotto", "shop_orders last-week by product_type"),
    ("scontrino medio negozio questo mese per categoria", "shop_aov mtd by product_type"),
    ("tasso di rimborso mese scorso", "refund_rate last-month"),
    ("sconti da inizio anno", "discount_rate ytd"),
    ("articoli per ordine ultimi 7 giorni", "items_per_order last-7d"),
    ("pezzi venduti ultimi 30 giorni per prodotto", "shop_units last-30d by product"),
    ("units sold last month by product type", "shop_units last-month by product_type"),
    ("net sales last 30 days by products", "shop_revenue last-30d by product"),
    ("items per order last week", "items_per_order last-week"),
    ("shop_aov last-30d by product_type", "shop_aov last-30d by product_type"),
])
def test_the_shop_kpis_and_splits_read_in_both_languages(text, canonical):
    query = parse(text)
    assert query.canonical() == canonical and parse(canonical) == query
