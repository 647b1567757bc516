"""The demo shop's Klaviyo account: flows and campaigns consistent with its GA4 days and orders.

Flows follow the shop's own traffic (sign-ups from new visitors, abandoned carts, orders);
email campaigns fill each month up to about 17% of shop revenue attributed to email. The
welcome flow is opened by about 55% of its recipients and the abandoned-cart flow recovers
about 11% of carts. The frames here are the truth the emulator serves and tests sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from connectors.demo.orders_csv import UNTRACKED
from connectors.demo.shop import DemoShop

EMAIL_SHARE = 0.17
AOV = 78.0
STATS = ("recipients", "delivered", "opens_unique", "clicks_unique", "conversions", "conversion_uniques",
         "conversion_value")
# name, trigger, role driver, messages as (channel, share of the entry's recipients, open rate, conversion rate)
FLOWS: tuple[tuple[str, str, str, tuple[tuple[str, float, float, float], ...]], ...] = (
    ("Serie di benvenuto", "Added to List", "signups",
     (("email", 1.0, 0.64, 0.025), ("email", 0.85, 0.52, 0.02), ("email", 0.72, 0.46, 0.018), ("sms", 0.35, 0, 0.03))),
    ("Carrello abbandonato", "Metric", "carts",
     (("email", 1.0, 0.45, 0.0605), ("email", 0.62, 0.40, 0.0532), ("email", 0.43, 0.38, 0.0384),
      ("sms", 0.30, 0, 0.05))),
    ("Post-acquisto", "Metric", "orders", (("email", 0.85, 0.50, 0.012), ("email", 0.76, 0.42, 0.01))),
    ("Riattivazione clienti", "Segment", "lapsed", (("email", 1.0, 0.25, 0.02), ("email", 0.8, 0.20, 0.015))),
    ("Navigazione abbandonata", "Metric", "browsers", (("email", 1.0, 0.42, 0.02), ("email", 0.7, 0.36, 0.015))),
    ("Compleanno", "Date Based", "steady", (("email", 1.0, 0.48, 0.04),)),
    ("Torna disponibile", "Metric", "steady", (("email", 1.0, 0.55, 0.06),)),
    ("Recensione prodotto", "Metric", "orders", (("email", 0.5, 0.38, 0.005),)),
)


@dataclass
class KlaviyoDemo:
    flows: pd.DataFrame  # flow_id, name, status, trigger_type, archived
    flow_days: pd.DataFrame  # date, flow_id, message_id, send_channel, STATS
    campaigns: pd.DataFrame  # campaign_id, message_id, name, channel, send_time (UTC ISO), date (local), STATS
    metrics: list[dict[str, object]]
    time_zone: str

    def rename_flow(self, flow_id: str, name: str) -> None:
        self.flows.loc[self.flows["flow_id"] == flow_id, "name"] = name

    @property
    def placed_order_id(self) -> str:
        """The shop integration's Placed Order (the account also has one sent over the API, with no orders)."""
        return next(str(m["id"]) for m in self.metrics if m["name"] == "Placed Order" and m["id"] == "ShpPO7")


def build_klaviyo_demo(shop: DemoShop, flows: int = 8, campaigns_per_month: tuple[int, int] = (6, 2),
                       seed: int = 7) -> KlaviyoDemo:
    rng = np.random.default_rng(seed)
    days = _shop_days(shop)
    flow_table, flow_days = _flows(days, max(flows, 4), rng)
    campaigns = _campaigns(days, flow_days, campaigns_per_month, shop.time_zone, rng)
    return KlaviyoDemo(flow_table, flow_days, campaigns, _metrics(), shop.time_zone)


def _shop_days(shop: DemoShop) -> pd.DataFrame:
    frame = shop.sessions.assign(new=shop.sessions["sessions"].where(shop.sessions["newVsReturning"] == "new", 0))
    daily = frame.groupby("date")[["sessions", "new", "ecommercePurchases", "purchaseRevenue", "addToCarts"]].sum()
    daily.index = pd.to_datetime(daily.index, format="%Y%m%d").strftime("%Y-%m-%d")
    daily["shop_revenue"] = daily["purchaseRevenue"] / (1 - UNTRACKED)
    daily["shop_orders"] = (daily["ecommercePurchases"] / (1 - UNTRACKED)).round()
    return daily


def _drivers(days: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = len(days)
    return {
        "signups": rng.poisson(days["new"].to_numpy() * 0.011),
        "carts": rng.poisson(np.maximum(days["addToCarts"] - days["ecommercePurchases"], 0).to_numpy() * 0.10),
        "orders": days["shop_orders"].to_numpy().astype(int),
        "lapsed": rng.poisson(30, n), "browsers": rng.poisson(days["sessions"].to_numpy() * 0.004),
        "steady": rng.poisson(12, n),
    }


def _flows(days: pd.DataFrame, count: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    drivers = _drivers(days, rng)
    generic = (("email", 1.0, 0.40, 0.02), ("email", 0.7, 0.34, 0.015))
    plan = [*FLOWS, *((f"Flusso automatico {i}", "Metric", "steady", generic) for i in range(len(FLOWS), count))]
    table, frames = [], []
    for name, trigger, driver, messages in plan[:count]:
        flow_id = _id(rng, 6)
        table.append({"flow_id": flow_id, "name": name, "status": "live", "trigger_type": trigger, "archived": False})
        entry = drivers[driver]
        for channel, share, open_rate, conversion_rate in messages:
            recipients = entry if share == 1.0 else rng.binomial(entry, share)
            frames.append(_message_days(days.index, flow_id, _id(rng, 26), channel, recipients, open_rate,
                                        conversion_rate, rng))
    flow_days = pd.concat(frames, ignore_index=True)
    return pd.DataFrame(table), flow_days[flow_days[list(STATS)].sum(axis=1) > 0].reset_index(drop=True)


def _message_days(dates: pd.Index, flow_id: str, message_id: str, channel: str, recipients: np.ndarray,
                  open_rate: float, conversion_rate: float, rng: np.random.Generator) -> pd.DataFrame:
    delivered = rng.binomial(recipients, 0.985)
    opens = rng.binomial(delivered, open_rate)
    clicks = rng.binomial(np.maximum(opens, delivered // 8) if channel == "sms" else opens, 0.2)
    uniques = rng.binomial(delivered, conversion_rate)
    conversions = uniques + rng.binomial(uniques, 0.05)
    return pd.DataFrame({"date": dates, "flow_id": flow_id, "message_id": message_id, "send_channel": channel,
                         "recipients": recipients, "delivered": delivered, "opens_unique": opens,
                         "clicks_unique": clicks, "conversions": conversions, "conversion_uniques": uniques,
                         "conversion_value": _order_values(conversions, rng)})


def _order_values(orders: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.where(orders > 0, np.round(rng.gamma(np.maximum(orders, 1) * 6.0, AOV / 6.0), 2), 0.0)


def _campaigns(days: pd.DataFrame, flow_days: pd.DataFrame, per_month: tuple[int, int], time_zone: str,
               rng: np.random.Generator) -> pd.DataFrame:
    email_flows = flow_days[flow_days["send_channel"] == "email"].groupby("date")["conversion_value"].sum()
    month = pd.Series(days.index.str[:7], index=days.index)
    rows = []
    for key, dates in month.groupby(month).groups.items():
        target = EMAIL_SHARE * days.loc[dates, "shop_revenue"].sum() - email_flows.reindex(dates).fillna(0).sum()
        rows += _month_campaigns(str(key), sorted(dates), max(target, 0.0), days, per_month, time_zone, rng)
    return pd.DataFrame(rows)


def _month_campaigns(month: str, dates: list[str], email_value: float, days: pd.DataFrame,
                     per_month: tuple[int, int], time_zone: str, rng: np.random.Generator) -> list[dict[str, object]]:
    emails, smses = (max(1, round(k * len(dates) / 30)) if k else 0 for k in per_month)
    weights = rng.dirichlet(np.full(emails, 4.0)) if emails else np.array([])
    list_size = 8000 + 6 * days.index.get_loc(dates[0])
    rows = []
    for k in range(emails):
        day = dates[int((k + 0.5) * len(dates) / emails)]
        rows.append(_campaign(f"Newsletter {month} n.{k + 1}", "email", day, time(9, 30), list_size,
                              email_value * weights[k], time_zone, rng))
    for k in range(smses):
        day = dates[int((k + 0.2) * len(dates) / smses)]
        at, name = (time(0, 10), "Flash sale di mezzanotte") if k == 0 else (time(18, 0), "Promo SMS")
        value = 0.012 * days.loc[day, "shop_revenue"] * rng.uniform(0.6, 1.4)
        rows.append(_campaign(f"{name} {month}", "sms", day, at, list_size // 3, value, time_zone, rng))
    return rows


def _campaign(name: str, channel: str, day: str, at: time, recipients: int, value: float, time_zone: str,
              rng: np.random.Generator) -> dict[str, object]:
    local = datetime.combine(date.fromisoformat(day), at, ZoneInfo(time_zone))
    delivered = int(rng.binomial(recipients, 0.99))
    conversions = int(round(value / AOV))
    return {"campaign_id": _id(rng, 26), "message_id": _id(rng, 26), "name": name, "channel": channel,
            "send_time": local.astimezone(ZoneInfo("UTC")).isoformat(), "date": day, "recipients": recipients,
            "delivered": delivered, "opens_unique": int(rng.binomial(delivered, 0.36)) if channel == "email" else 0,
            "clicks_unique": int(rng.binomial(delivered, 0.024 if channel == "email" else 0.07)),
            "conversions": conversions, "conversion_uniques": int(round(conversions * 0.96)),
            "conversion_value": round(value, 2) if conversions else 0.0}


def _metrics() -> list[dict[str, object]]:
    return [{"id": "OpnEm1", "name": "Opened Email", "integration": {"name": "Klaviyo", "category": "Internal"}},
            {"id": "ApiPO2", "name": "Placed Order", "integration": {"name": "API", "category": "API"}},
            {"id": "ShpPO7", "name": "Placed Order", "integration": {"name": "Shopify", "category": "eCommerce"}}]


def _id(rng: np.random.Generator, length: int) -> str:
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), length))
