"""SPEC §7.1 worked examples, through the real catalogue and warehouse."""

from __future__ import annotations

import math
from datetime import date

import pytest

from connectors.warehouse import open_database, write_chunk
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.settings import StoreSettings

STORE = StoreSettings(name="s", ga4_property="1")
DAY = date(2026, 5, 4)
PERIOD = Period(DAY, DAY)


def shop(orders: int, revenue: float, ad_cost: float):
    db = open_database()
    chunk = {"store": "s", "start_date": DAY.isoformat(), "end_date": DAY.isoformat(), "currency": "EUR",
             "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0, "sampled": 0, "rows": 1,
             "fetched_at": "x"}
    write_chunk(db, "ga4_sessions", [{"store": "s", "date": DAY.isoformat(), "channel": "Paid Search",
                                      "device": "mobile", "visitor": "new", "sessions": 1000,
                                      "engaged_sessions": 600, "orders": orders, "revenue": revenue,
                                      "add_to_carts": 90, "checkouts": 40, "key_events": orders}],
                {**chunk, "report": "sessions"})
    write_chunk(db, "ga4_ads", [{"store": "s", "date": DAY.isoformat(), "channel": "Paid Search",
                                 "campaign": "c", "ad_cost": ad_cost, "ad_clicks": 500, "ad_impressions": 9000}],
                {**chunk, "report": "ads"})
    return db


@pytest.mark.parametrize("orders, revenue, cost, roi", [
    (25, 25 * 100.0, 3_000.0, -0.1667),  # strategy 1, first orders
    (25, 10_500.0, 3_000.0, 2.50),  # strategy 1, on LTV
    (5, 5 * 100.0, 300.0, 0.6667),  # strategy 2, first orders
    (5, 600.0, 300.0, 1.00),  # strategy 2, on LTV (the seed printed 66% having used 500)
])
def test_roi_strategies(orders, revenue, cost, roi):
    db = shop(orders, revenue, cost)
    assert round(metric_value(db, STORE, BY_NAME["roi"], PERIOD), 4) == roi
    assert math.isclose(metric_value(db, STORE, BY_NAME["roas"], PERIOD), revenue / cost)


def test_scooter_aov():
    """Three scooters at 249, 349 and 549.99 with an AOV of 279: mostly single cheap-scooter orders."""
    db = shop(10, 2_790.0, 100.0)
    assert metric_value(db, STORE, BY_NAME["aov"], PERIOD) == 279.0
    assert 249 < metric_value(db, STORE, BY_NAME["aov"], PERIOD) < (249 + 349 + 549.99) / 3
