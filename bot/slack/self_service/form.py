"""Reading a submitted targets form (``view.state.values``) with the rules of kpibot.toml.

Each input's block id says what it edits (``bot.render.targets``): ``t|<kpi>|min|max|period``,
``t|new|metric`` for a new target, ``r|<n>|metric|drop|volume|volume_metric`` for alert rules.
Every value goes through ``bot.config.targets``, the same checks the file goes through, and
a problem comes back as the sentence to show under its input (``response_action: errors``).
A submission is only a claim: a block id naming no KPI is refused like a bad value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config.targets import Problem, check_rule, check_target, metric_problem
from bot.i18n import t
from bot.render.targets import NEW, rule_block, target_block
from kpi.settings import RelativeRule, Target

RULE_FIELDS = {"metric": "metric", "drop": "drop", "volume": "min_volume", "volume_metric": "volume_metric"}
TARGET_PARTS = ("min", "max", "period", "metric")
MAX_INPUTS = 200  # a modal holds 100 blocks: more is not a form kpibot built


@dataclass
class Form:
    targets: list[Target] = field(default_factory=list)
    rules: list[RelativeRule] | None = None  # None: the form did not show the rules
    errors: dict[str, str] = field(default_factory=dict)  # block id → the sentence shown under it


def entered(state: Any) -> str | None:
    """What one input holds: a number or text as typed, a chosen option's value, or None."""
    if not isinstance(state, Mapping):
        return None
    picked = state.get("selected_option")
    value = picked.get("value") if isinstance(picked, Mapping) else state.get("value")
    return value if isinstance(value, str) and value.strip() else None


def number(text: str | None) -> Any:
    """A typed number as a float; text that is no number stays text, for the rules to refuse."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text[:40]


def problem_text(problem: Problem, language: str) -> str:
    rule = problem.text(language)
    shown = problem.got is not None and not isinstance(problem.got, dict)
    return t("rule_got", language, rule=rule, value=repr(problem.got)) if shown else rule  # as the file is told


class NotOurForm(ValueError):
    """The submission is not shaped like any form kpibot builds."""


def read_form(values: Any, language: str) -> Form:
    if not isinstance(values, Mapping) or len(values) > MAX_INPUTS:
        raise NotOurForm("state.values is not a table of at most 200 inputs")
    form = Form()
    targets: dict[str, dict[str, Any]] = {}
    rules: dict[str, dict[str, Any]] = {}
    for block_id, inputs in values.items():
        kind, _, rest = str(block_id).partition("|")
        key, _, part = rest.partition("|")
        value = entered(inputs.get("value") if isinstance(inputs, Mapping) else None)
        if kind == "t" and part in TARGET_PARTS:
            targets.setdefault(key, {})[part] = value
        elif kind == "r" and part in RULE_FIELDS:
            rules.setdefault(key, {})[part] = value
    _read_targets(form, targets, language)
    if rules:
        _read_rules(form, rules, language)
    return form


def _read_targets(form: Form, targets: dict[str, dict[str, Any]], language: str) -> None:
    chosen: dict[str, Target] = {}
    for key, raw in sorted(targets.items(), key=lambda item: item[0] == NEW):  # a new target comes last: it wins
        metric = raw.get("metric") if key == NEW else key
        if key == NEW and (metric is None or (raw.get("min") is None and raw.get("max") is None)):
            continue  # the "add a target" row left empty
        unknown = metric_problem(metric)
        if unknown is not None:
            form.errors[target_block(key, "metric" if key == NEW else "min")] = problem_text(unknown, language)
            continue
        period = None if raw.get("period") in (None, "week") else raw.get("period")  # "week": the last 7 days
        bounds = {"min": number(raw.get("min")), "max": number(raw.get("max")), "period": period}
        target, problems = check_target(str(metric), bounds)
        for problem in problems:
            form.errors[target_block(key, problem.where or "max")] = problem_text(problem, language)
        chosen[target.metric] = target
    form.targets = list(chosen.values())


def _read_rules(form: Form, rules: dict[str, dict[str, Any]], language: str) -> None:
    form.rules = []
    ordered = sorted(rules.items(), key=lambda item: (item[0] == NEW, int(item[0]) if item[0].isdigit() else 0))
    for key, raw in ordered:
        if raw.get("drop") is None and (key != NEW or raw.get("metric") is None):
            continue  # a rule whose drop was emptied is removed; the "new rule" row left empty
        fields = {"metric": raw.get("metric"), "drop": number(raw.get("drop")),
                  "min_volume": number(raw.get("volume")) if raw.get("volume") is not None else 0.0,
                  "volume_metric": raw.get("volume_metric")}
        rule, problems = check_rule(fields)
        parts = {name: part for part, name in RULE_FIELDS.items()}
        for problem in problems:
            form.errors[rule_block(key, parts.get(problem.where, "drop"))] = problem_text(problem, language)
        if rule is not None:
            form.rules.append(rule)
