"""GA4 tables: additive session measures, day-grain users, ads, chunk metadata, sync state."""

from sqlite_utils import Database

DIMENSIONS = {"store": str, "date": str, "channel": str, "device": str, "visitor": str}


def apply(db: Database) -> None:
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
