"""The targets and alert rules in force: kpibot.toml, overridden by what admins set from Slack.

This is the one place that composes them. ``effective_store`` gives the store settings every
target evaluation uses (answers, `/kpi targets`, App Home, the digest, the alert check), and
``target_settings`` says where each value comes from (the file, Slack with who and when, or
kpibot's defaults). The KPI maths stays pure: it only ever sees a ``StoreSettings``.

Both take the store as the file configures it (``Settings.store``), never an effective one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from connectors.team_settings.targets import alert_rule_set, save_overrides, target_overrides
from connectors.warehouse import Warehouse
from kpi.settings import DEFAULT_TARGETS, RelativeRule, StoreSettings, Target


@dataclass(frozen=True)
class Origin:
    source: str  # file | slack | default
    set_by: str | None = None  # Slack user id, for values set from Slack
    set_at: str | None = None  # UTC ISO-8601


FILE, DEFAULT = Origin("file"), Origin("default")


@dataclass(frozen=True)
class TargetEntry:
    """One KPI's target in force (None: switched off from Slack), where it comes from, and what the file says."""

    metric: str
    target: Target | None
    origin: Origin
    file_target: Target | None = None  # the file's (or default) target, shown beside a Slack value
    file_source: str = "file"  # where ``file_target`` comes from: file | default


@dataclass(frozen=True)
class TargetSettings:
    store: StoreSettings  # the effective settings
    targets: tuple[TargetEntry, ...]
    rules: tuple[RelativeRule, ...]
    rules_origin: Origin
    file_rules: tuple[RelativeRule, ...]  # what the file (or the defaults) says


def bounded(target: Target | None) -> Target | None:
    return target if target is not None and (target.min is not None or target.max is not None) else None


def same_target(a: Target | None, b: Target | None) -> bool:
    a, b = bounded(a), bounded(b)
    if a is None or b is None:
        return a is b
    return (a.min, a.max, a.period) == (b.min, b.max, b.period)


def file_target(store: StoreSettings, metric: str) -> Target | None:
    """What kpibot.toml (or, when it says nothing, kpibot's default) sets for ``metric``."""
    configured = next((t for t in store.targets if t.metric == metric), None)
    if configured is not None:
        return bounded(configured)
    return next((t for t in DEFAULT_TARGETS if t.metric == metric), None)


def target_settings(db: Warehouse, store: StoreSettings) -> TargetSettings:
    overrides = {row["metric"]: row for row in target_overrides(db, store.name)}
    named = [*(t.metric for t in store.targets), *overrides, *(t.metric for t in DEFAULT_TARGETS)]
    metrics = list(dict.fromkeys(named))
    entries = [_entry(store, metric, overrides.get(metric)) for metric in metrics]
    rule_set, rule_rows = alert_rule_set(db, store.name)
    rules = store.relative_rules if rule_set is None else tuple(_rule(row) for row in rule_rows)
    rules_origin = (FILE if store.alert_rules is not None else DEFAULT) if rule_set is None else \
        Origin("slack", rule_set["set_by"], rule_set["set_at"])
    chosen = tuple(e.target or Target(e.metric) for e in entries if e.origin.source != "default")
    effective = replace(store, targets=chosen, alert_rules=rules if rule_set is not None else store.alert_rules)
    return TargetSettings(effective, tuple(entries), rules, rules_origin, store.relative_rules)


def effective_store(db: Warehouse, store: StoreSettings) -> StoreSettings:
    """``store`` with the targets and alert rules in force (the same whether applied once or twice)."""
    return target_settings(db, store).store


def _entry(store: StoreSettings, metric: str, row: Mapping[str, Any] | None) -> TargetEntry:
    base = file_target(store, metric)
    if row is None:
        configured = any(t.metric == metric for t in store.targets)
        return TargetEntry(metric, base, FILE if configured else DEFAULT)
    target = bounded(Target(metric, row["min_value"], row["max_value"], row["period"]))
    configured = any(t.metric == metric for t in store.targets)
    return TargetEntry(metric, target, Origin("slack", row["set_by"], row["set_at"]), base,
                       "file" if configured else "default")


def _rule(row: Mapping[str, Any]) -> RelativeRule:
    return RelativeRule(row["metric"], float(row["drop_fraction"]), float(row["min_volume"]), row["volume_metric"])


def save_targets(db: Warehouse, store: StoreSettings, targets: Sequence[Target],
                 rules: Sequence[RelativeRule] | None, user: str, now: datetime) -> list[str]:
    """Save what a form submitted (``rules`` None: the form did not show them); returns what changed.

    Only what differs from the values in force is written, so "who set it, when" stays true of
    every other value. A value equal to the file's drops the override: the file speaks again.
    """
    current = target_settings(db, store)
    in_force = {entry.metric: entry.target for entry in current.targets}
    changes: dict[str, dict[str, Any] | None] = {}
    for target in targets:
        if same_target(target, in_force.get(target.metric)) and target.metric not in _pending(current, target):
            continue
        changes[target.metric] = None if same_target(target, file_target(store, target.metric)) else {
            "min_value": target.min, "max_value": target.max, "period": target.period}
    keep_rules = rules is None or tuple(rules) == current.rules
    rule_rows = None if rules is None or tuple(rules) == store.relative_rules else [
        {"metric": r.metric, "drop_fraction": r.drop, "min_volume": r.min_volume, "volume_metric": r.volume_metric}
        for r in rules]
    if changes or not keep_rules:
        save_overrides(db, store.name, changes, rule_rows, keep_rules, user, now.isoformat(timespec="seconds"))
    return [*changes, *([] if keep_rules else ["alert_rules"])]


def _pending(current: TargetSettings, target: Target) -> set[str]:
    """KPIs whose Slack override now equals the file: saving them again hands them back to the file."""
    return {e.metric for e in current.targets if e.origin.source == "slack" and e.metric == target.metric
            and same_target(target, e.file_target)}
