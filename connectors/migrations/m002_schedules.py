"""Alert episodes, Expected days, delivery records, leases and failure counters."""

from sqlite_utils import Database


def apply(db: Database) -> None:
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
