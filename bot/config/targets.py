"""The rules a target or a relative alert rule must follow, wherever it is set.

``kpibot.toml`` and the targets modal in Slack (``bot.slack.self_service.targets``) check
values here, so both refuse the same things with the same sentence: a ``Problem`` is a code
and its parameters, worded by ``bot.i18n`` (English for the file, the store's language in
Slack).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import t
from kpi.catalogue import BY_NAME
from kpi.settings import RelativeRule, Target

PERIODS = ("month",)
RULE_KEYS = {"metric", "drop", "min_volume", "volume_metric"}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one key of an entry (``where``; ``""``: the whole entry), as a code for ``bot.i18n``."""

    where: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    got: Any = None

    def text(self, language: str) -> str:
        return t(f"rule_{self.code}", language, **self.params)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def metric_problem(name: Any, where: str = "metric") -> Problem | None:
    """None when ``name`` is a KPI of the catalogue."""
    if isinstance(name, str) and name in BY_NAME:
        return None
    close = difflib.get_close_matches(str(name), list(BY_NAME), n=1)
    if close:
        return Problem(where, "not_a_kpi_close", {"close": close[0]})
    return Problem(where, "not_a_kpi")


def check_target(metric: str, bounds: Mapping[str, Any]) -> tuple[Target, list[Problem]]:
    """A target from ``min``, ``max`` and ``period``; the problems found (the target is usable when none)."""
    problems: list[Problem] = []
    values: dict[str, float | None] = {}
    is_ratio = BY_NAME[metric].unit == "ratio" if metric in BY_NAME else False
    for side in ("min", "max"):
        value = bounds.get(side)
        if value is not None and not is_number(value):
            problems.append(Problem(side, "not_a_number", got=value))
            value = None
        elif is_ratio and value is not None and not 0 <= value <= 1:
            problems.append(fraction_problem(side, value))
            value = None
        values[side] = float(value) if value is not None else None
    if values["min"] is not None and values["max"] is not None and values["min"] > values["max"]:
        problems.append(Problem("", "min_above_max", got=dict(bounds)))
    period = bounds.get("period")
    if period is not None and period not in PERIODS:
        problems.append(Problem("period", "bad_period", {"allowed": " | ".join(PERIODS)}, got=period))
        period = None
    return Target(metric, min=values["min"], max=values["max"], period=period), problems


def fraction_problem(side: str, value: float) -> Problem:
    if 1 < value <= 100:  # a percentage typed as one: say what to write instead
        return Problem(side, "not_a_fraction_percent", {"fraction": f"{value / 100:g}", "percent": f"{value:g}"},
                       got=value)
    return Problem(side, "not_a_fraction", got=value)


def check_rule(raw: Mapping[str, Any]) -> tuple[RelativeRule | None, list[Problem]]:
    """A relative alert rule from ``metric``, ``drop``, ``min_volume`` and ``volume_metric``."""
    problems = [p for p in (metric_problem(raw.get("metric")),) if p]
    volume_metric = raw.get("volume_metric")
    if volume_metric is not None and (found := metric_problem(volume_metric, "volume_metric")):
        problems.append(found)
    drop: Any = raw.get("drop")
    volume: Any = raw.get("min_volume", 0)
    if not (is_number(drop) and 0 < float(drop) < 1):
        problems.append(Problem("drop", "drop_range", got=drop))
    if not (is_number(volume) and float(volume) >= 0):
        problems.append(Problem("min_volume", "volume_range", got=volume))
    if problems:
        return None, problems
    return RelativeRule(str(raw["metric"]), float(drop), float(volume), volume_metric), []
