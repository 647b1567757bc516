"""Validating the alert keys, in ``[kpibot]`` (the default of every store) or per ``[[stores]]``.

- ``max_alerts_per_day``: incident messages a day in an alert channel; the rest of the day's
  incidents go into one summary message, and critical ones always get their own.
- ``resolve_after_days``: judged days in a row with none of its KPIs flagged before an
  incident resolves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.config.problems import Problems

# key: (lowest, highest, what it is, default)
ALERT_KEYS: dict[str, tuple[int, int, str, int]] = {
    "max_alerts_per_day": (1, 50, "a whole number of alert messages a day", 3),
    "resolve_after_days": (1, 14, "a whole number of normal days", 2),
}


def alert_defaults(problems: Problems, root: Mapping[str, Any]) -> dict[str, int]:
    """The ``[kpibot]`` values every store starts from."""
    return {name: _whole(problems, f"kpibot.{name}", root.get(name, default), name)
            for name, (_, _, _, default) in ALERT_KEYS.items()}


def alert_settings(problems: Problems, label: str, raw: Mapping[str, Any], defaults: Mapping[str, int]
                   ) -> dict[str, int]:
    """A store's values: its own, else the ``[kpibot]`` ones."""
    return {name: _whole(problems, f"{label}.{name}", raw.get(name, defaults[name]), name) for name in ALERT_KEYS}


def _whole(problems: Problems, key: str, value: Any, name: str) -> int:
    low, high, what, default = ALERT_KEYS[name]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    problems.add(key, f"must be {what} between {low} and {high}, such as {default}", value)
    return default
