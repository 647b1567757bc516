"""Klaviyo flows and campaigns, Meta Ads spend, and per-source sync state (portable SQL).

Only additive counts are stored; rates are computed from their sums. A statistic the
source refused is NULL, never 0. Flows are keyed on their id, so a renamed flow keeps
its history; its current name and role live in ``klaviyo_flows``.
"""

from connectors.engine.database import Database

COUNTS = ("recipients BIGINT, delivered BIGINT, opens_unique BIGINT, clicks_unique BIGINT, conversions BIGINT, "
          "conversion_uniques BIGINT, conversion_value DOUBLE PRECISION")

STATEMENTS = (
    "CREATE TABLE klaviyo_flows (store TEXT NOT NULL, flow_id TEXT NOT NULL, name TEXT NOT NULL, status TEXT, "
    "archived INTEGER, trigger_type TEXT, role TEXT, first_seen_at TEXT, updated_at TEXT, "
    "PRIMARY KEY (store, flow_id))",
    f"CREATE TABLE klaviyo_flow_days (store TEXT NOT NULL, date TEXT NOT NULL, flow_id TEXT NOT NULL, "
    f"message_id TEXT NOT NULL, send_channel TEXT NOT NULL, {COUNTS}, "
    "PRIMARY KEY (store, date, flow_id, message_id, send_channel))",
    f"CREATE TABLE klaviyo_campaign_days (store TEXT NOT NULL, date TEXT NOT NULL, campaign_id TEXT NOT NULL, "
    f"name TEXT, send_channel TEXT NOT NULL, send_time TEXT, {COUNTS}, "
    "PRIMARY KEY (store, date, campaign_id, send_channel))",
    "CREATE TABLE meta_ads_days (store TEXT NOT NULL, date TEXT NOT NULL, account_id TEXT NOT NULL, "
    "campaign_id TEXT NOT NULL, campaign_name TEXT, spend DOUBLE PRECISION, impressions BIGINT, clicks BIGINT, "
    "purchases DOUBLE PRECISION, purchase_value DOUBLE PRECISION, currency TEXT, "
    "PRIMARY KEY (store, date, account_id, campaign_id))",
    "CREATE TABLE source_sync_state (store TEXT NOT NULL, source TEXT NOT NULL, report TEXT NOT NULL, "
    "synced_through TEXT, resume_after TEXT, budget_day TEXT, budget_used INTEGER, note TEXT, updated_at TEXT, "
    "PRIMARY KEY (store, source, report))",
    "CREATE INDEX klaviyo_flow_days_store_date ON klaviyo_flow_days (store, date)",
    "CREATE INDEX klaviyo_campaign_days_store_date ON klaviyo_campaign_days (store, date)",
    "CREATE INDEX meta_ads_days_store_date ON meta_ads_days (store, date)",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
