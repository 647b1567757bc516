"""The same questions answered from two warehouses: ``kpibot migrate-db`` checks its copy with them.

An answer is what ``kpibot ask --json`` prints (SPEC §6), or the error's one sentence; two
warehouses agree when every answer is equal, value for value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.render.json import answer_json
from connectors.warehouse import Warehouse
from kpi.query.parser import Query, parse
from kpi.service import answer
from kpi.settings import StoreSettings

# a sample across the sources: GA4 sessions and ads, orders, ratios, a breakdown, both comparisons
SAMPLE = ("revenue last-30d vs prev", "sessions last-7d by channel", "aov mtd vs ly", "cvr yesterday",
          "roas last-30d", "users last-month", "customers last-90d", "repurchase_rate ytd")


def as_of_for(db: Warehouse, store: str) -> date | None:
    """The day after the last day with data (GA4, else orders): where a sample shows the most."""
    spans = [span for source in ("sessions", "orders") if (span := db.data_span(store, source))]
    return spans[0][1] + timedelta(days=1) if spans else None


def answer_of(db: Warehouse, store: StoreSettings, text: str, as_of: date) -> Any:
    """``kpibot ask TEXT --json`` as a value: the JSON object, or the error's sentence."""
    try:
        query = parse(text)
        assert isinstance(query, Query)
        return answer_json(answer(db, store, query, as_of))
    except Exception as error:  # noqa: BLE001 - an error is an answer too, and must match
        return f"{type(error).__name__}: {error}"


def differences(first: Warehouse, second: Warehouse, stores: Sequence[StoreSettings],
                texts: Sequence[str] = SAMPLE) -> tuple[int, list[str]]:
    """(answers compared, what differs): each store's ``texts`` asked of both warehouses."""
    compared, differing = 0, []
    for store in stores:
        as_of = as_of_for(first, store.name)
        if as_of is None:
            continue
        for text in texts:
            one, other = answer_of(first, store, text, as_of), answer_of(second, store, text, as_of)
            compared += 1
            if one != other:
                differing.append(f"{store.name}: {text!r} as of {as_of}: {one} <> {other}")
    return compared, differing
