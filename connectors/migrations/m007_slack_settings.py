"""Targets, alert rules and reports that people set from Slack (portable SQL).

- ``target_overrides``: one row per (store, KPI) whose target was set from Slack; it wins over
  kpibot.toml. Neither bound set means the KPI's target was switched off.
- ``alert_rule_sets`` + ``alert_rules``: a store's relative alert rules, replaced as a whole
  from Slack (a set with no rules switches relative alerts off).
- ``report_schedules``: reports people schedule in a channel; a cancelled one is kept, marked.
"""

from connectors.engine.database import Database

STATEMENTS = (
    "CREATE TABLE target_overrides (store TEXT NOT NULL, metric TEXT NOT NULL, min_value DOUBLE PRECISION, "
    "max_value DOUBLE PRECISION, period TEXT, set_by TEXT NOT NULL, set_at TEXT NOT NULL, "
    "PRIMARY KEY (store, metric))",
    "CREATE TABLE alert_rule_sets (store TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL, "
    "PRIMARY KEY (store))",
    "CREATE TABLE alert_rules (store TEXT NOT NULL, position INTEGER NOT NULL, metric TEXT NOT NULL, "
    "drop_fraction DOUBLE PRECISION NOT NULL, min_volume DOUBLE PRECISION NOT NULL, volume_metric TEXT, "
    "set_by TEXT NOT NULL, set_at TEXT NOT NULL, PRIMARY KEY (store, position))",
    "CREATE TABLE report_schedules (id BIGINT NOT NULL, store TEXT NOT NULL, channel TEXT NOT NULL, "
    "query TEXT NOT NULL, weekday INTEGER, at_time TEXT NOT NULL, created_by TEXT NOT NULL, "
    "created_at TEXT NOT NULL, cancelled_by TEXT, cancelled_at TEXT, PRIMARY KEY (id))",
    "CREATE INDEX report_schedules_channel ON report_schedules (channel, cancelled_at)",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
