"""Validating a store's calendar keys: ``country`` and ``[[stores.events]]``."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.config.problems import Problems
from kpi.anomalies.calendar import supported_country
from kpi.settings import PlannedEvent

EVENT_KEYS = {"name", "start", "end", "expect"}
EXPECTS = ("up", "down")
MAX_EVENT_DAYS = 366


def country(problems: Problems, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value) and supported_country(value):
        return value
    hint = f" (write {value.upper()!r})" if isinstance(value, str) and supported_country(value.upper()) else ""
    problems.add(key, f"must be an ISO 3166-1 alpha-2 country code such as \"IT\" or \"US\"{hint}", value)
    return None


def planned_events(problems: Problems, key: str, raw: Any) -> tuple[PlannedEvent, ...]:
    if not isinstance(raw, list):
        problems.add(key, "must be a list of [[stores.events]] tables with name, start and end", raw)
        return ()
    events = [_event(problems, f"{key}[{i}]", item) for i, item in enumerate(raw)]
    return tuple(event for event in events if event is not None)


def _event(problems: Problems, key: str, raw: Any) -> PlannedEvent | None:
    if not isinstance(raw, dict):
        problems.add(key, "must be a table such as { name = \"Saldi invernali\", start = 2026-01-03, "
                          "end = 2026-02-28 }", raw)
        return None
    problems.unknown_keys(f"{key}.", raw, EVENT_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(f"{key}.name", "must be the event's name, such as \"Saldi invernali\"", name)
    start, end = _day(problems, f"{key}.start", raw.get("start")), _day(problems, f"{key}.end", raw.get("end"))
    if start and end and not 0 <= (end - start).days < MAX_EVENT_DAYS:
        problems.add(f"{key}.end", f"must be on or after start ({start}) and within a year of it", end.isoformat())
        return None
    expect = raw.get("expect")
    if expect is not None and expect not in EXPECTS:
        problems.add(f"{key}.expect", f"must be one of {' | '.join(EXPECTS)}", expect)
        return None
    if not (isinstance(name, str) and name.strip() and start and end):
        return None
    return PlannedEvent(name.strip(), start, end, expect)


def _day(problems: Problems, key: str, value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(key, "must be a date such as 2026-01-03", value)
    return None
