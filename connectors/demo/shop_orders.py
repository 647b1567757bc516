"""The demo shop's orders as its shop platform holds them: line items, customers, refunds, cancellations.

Consistent with the GA4 demo shop: each day has a few more orders than GA4 saw (consent
and ad blockers hide some from the tag), and on the planted tracking outage, when GA4 saw
almost none, all the orders it would have seen had the tag worked; about a third come from
returning customers, and baskets from a small catalogue of scooters, accessories and spare
parts, so the order totals average what GA4's AOV says.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from connectors.demo.shop import TIME_ZONE, DemoShop
from connectors.emulation.shop_model import EmulatedLine, EmulatedOrder, cancel, refund

UNTRACKED = 0.08  # the share of orders GA4 never sees (consent refused, ad blockers)
RETURNING = 0.35
ORDER_IDS = 5_100_000_000
LINE_IDS = 13_400_000_000
CUSTOMER_IDS = 7_200_000_000

# title, sku, price, product type, vendor, weight
CATALOGUE: tuple[tuple[str, str, float, str, str, float], ...] = (
    ("Monopattino City", "MN-CITY", 249.00, "Monopattini", "Velocità Srl", 0.03),
    ("Monopattino Sport", "MN-SPORT", 349.00, "Monopattini", "Velocità Srl", 0.012),
    ("Monopattino Pro", "MN-PRO", 549.99, "Monopattini", "Velocità Srl", 0.005),
    ("Casco", "AC-CASCO", 70.00, "Accessori", "Protezioni Italia", 0.12),
    ("Luce LED", "AC-LUCE", 19.90, "Accessori", "Lumina", 0.13),
    ("Borsa da manubrio", "AC-BORSA", 39.00, "Accessori", "Lumina", 0.10),
    ("Campanello", "AC-CAMP", 9.90, "Accessori", "Lumina", 0.09),
    ("Lucchetto", "SI-LUCC", 30.00, "Sicurezza", "Chiusure Sicure", 0.11),
    ("Catena antifurto", "SI-CATENA", 24.90, "Sicurezza", "Chiusure Sicure", 0.08),
    ("Camera d'aria", "RI-CAMERA", 12.50, "Ricambi", "RicambiMax", 0.12),
    ("Pneumatico 10\"", "RI-PNEU", 29.00, "Ricambi", "RicambiMax", 0.085),
    ("Caricatore", "RI-CARIC", 45.00, "Ricambi", "RicambiMax", 0.08),
)
PRODUCT_IDS = 8_800_000_000


def demo_shop_orders(shop: DemoShop, seed: int = 11) -> list[EmulatedOrder]:
    """Every order of the demo shop up to the day before its as-of day (deterministic)."""
    rng = np.random.default_rng(seed)
    zone, now = ZoneInfo(TIME_ZONE), _as_of_utc(shop)
    daily = orders_taken(shop)
    orders: list[EmulatedOrder] = []
    customers = _Customers(rng)
    for day, tracked in daily.items():
        local_day = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        draws = _DayDraws(rng, int(round(tracked / (1 - UNTRACKED))))
        for index in range(draws.count):
            moment = datetime.combine(local_day, time(8 + index % 15, int(draws.minutes[index])), zone)
            order = _order(draws, index, len(orders), moment.astimezone(UTC), customers)
            _fate(draws.fate[index], draws.later[index], order, now)
            orders.append(order)
    return orders


def orders_taken(shop: DemoShop) -> pd.Series:
    """The orders GA4 would have counted each day had its tag never failed (the shop took them all)."""
    if shop.orders_taken is not None:
        return shop.orders_taken
    return shop.sessions.groupby("date")["ecommercePurchases"].sum()


def _as_of_utc(shop: DemoShop) -> datetime:
    last = max(shop.sessions["date"])
    day = date(int(last[:4]), int(last[4:6]), int(last[6:])) + timedelta(days=1)
    return datetime.combine(day, time(6, 0), ZoneInfo(TIME_ZONE)).astimezone(UTC)


class _DayDraws:
    """One day's random draws, taken at once (drawing order by order is slow)."""

    def __init__(self, rng: np.random.Generator, count: int) -> None:
        weights = np.array([item[5] for item in CATALOGUE])
        self.count = count
        self.minutes = rng.integers(0, 60, size=count)
        self.sizes = 1 + rng.poisson(0.45, size=count)
        self.picks = rng.choice(len(CATALOGUE), size=int(self.sizes.sum()), p=weights / weights.sum())
        self.doubles = rng.random(int(self.sizes.sum())) < 0.1
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.discounted = rng.random(count) < 0.15
        self.pos = rng.random(count) < 0.05
        self.fate = rng.random(count)
        self.later = rng.uniform(0.5, 9, size=count)


class _Customers:
    """New and returning customers; some check out as guests, with or without an email."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng, self.count = rng, 0

    def pick(self) -> tuple[int | None, str | None]:
        draw, returning, which = self.rng.random(3)
        if draw < 0.04:
            return None, None  # a guest with no email: its own customer
        if self.count and returning < RETURNING:
            number = int(which * self.count)
        else:
            number, self.count = self.count, self.count + 1
        email = f"cliente{number}@example.it"
        return (None, email) if draw < 0.12 else (CUSTOMER_IDS + number, email)


def _order(draws: _DayDraws, index: int, number: int, created: datetime, customers: _Customers) -> EmulatedOrder:
    lines: list[EmulatedLine] = []
    for position in range(int(draws.offsets[index]), int(draws.offsets[index + 1])):
        pick = int(draws.picks[position])
        title, sku, price, kind, vendor, _ = CATALOGUE[pick]
        quantity = 2 if draws.doubles[position] else 1
        discount = round(quantity * price * 0.10, 2) if draws.discounted[index] else 0.0
        lines.append(EmulatedLine(LINE_IDS + number * 8 + len(lines), quantity, sku, title, PRODUCT_IDS + pick,
                                  kind, vendor, price, discount))
    customer_id, email = customers.pick()
    subtotal = sum(line.discounted_total for line in lines)
    return EmulatedOrder(ORDER_IDS + number, 1001 + number, created, created + timedelta(minutes=2), lines,
                         shipping=4.90 if subtotal < 50 else 0.0, customer_id=customer_id, email=email,
                         source_name="pos" if draws.pos[index] else "web")


def _fate(draw: float, days_later: float, order: EmulatedOrder, now: datetime) -> None:
    """Most orders are paid and stay so; a few are refunded (later), cancelled, unpaid or tests."""
    later = order.created_at + timedelta(days=float(days_later))
    if draw < 0.02:
        order.financial_status = "voided"
        cancel(order, order.created_at + timedelta(hours=3))
    elif draw < 0.05 and later < now:
        refund(order, order.total, later)
    elif draw < 0.09 and later < now:
        refund(order, order.lines[0].discounted_total / 2, later)
    elif draw < 0.10:
        order.financial_status = "pending"
    elif draw < 0.11:
        order.financial_status = "authorized"
    elif draw < 0.113:
        order.test = True


def synthetic_orders(count: int, start: datetime, lines_per_order: int = 3, seed: int = 5) -> list[EmulatedOrder]:
    """``count`` plain orders from ``start`` on, a few minutes apart, for benchmarks."""
    rng = np.random.default_rng(seed)
    prices = rng.gamma(4.0, 9.0, size=(count, lines_per_order)).round(2)
    customers = rng.integers(0, max(count // 3, 1), size=count)
    orders = []
    for index in range(count):
        created = start + timedelta(minutes=5 * index)
        lines = [EmulatedLine(LINE_IDS + index * 8 + n, 1, f"SKU-{n}", CATALOGUE[n][0], PRODUCT_IDS + n,
                              CATALOGUE[n][3], CATALOGUE[n][4], float(prices[index, n]))
                 for n in range(lines_per_order)]
        orders.append(EmulatedOrder(ORDER_IDS + index, 1001 + index, created, created, lines,
                                    customer_id=CUSTOMER_IDS + int(customers[index]),
                                    email=f"cliente{customers[index]}@example.it"))
    return orders
