"""The first three migrations as they were written with sqlite-utils helpers, before they became
portable SQL: files migrated by them must keep working (tests/connectors/test_migrations_compat.py)."""

from sqlite_utils import Database

DIMENSIONS = {"store": str, "date": str, "channel": str, "device": str, "visitor": str}


def m001_ga4(db: Database) -> None:
    db.table("ga4_sessions").create(
        {
            **DIMENSIONS,
            "sessions": int,
            "engaged_sessions": int,
            "orders": int,
            "revenue": float,
            "add_to_carts": int,
            "checkouts": int,
            "key_events": int,
        },
        pk=("store", "date", "channel", "device", "visitor"),
    )
    db.table("ga4_users").create(
        {"store": str, "date": str, "total_users": int, "new_users": int, "active_users": int},
        pk=("store", "date"),
    )
    db.table("ga4_ads").create(
        {
            "store": str,
            "date": str,
            "channel": str,
            "campaign": str,
            "ad_cost": float,
            "ad_clicks": int,
            "ad_impressions": int,
        },
        pk=("store", "date", "channel", "campaign"),
    )
    db.table("ga4_chunks").create(
        {
            "store": str,
            "report": str,
            "start_date": str,
            "end_date": str,
            "currency": str,
            "time_zone": str,
            "thresholded": int,
            "other_row": int,
            "sampled": int,
            "rows": int,
            "fetched_at": str,
        },
        pk=("store", "report", "start_date", "end_date"),
    )
    db.table("sync_state").create(
        {"store": str, "report": str, "synced_through": str, "updated_at": str},
        pk=("store", "report"),
    )
    db.table("sync_runs").create(
        {
            "id": int,
            "store": str,
            "started_at": str,
            "finished_at": str,
            "rows": int,
            "requests": int,
            "quota_used": int,
            "error": str,
        },
        pk="id",
    )
    db.table("ga4_sessions").create_index(["store", "date"])
    db.table("ga4_ads").create_index(["store", "date"])

def m002_schedules(db: Database) -> None:
    db.execute("""CREATE TABLE alert_episodes (
        id INTEGER PRIMARY KEY, store TEXT NOT NULL, metric TEXT NOT NULL, kind TEXT NOT NULL,
        opened_on TEXT NOT NULL, last_seen_on TEXT NOT NULL, value REAL, expected REAL, severity TEXT,
        contributor TEXT, detail TEXT, state TEXT NOT NULL DEFAULT 'open', snoozed_until TEXT,
        channel TEXT, ts TEXT, resolved_on TEXT, updated_at TEXT, updated_by TEXT)""")
    # one live episode per (store, KPI, kind): resolved and expected ones are history
    db.execute("""CREATE UNIQUE INDEX alert_episodes_live ON alert_episodes (store, metric, kind)
        WHERE state NOT IN ('resolved', 'expected')""")
    db.table("expected_days").create({"store": str, "metric": str, "date": str}, pk=("store", "metric", "date"))
    db.table("deliveries").create(
        {"store": str, "kind": str, "date": str, "channel": str, "status": str, "ts": str, "holder": str,
         "claimed_at": str, "sent_at": str, "provisional": int, "detail": str},
        pk=("store", "kind", "date", "channel"))
    db.table("leases").create({"name": str, "holder": str, "expires_at": str}, pk="name")
    db.table("failure_counters").create(
        {"store": str, "kind": str, "consecutive": int, "notified": int, "last_error": str, "updated_at": str},
        pk=("store", "kind"))

def m003_orders(db: Database) -> None:
    db.table("orders").create(
        {"store": str, "order_id": str, "customer_hash": str, "email_hash": str, "created_at": str, "date": str,
         "total": float, "currency": str, "status": str, "counted": int},
        pk=("store", "order_id"))
    db.table("orders").create_index(["store", "date"])
    db.table("orders").create_index(["store", "customer_hash", "date"])
    db.table("meta").create({"key": str, "value": str}, pk="key")


OLD = {1: ("m001_ga4", m001_ga4), 2: ("m002_schedules", m002_schedules), 3: ("m003_orders", m003_orders)}
