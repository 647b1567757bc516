"""SQL for targets and relative alert rules set from Slack (tables of migration m007).

A save writes every change of one form in one transaction: the targets it touched and, when
it changed them, the store's whole set of alert rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.engine.database import Database
from connectors.transaction import transaction

TargetRow = Mapping[str, Any]  # metric, min_value, max_value, period
RuleRow = Mapping[str, Any]  # metric, drop_fraction, min_volume, volume_metric


def target_overrides(db: Database, store: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT metric, min_value, max_value, period, set_by, set_at FROM target_overrides "
                         "WHERE store = ? ORDER BY metric", [store]))


def alert_rule_set(db: Database, store: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Who set the store's alert rules from Slack, and when (None: never), and the rules, in order."""
    found = list(db.query("SELECT set_by, set_at FROM alert_rule_sets WHERE store = ?", [store]))
    rules = list(db.query("SELECT metric, drop_fraction, min_volume, volume_metric FROM alert_rules "
                          "WHERE store = ? ORDER BY position", [store]))
    return (found[0] if found else None), rules


def save_overrides(db: Database, store: str, targets: Mapping[str, TargetRow | None],
                   rules: Sequence[RuleRow] | None, keep_rules: bool, set_by: str, set_at: str) -> None:
    """Set (a row) or drop (None) each KPI's override; replace the alert rules unless ``keep_rules``
    (``rules`` None then means "back to the file")."""
    with transaction(db):
        for metric, row in targets.items():
            db.execute("DELETE FROM target_overrides WHERE store = ? AND metric = ?", [store, metric])
            if row is not None:
                db.execute("INSERT INTO target_overrides (store, metric, min_value, max_value, period, set_by, "
                           "set_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [store, metric, row["min_value"], row["max_value"], row["period"], set_by, set_at])
        if not keep_rules:
            _replace_rules(db, store, rules, set_by, set_at)


def _replace_rules(db: Database, store: str, rules: Sequence[RuleRow] | None, set_by: str, set_at: str) -> None:
    db.execute("DELETE FROM alert_rules WHERE store = ?", [store])
    db.execute("DELETE FROM alert_rule_sets WHERE store = ?", [store])
    if rules is None:
        return
    db.execute("INSERT INTO alert_rule_sets (store, set_by, set_at) VALUES (?, ?, ?)", [store, set_by, set_at])
    for position, rule in enumerate(rules):
        db.execute("INSERT INTO alert_rules (store, position, metric, drop_fraction, min_volume, volume_metric, "
                   "set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [store, position, rule["metric"], rule["drop_fraction"], rule["min_volume"],
                    rule["volume_metric"], set_by, set_at])
