"""GA4 tables: additive session measures, day-grain users, ads, chunk metadata, sync state.

Portable DDL (it was written with sqlite-utils' ``create()`` first; the SQLite schema it makes
is the same, so files migrated by either are alike: tests/connectors/test_migrations_compat.py).
"""

from connectors.engine.database import Database

KEYS = "store TEXT, date TEXT"


def statements(db: Database) -> tuple[str, ...]:
    return (
        f"CREATE TABLE ga4_sessions ({KEYS}, channel TEXT, device TEXT, visitor TEXT, sessions INTEGER, "
        "engaged_sessions INTEGER, orders INTEGER, revenue DOUBLE PRECISION, add_to_carts INTEGER, "
        "checkouts INTEGER, key_events INTEGER, PRIMARY KEY (store, date, channel, device, visitor))",
        f"CREATE TABLE ga4_users ({KEYS}, total_users INTEGER, new_users INTEGER, active_users INTEGER, "
        "PRIMARY KEY (store, date))",
        f"CREATE TABLE ga4_ads ({KEYS}, channel TEXT, campaign TEXT, ad_cost DOUBLE PRECISION, ad_clicks INTEGER, "
        "ad_impressions BIGINT, PRIMARY KEY (store, date, channel, campaign))",
        "CREATE TABLE ga4_chunks (store TEXT, report TEXT, start_date TEXT, end_date TEXT, currency TEXT, "
        "time_zone TEXT, thresholded INTEGER, other_row INTEGER, sampled INTEGER, rows INTEGER, fetched_at TEXT, "
        "PRIMARY KEY (store, report, start_date, end_date))",
        "CREATE TABLE sync_state (store TEXT, report TEXT, synced_through TEXT, updated_at TEXT, "
        "PRIMARY KEY (store, report))",
        f"CREATE TABLE sync_runs (id {db.auto_id}, store TEXT, started_at TEXT, finished_at TEXT, rows INTEGER, "
        "requests INTEGER, quota_used INTEGER, error TEXT)",
        "CREATE INDEX idx_ga4_sessions_store_date ON ga4_sessions (store, date)",
        "CREATE INDEX idx_ga4_ads_store_date ON ga4_ads (store, date)",
    )


def apply(db: Database) -> None:
    for statement in statements(db):
        db.execute(statement)
