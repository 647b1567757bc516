"""The GA4 reports kpibot pulls, declared as data (SPEC §5.1).

Each report maps GA4 dimension and metric names to warehouse columns. Every report
includes ``date``. Users are pulled at day grain because they are not additive across
dimensions; ad cost cannot be combined with session metrics, so it is its own report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSpec:
    name: str
    table: str
    dimensions: dict[str, str]  # GA4 name -> column
    metrics: dict[str, str]  # GA4 name -> column
    may_be_empty: bool = False

    @property
    def integer_columns(self) -> set[str]:
        return {column for ga4, column in self.metrics.items() if ga4 not in FLOAT_METRICS}


FLOAT_METRICS = {"purchaseRevenue", "advertiserAdCost"}

SESSIONS = ReportSpec(
    name="sessions",
    table="ga4_sessions",
    dimensions={"date": "date", "sessionDefaultChannelGroup": "channel",
                "deviceCategory": "device", "newVsReturning": "visitor"},
    metrics={"sessions": "sessions", "engagedSessions": "engaged_sessions",
             "ecommercePurchases": "orders", "purchaseRevenue": "revenue",
             "addToCarts": "add_to_carts", "checkouts": "checkouts", "keyEvents": "key_events"},
)
USERS = ReportSpec(
    name="users",
    table="ga4_users",
    dimensions={"date": "date"},
    metrics={"totalUsers": "total_users", "newUsers": "new_users", "activeUsers": "active_users"},
)
ADS = ReportSpec(
    name="ads",
    table="ga4_ads",
    dimensions={"date": "date", "sessionDefaultChannelGroup": "channel", "sessionCampaignName": "campaign"},
    metrics={"advertiserAdCost": "ad_cost", "advertiserAdClicks": "ad_clicks",
             "advertiserAdImpressions": "ad_impressions"},
    may_be_empty=True,
)

REPORTS: tuple[ReportSpec, ...] = (SESSIONS, USERS, ADS)
