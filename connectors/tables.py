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

# The platform rule. GA4's ads report holds Google Ads cost natively, and cost imported from other
# platforms (GA4 cost data import) under their own channel groups, Paid Social above all. Rows whose
# channel group is one that Google Ads serves are Google's; every other row is "other": a platform
# kpibot may read directly (Meta), so the all-platform KPIs count it only when no Meta source has data.
GOOGLE_ADS_CHANNELS = ("Paid Search", "Paid Shopping", "Paid Video", "Display", "Cross-network")
_GOOGLE = ", ".join(f"'{channel}'" for channel in GOOGLE_ADS_CHANNELS)


def _flow_column(column: str) -> str:
    """A column of the flow a flow-day row belongs to (its current name, its role)."""
    return (f"(SELECT f.{column} FROM klaviyo_flows f WHERE f.store = klaviyo_flow_days.store "
            "AND f.flow_id = klaviyo_flow_days.flow_id)")


# The dimensions a source's sums can be split or filtered by (a KPI's `by` and `where`), each with
# the SQL expression that reads it: a column, or a value derived from one.
SOURCE_DIMENSIONS: dict[str, dict[str, str]] = {
    "sessions": {"channel": "channel", "device": "device", "visitor": "visitor"},
    "users": {},
    "ads": {"channel": "channel", "campaign": "campaign",
            "platform": f"CASE WHEN channel IN ({_GOOGLE}) THEN 'google' ELSE 'other' END"},
    "klaviyo_flows": {"flow_id": "flow_id", "message_id": "message_id", "send_channel": "send_channel",
                      "flow": f"COALESCE({_flow_column('name')}, flow_id)", "role": _flow_column("role")},
    "klaviyo_campaigns": {"campaign_id": "campaign_id", "send_channel": "send_channel",
                          "campaign": "COALESCE(name, campaign_id)"},
    "meta_ads": {"account_id": "account_id", "campaign_id": "campaign_id", "currency": "currency",
                 "campaign": "COALESCE(campaign_name, campaign_id)", "platform": "'meta'",
                 "channel": "'Paid Social'"},  # GA4's channel group for Meta's traffic
}


# The shop's sales by product: each split names the ``order_lines`` column its rows are keyed by.
SHOP_SPLITS: dict[str, str] = {"product": "title", "product_type": "product_type"}


def table_for(source: str) -> str:
    try:
        return SOURCE_TABLES[source]
    except KeyError:
        raise ValueError(f"no table stores the source {source!r}") from None
