"""The targets and alert rules in force, written back as kpibot.toml (`kpibot targets --export`).

Values set from Slack carry a comment saying who set them and when; a target switched off
is written as ``{}``. Pasted in place of a store's ``[stores.targets]`` and
``[[stores.alert_rules]]``, the file says what Slack set, and the same rules read it back.
"""

from __future__ import annotations

from kpi.settings import RelativeRule, Target
from schedules.targets import Origin, TargetSettings


def number(value: float) -> str:
    return repr(float(value))


def target_toml(target: Target | None) -> str:
    if target is None:
        return "{}"
    parts = [f"{side} = {number(value)}" for side, value in (("min", target.min), ("max", target.max))
             if value is not None]
    if target.period:
        parts.append(f'period = "{target.period}"')
    return "{ " + ", ".join(parts) + " }"


def comment(origin: Origin) -> str:
    return f"  # set from Slack by {origin.set_by} at {origin.set_at}" if origin.source == "slack" else ""


def rule_toml(rule: RelativeRule) -> list[str]:
    lines = ["[[stores.alert_rules]]", f'metric = "{rule.metric}"', f"drop = {number(rule.drop)}",
             f"min_volume = {number(rule.min_volume)}"]
    if rule.volume_metric:
        lines.append(f'volume_metric = "{rule.volume_metric}"')
    return lines


def targets_toml(view: TargetSettings) -> str:
    """The store's targets (defaults left out: they apply by themselves) and alert rules, as TOML to paste
    at the end of the store's ``[[stores]]`` entry, in place of its own targets and alert rules."""
    rules = view.rules_origin.source != "default"  # the defaults apply without a word in the file
    said = comment(view.rules_origin) or "  # kpibot.toml"
    lines = [f"# {view.store.name}: in place of this store's [stores.targets] and [[stores.alert_rules]]"]
    if rules and not view.rules:  # a key of the [[stores]] entry itself: before any of its tables
        lines.append(f"alert_rules = []{said}: relative alerts switched off")
    lines.append("[stores.targets]")
    lines += [f"{entry.metric} = {target_toml(entry.target)}{comment(entry.origin)}"
              for entry in view.targets if entry.origin.source != "default"]
    if not rules:
        lines.append("# alert rules: kpibot's defaults (no [[stores.alert_rules]] needed)")
    elif view.rules:
        lines += ["", f"# alert rules{said.replace('  #', ':')}"]
    for rule in view.rules if rules else ():
        lines += rule_toml(rule)
    return "\n".join(lines) + "\n"
