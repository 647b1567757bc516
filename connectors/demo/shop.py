"""A deterministic demo shop, in GA4's own field names.

Weekly and yearly seasonality, a slow trend, the calendar of an Italian shop (Christmas
run-up and dip, Epiphany, Easter, Ferragosto, Black Friday, the January sales), realistic
channel, device and new/returning mixes, ad spend on paid channels, and a few planted
anomalies that the detector is expected to find. The same ``(as_of, days, planted)``
always gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

# channel: (share of sessions, conversion factor, AOV factor, engagement rate)
CHANNELS: dict[str, tuple[float, float, float, float]] = {
    "Organic Search": (0.33, 1.00, 1.00, 0.64),
    "Paid Search": (0.17, 1.15, 0.95, 0.60),
    "Direct": (0.16, 1.30, 1.05, 0.66),
    "Email": (0.08, 2.20, 1.00, 0.72),
    "Organic Social": (0.10, 0.45, 0.85, 0.48),
    "Paid Social": (0.09, 0.55, 0.90, 0.45),
    "Referral": (0.05, 0.90, 1.10, 0.58),
    "SMS": (0.02, 1.80, 0.90, 0.70),
}
# device: (share, conversion factor)
DEVICES: dict[str, tuple[float, float]] = {"mobile": (0.64, 0.75), "desktop": (0.31, 1.55), "tablet": (0.05, 1.0)}
# visitor: (share, conversion factor)
VISITORS: dict[str, tuple[float, float]] = {"new": (0.58, 0.75), "returning": (0.42, 1.35)}
# Paid channels and their campaigns with (share of the channel's clicks, cost per click).
CAMPAIGNS: dict[str, dict[str, tuple[float, float]]] = {
    "Paid Search": {"brand": (0.35, 0.22), "generic": (0.45, 0.61), "shopping": (0.20, 0.48)},
    "Paid Social": {"prospecting": (0.6, 0.39), "retargeting": (0.4, 0.31)},
}
WEEKDAY = (1.00, 0.97, 0.98, 1.02, 1.06, 0.88, 0.84)  # Monday first
BASE_SESSIONS = 6400.0
BASE_CVR = 0.0165
BASE_AOV = 78.0
CURRENCY = "EUR"
TIME_ZONE = "Europe/Rome"

SESSION_METRICS = ("sessions", "engagedSessions", "ecommercePurchases", "purchaseRevenue",
                   "addToCarts", "checkouts", "keyEvents")
USER_METRICS = ("totalUsers", "newUsers", "activeUsers")
AD_METRICS = ("advertiserAdCost", "advertiserAdClicks", "advertiserAdImpressions")
TAKEN = "ordersTaken"  # not a GA4 field: what the shop's own order system saw, kept beside GA4's rows


@dataclass(frozen=True)
class PlantedAnomaly:
    """A deliberate fault in the demo data, ``days_before`` the as-of day."""

    name: str
    days_before: tuple[int, ...]
    metrics: tuple[str, ...]
    dimension: str | None
    description: str

    def dates(self, as_of: date) -> list[date]:
        return [as_of - timedelta(days=n) for n in self.days_before]


PLANTED_ANOMALIES: tuple[PlantedAnomaly, ...] = (
    PlantedAnomaly("tracking_outage", (41,), ("revenue", "orders", "cvr"), None,
                   "The purchase tag stopped firing after a theme update: orders and revenue fall "
                   "to almost nothing while sessions stay normal."),
    PlantedAnomaly("mobile_checkout_bug", (27, 26, 25, 24), ("cvr", "orders", "revenue"), "mobile",
                   "A checkout bug on mobile: the mobile conversion rate drops by 75% for four days."),
    PlantedAnomaly("email_campaign", (16,), ("sessions", "revenue", "orders", "email_revenue_share"),
                   "Email", "A newsletter with a 30% discount: email sessions and revenue spike."),
    PlantedAnomaly("bot_traffic", (9,), ("sessions", "cvr", "bounce_rate"), "Referral",
                   "A referral spam bot: thousands of bounced sessions with no purchases."),
)


@dataclass
class DemoShop:
    """GA4-shaped tables of the demo shop. ``date`` is GA4's ``YYYYMMDD``."""

    sessions: pd.DataFrame
    users: pd.DataFrame
    ads: pd.DataFrame
    currency: str = CURRENCY
    time_zone: str = TIME_ZONE
    planted: tuple[PlantedAnomaly, ...] = field(default_factory=tuple)
    # The orders the shop itself took each day (``date`` → count): GA4's, before the tag lost any.
    orders_taken: pd.Series | None = None


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    november_first = date(year, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3, days=1)


def winter_sales(year: int) -> tuple[date, date]:
    """Saldi invernali: from the first Saturday after New Year's Day to the end of February."""
    second = date(year, 1, 2)
    return second + timedelta(days=(5 - second.weekday()) % 7), date(year, 3, 1) - timedelta(days=1)


# Sessions multiplier of Italian holidays and the days around them (conversion moves with it).
FIXED_DAYS = {(12, 24): 0.65, (12, 25): 0.45, (12, 26): 0.6, (12, 31): 0.7, (1, 1): 0.55, (1, 2): 0.9,
              (1, 6): 0.75, (4, 25): 0.85, (5, 1): 0.8, (6, 2): 0.85, (11, 1): 0.85, (12, 8): 1.1}
EASTER_DAYS = {-2: 0.9, -1: 0.85, 0: 0.6, 1: 0.7}  # Good Friday to Easter Monday
FERRAGOSTO = (0.9, 0.85, 0.8, 0.72, 0.62, 0.5, 0.6, 0.72, 0.8, 0.86, 0.92)  # 10 to 20 August


def calendar_effect(day: date) -> tuple[float, float]:
    """Sessions and conversion multipliers of the holidays, seasons and sales on ``day``."""
    from dateutil.easter import easter

    sessions = FIXED_DAYS.get((day.month, day.day), 1.0) * EASTER_DAYS.get((day - easter(day.year)).days, 1.0)
    sessions *= _december(day) * (FERRAGOSTO[day.day - 10] if day.month == 8 and 10 <= day.day <= 20 else 1.0)
    conversion = 1.1 if day.month == 12 and day.day <= 20 else 0.9 if sessions < 0.7 else 1.0
    start, end = winter_sales(day.year)
    if start <= day <= end:  # the sales draw the most on their first days
        fresh = float(np.exp(-(day - start).days / 20))
        sessions, conversion = sessions * (1 + 0.35 * fresh), conversion * (1 + 0.25 * fresh)
    return sessions, conversion


def _december(day: date) -> float:
    """The Christmas run-up, the last shipping days, and the quiet days between the holidays."""
    if day.month != 12:
        return 1.0
    if day.day <= 18:
        return 1 + 0.2 * min(1.0, (day.day - 1) / 14)
    if day.day <= 23:
        return (1.15, 1.1, 1.0, 0.9, 0.8)[day.day - 19]
    return 0.9 if 27 <= day.day <= 30 else 1.0


def day_level(day: date, start: date) -> tuple[float, float]:
    """Sessions multiplier and conversion multiplier for ``day`` (no noise)."""
    yearly = 1.0 + 0.18 * np.cos(2 * np.pi * (day.timetuple().tm_yday - 350) / 365.25)
    trend = 1.0 + 0.12 * (day - start).days / 365.25
    sessions, conversion = calendar_effect(day)
    sessions *= WEEKDAY[day.weekday()] * yearly * trend
    offset = (day - black_friday(day.year)).days
    if 0 <= offset <= 3:  # Black Friday to Cyber Monday
        sessions *= (2.6, 1.8, 1.6, 2.0)[offset]
        conversion *= (1.9, 1.5, 1.4, 1.7)[offset]
    elif -6 <= offset < 0:  # the teaser week before
        sessions *= 1.15
    return sessions, conversion


def _grid() -> pd.DataFrame:
    rows = [(c, d, v, cs * ds * vs, cc * dc * vc, ca, ce)
            for c, (cs, cc, ca, ce) in CHANNELS.items()
            for d, (ds, dc) in DEVICES.items()
            for v, (vs, vc) in VISITORS.items()]
    return pd.DataFrame(rows, columns=["channel", "device", "visitor", "share", "conv", "aov", "engage"])


def _day_rows(day: date, start: date, grid: pd.DataFrame, effects: dict[str, float]) -> pd.DataFrame:
    rng = np.random.default_rng(day.toordinal())
    level, conversion = day_level(day, start)
    n = len(grid)
    sessions_mean = BASE_SESSIONS * level * grid["share"].to_numpy() * rng.lognormal(0, 0.04)
    sessions_mean = sessions_mean * _effect(grid, effects, "sessions")
    sessions = rng.poisson(sessions_mean)
    cvr = np.clip(BASE_CVR * conversion * grid["conv"].to_numpy() * _effect(grid, effects, "cvr"), 0, 0.5)
    orders = rng.binomial(sessions, cvr)
    aov = BASE_AOV * grid["aov"].to_numpy() * (1.08 if conversion > 1 else 1.0)
    revenue = np.where(orders > 0, rng.gamma(np.maximum(orders, 1) * 6.0, aov / 6.0), 0.0)
    taken = orders
    tracked = _effect(grid, effects, "tracking")
    orders = np.round(orders * tracked).astype(int)
    revenue = np.round(revenue * tracked, 2)
    engaged = rng.binomial(sessions, grid["engage"].to_numpy() * _effect(grid, effects, "engage"))
    carts = np.maximum(orders, rng.binomial(sessions, np.clip(cvr * 4.2, 0, 0.9)))
    checkouts = orders + rng.binomial(carts - orders, 0.38)
    key_events = orders + rng.binomial(sessions, 0.006)
    bots = effects.get("bot_sessions", 0.0) * (grid["channel"] == "Referral").to_numpy() \
        * grid["share"].to_numpy() / grid.loc[grid["channel"] == "Referral", "share"].sum()
    sessions = sessions + np.round(bots).astype(int)
    return pd.DataFrame({
        "date": [day.strftime("%Y%m%d")] * n, "sessionDefaultChannelGroup": grid["channel"],
        "deviceCategory": grid["device"], "newVsReturning": grid["visitor"], "sessions": sessions,
        "engagedSessions": engaged, "ecommercePurchases": orders, "purchaseRevenue": revenue,
        "addToCarts": carts, "checkouts": checkouts, "keyEvents": key_events, TAKEN: taken,
    })


def _effect(grid: pd.DataFrame, effects: dict[str, float], kind: str) -> np.ndarray:
    """Multipliers per grid row from the planted effects of the day (``kind:dim=value``)."""
    out = np.ones(len(grid))
    for key, factor in effects.items():
        name, _, where = key.partition(":")
        if name != kind:
            continue
        if where:
            column, _, value = where.partition("=")
            out = np.where(grid[column] == value, out * factor, out)
        else:
            out = out * factor
    return out


def planted_effects(as_of: date) -> dict[date, dict[str, float]]:
    effects: dict[date, dict[str, float]] = {}
    plan = {
        "tracking_outage": {"tracking": 0.04},
        "mobile_checkout_bug": {"cvr:device=mobile": 0.25},
        "email_campaign": {"sessions:channel=Email": 4.0, "cvr:channel=Email": 1.4},
        "bot_traffic": {"bot_sessions": 9000.0},
    }
    for anomaly in PLANTED_ANOMALIES:
        for day in anomaly.dates(as_of):
            effects.setdefault(day, {}).update(plan[anomaly.name])
    return effects


def build_demo_shop(as_of: date, days: int = 400, planted: bool = True) -> DemoShop:
    """The demo shop's ``days`` days up to the day before ``as_of`` (today is not over yet)."""
    start = as_of - timedelta(days=days)
    grid = _grid()
    effects = planted_effects(as_of) if planted else {}
    frames = [_day_rows(start + timedelta(days=i), start, grid, effects.get(start + timedelta(days=i), {}))
              for i in range(days)]
    sessions = pd.concat(frames, ignore_index=True)
    taken = sessions.groupby("date")[TAKEN].sum()
    sessions = sessions.drop(columns=TAKEN)
    return DemoShop(sessions, _users(sessions), _ads(sessions), planted=PLANTED_ANOMALIES if planted else (),
                    orders_taken=taken)


def _users(sessions: pd.DataFrame) -> pd.DataFrame:
    daily = sessions.groupby("date")["sessions"].sum()
    new = sessions[sessions["newVsReturning"] == "new"].groupby("date")["sessions"].sum()
    total = (daily * 0.79).round().astype(int)
    return pd.DataFrame({"date": daily.index, "totalUsers": total.to_numpy(),
                         "newUsers": (new * 0.96).round().astype(int).reindex(daily.index).to_numpy(),
                         "activeUsers": (total * 0.97).round().astype(int).to_numpy()})


def _ads(sessions: pd.DataFrame) -> pd.DataFrame:
    paid = sessions[sessions["sessionDefaultChannelGroup"].isin(list(CAMPAIGNS))]
    daily = paid.groupby(["date", "sessionDefaultChannelGroup"])["sessions"].sum().reset_index()
    rows = []
    for record in daily.itertuples(index=False):
        for campaign, (share, cpc) in CAMPAIGNS[record.sessionDefaultChannelGroup].items():
            clicks = int(round(record.sessions * 1.08 * share))
            rows.append((record.date, record.sessionDefaultChannelGroup, campaign,
                         round(clicks * cpc, 2), clicks, clicks * 31))
    return pd.DataFrame(rows, columns=["date", "sessionDefaultChannelGroup", "sessionCampaignName",
                                       *AD_METRICS])
