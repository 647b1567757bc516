"""Alert episodes, Expected days, delivery records, leases and failure counters (portable DDL)."""

from connectors.engine.database import Database


def statements(db: Database) -> tuple[str, ...]:
    return (
        f"CREATE TABLE alert_episodes (id {db.auto_id}, store TEXT NOT NULL, metric TEXT NOT NULL, "
        "kind TEXT NOT NULL, opened_on TEXT NOT NULL, last_seen_on TEXT NOT NULL, value DOUBLE PRECISION, "
        "expected DOUBLE PRECISION, severity TEXT, contributor TEXT, detail TEXT, "
        "state TEXT NOT NULL DEFAULT 'open', snoozed_until TEXT, channel TEXT, ts TEXT, resolved_on TEXT, "
        "updated_at TEXT, updated_by TEXT)",
        # one live episode per (store, KPI, kind): resolved and expected ones are history
        "CREATE UNIQUE INDEX alert_episodes_live ON alert_episodes (store, metric, kind) "
        "WHERE state NOT IN ('resolved', 'expected')",
        "CREATE TABLE expected_days (store TEXT, metric TEXT, date TEXT, PRIMARY KEY (store, metric, date))",
        "CREATE TABLE deliveries (store TEXT, kind TEXT, date TEXT, channel TEXT, status TEXT, ts TEXT, holder TEXT, "
        "claimed_at TEXT, sent_at TEXT, provisional INTEGER, detail TEXT, PRIMARY KEY (store, kind, date, channel))",
        "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT, expires_at TEXT)",
        "CREATE TABLE failure_counters (store TEXT, kind TEXT, consecutive INTEGER, notified INTEGER, "
        "last_error TEXT, updated_at TEXT, PRIMARY KEY (store, kind))",
    )


def apply(db: Database) -> None:
    for statement in statements(db):
        db.execute(statement)
