"""The demo shop's Meta ad account: its spend follows the GA4 demo's Paid Social cost.

Meta counts more clicks than GA4 has sessions, and claims more purchases than GA4 gives
Paid Social (view-through and cross-device attribution), as real accounts do. Early days
report purchases only as ``purchase`` and the pixel's duplicate; later days add
``omni_purchase`` with the same value, so the parser's choice matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from connectors.demo.shop import DemoShop

CAMPAIGNS = {"prospecting": ("120210000000001", "IT | Prospecting | Advantage+", 0.6),
             "retargeting": ("120210000000002", "IT | Retargeting | Catalogo", 0.4)}
OMNI_AFTER_DAYS = 120  # the first days of the demo have no omni_purchase
META_OVER_ATTRIBUTION = 1.6
AOV = 76.0


@dataclass
class MetaDemo:
    rows: pd.DataFrame  # date (ISO), campaign_id, campaign_name, spend, impressions, clicks, purchases,
    #                     purchase_value, omni (whether omni_purchase is reported that day)
    currency: str = "EUR"


def build_meta_demo(shop: DemoShop, currency: str = "EUR", seed: int = 5) -> MetaDemo:
    rng = np.random.default_rng(seed)
    ads = shop.ads[shop.ads["sessionDefaultChannelGroup"] == "Paid Social"]
    paid = shop.sessions[shop.sessions["sessionDefaultChannelGroup"] == "Paid Social"]
    orders = paid.groupby("date")["ecommercePurchases"].sum()
    first = pd.to_datetime(ads["date"].min(), format="%Y%m%d").date()
    frames = []
    for campaign, (campaign_id, name, share) in CAMPAIGNS.items():
        rows = ads[ads["sessionCampaignName"] == campaign]
        n = len(rows)
        bought = rng.poisson(orders.reindex(rows["date"]).fillna(0).to_numpy() * share * META_OVER_ATTRIBUTION)
        dates = pd.to_datetime(rows["date"], format="%Y%m%d")
        frames.append(pd.DataFrame({
            "date": dates.dt.strftime("%Y-%m-%d").to_numpy(), "campaign_id": campaign_id, "campaign_name": name,
            "spend": np.round(rows["advertiserAdCost"].to_numpy() * rng.lognormal(0, 0.03, n), 2),
            "impressions": rows["advertiserAdImpressions"].to_numpy(),
            "clicks": np.round(rows["advertiserAdClicks"].to_numpy() * 1.3).astype(int),
            "purchases": bought.astype(float),
            "purchase_value": np.where(bought > 0, np.round(rng.gamma(np.maximum(bought, 1) * 5.0, AOV / 5.0), 2), 0.0),
            "omni": (dates.dt.date >= first + timedelta(days=OMNI_AFTER_DAYS)).to_numpy(),
        }))
    table = pd.concat(frames, ignore_index=True).sort_values(["date", "campaign_id"]).reset_index(drop=True)
    return MetaDemo(table, currency)


def actions(purchases: float, value: float, clicks: int, omni: bool, money: bool) -> list[dict[str, str]]:
    """Meta's action list for one row: purchases under several types with one value, plus other actions."""
    amount = value if money else purchases
    listed = [("link_click", clicks * (0 if money else 1)), ("landing_page_view", 0 if money else int(clicks * 0.8)),
              ("add_to_cart", value * 2.1 if money else purchases * 4), ("purchase", amount),
              ("offsite_conversion.fb_pixel_purchase", amount)]
    if omni:
        listed.append(("omni_purchase", amount))
    return [{"action_type": kind, "value": _text(number)} for kind, number in listed if number]


def _text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.2f}"

