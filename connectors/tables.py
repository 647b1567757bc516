"""Where each source's measures are stored: the one map from a source to its table.

A "source" is what a KPI's formula names (``kpi.metric.Sum.source``); everything that turns
it into a table, a key or a dimension reads it here.
"""

from __future__ import annotations

SOURCE_TABLES: dict[str, str] = {
    "sessions": "ga4_sessions",  # date x channel x device x new/returning: additive session measures
    "users": "ga4_users",  # day grain only: users are not additive across dimensions
    "ads": "ga4_ads",  # date x channel x campaign: ad cost cannot be combined with sessions
    "orders": "orders",  # one row per order, every order source
    "shop": "orders",  # the shop's own sales: orders by day, with their line items (connectors/orders/sales.py)
    "klaviyo_flows": "klaviyo_flow_days",  # date x flow x message x send channel: email/SMS flow counts
    "klaviyo_campaigns": "klaviyo_campaign_days",  # date x campaign x send channel: campaign counts
    "meta_ads": "meta_ads_days",  # date x account x campaign: Meta spend and purchases
}

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "ga4_sessions": ("store", "date", "channel", "device", "visitor"),
    "ga4_users": ("store", "date"),
    "ga4_ads": ("store", "date", "channel", "campaign"),
}

# The dimensions a source's sums can be split or filtered by (a KPI's `by` and `where`).
SOURCE_DIMENSIONS: dict[str, frozenset[str]] = {
    "sessions": frozenset({"channel", "device", "visitor"}),
    "users": frozenset(),
    "ads": frozenset({"channel", "campaign"}),
    "klaviyo_flows": frozenset({"flow_id", "message_id", "send_channel"}),
    "klaviyo_campaigns": frozenset({"campaign_id", "send_channel"}),
    "meta_ads": frozenset({"account_id", "campaign_id", "currency"}),
}


# The shop's sales by product: each split names the ``order_lines`` column its rows are keyed by.
SHOP_SPLITS: dict[str, str] = {"product": "title", "product_type": "product_type"}


def table_for(source: str) -> str:
    try:
        return SOURCE_TABLES[source]
    except KeyError:
        raise ValueError(f"no table stores the source {source!r}") from None
