"""Incidents: the anomalies of one store on one day, grouped into one alert message (portable SQL).

An incident groups alert episodes (``alert_episodes.incident_id``): its KPIs. It carries the
diagnosis (a code and its parameters as JSON), its one Slack message (``ts``), and how far
its message has caught up: ``revision`` counts the changes worth showing (a KPI joined,
a relapse, the resolution), ``announced`` the last revision a delivery was planned for.
``posted_on`` is the local day its message was planned (the daily budget counts these);
``summary_day`` the day it went into that day's summary message instead.
"""

from connectors.engine.database import Database

STATEMENTS = (
    "CREATE TABLE incidents (id BIGINT NOT NULL, store TEXT NOT NULL, opened_on TEXT NOT NULL, "
    "last_seen_on TEXT NOT NULL, diagnosis TEXT, params TEXT, severity TEXT NOT NULL, state TEXT NOT NULL, "
    "snoozed_until TEXT, channel TEXT, ts TEXT, revision INTEGER NOT NULL DEFAULT 0, "
    "announced INTEGER NOT NULL DEFAULT 0, change TEXT, posted_on TEXT, summary_day TEXT, "
    "relapses INTEGER NOT NULL DEFAULT 0, resolved_on TEXT, updated_at TEXT, updated_by TEXT, PRIMARY KEY (id))",
    "CREATE INDEX incidents_store_state ON incidents (store, state)",
    "CREATE INDEX incidents_channel_posted ON incidents (channel, posted_on)",
    "ALTER TABLE alert_episodes ADD COLUMN incident_id BIGINT",
    "CREATE INDEX alert_episodes_incident ON alert_episodes (incident_id)",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
