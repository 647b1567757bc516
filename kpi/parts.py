"""Reading one part of a KPI's formula: its sums per breakdown key, whatever the part's shape.

A ``Sum`` is one grouped read (order measures are counted from the orders instead); a
``Total`` adds its parts key by key; ``FirstOf`` reads the first part whose sources hold data
for the store; an ``EntrySum`` takes each flow's entry message. A NaN (a statistic the source
refused) stays NaN through every step: unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from kpi.answer import Period
from kpi.metric import STORE_CURRENCY, EntrySum, FirstOf, Formula, Leaf, Sum, Total, leaves
from kpi.orders.measures import order_measures
from kpi.orders.retention import RETENTION_MEASURES, retention_sums
from kpi.orders.shop import PRODUCT_SPLITS, shop_part_sums
from kpi.query.errors import QueryError
from kpi.reader import KpiReader
from kpi.settings import StoreSettings

# What each source's sums can be split by (`by`): GA4's dimensions, the order-side splits, and the
# marketing sources' flows, campaigns, platforms and send channels.
BREAKDOWNS: dict[str, set[str]] = {
    "sessions": {"channel", "device", "visitor"}, "ads": {"channel", "campaign", "platform"},
    "users": set(), "orders": {"segment", "visitor"}, "shop": set(PRODUCT_SPLITS),
    "klaviyo_flows": {"flow", "send_channel"}, "klaviyo_campaigns": {"campaign", "send_channel"},
    "meta_ads": {"channel", "campaign", "platform"},
}
DAY = "date"  # an internal split: one value per day, for charts
TOTAL = ""
# A KPI that counts email only, split by send channel, shows the same formula on each channel
# (email beside SMS): the split lifts the formula's own send-channel filter.
LIFTED_BY = frozenset({"send_channel"})


def part_sums(db: KpiReader, store: StoreSettings, part: Formula, period: Period, by: str | None = None
              ) -> dict[str, float]:
    """Σ of one formula part over ``period``, per breakdown key (or under ``TOTAL``)."""
    if isinstance(part, FirstOf):
        return part_sums(db, store, choose(db, store, part), period, by)
    if isinstance(part, Total):
        readable = [p for p in part.parts if by is None or can_split(db, store, p, by)]
        if not readable:
            raise cannot_split(part, by or "")
        return add(part_sums(db, store, p, period, by) for p in readable)
    if by is not None and not can_split(db, store, part, by):
        raise cannot_split(part, by)
    if isinstance(part, EntrySum):
        return entry_sums(db, store, part, period, by)
    if part.source == "orders":
        return _order_sums(db, store, part, period, by)
    if part.source == "shop":
        return shop_part_sums(db, store, part, period, by)
    return db.sums(store.name, part.source, part.measure, period.start, period.end, by=by,
                   where=where_of(store, part, by))


def can_split(db: KpiReader, store: StoreSettings, part: Formula, by: str) -> bool:
    if isinstance(part, FirstOf):
        return can_split(db, store, choose(db, store, part), by)
    if isinstance(part, Total):
        return any(can_split(db, store, p, by) for p in part.parts)
    if by == DAY:
        return part.source != "orders"
    if part.source == "orders" and part.measure in RETENTION_MEASURES:
        return False
    return by in BREAKDOWNS[part.source]


def choose(db: KpiReader, store: StoreSettings, part: FirstOf) -> Formula:
    """The first alternative whose every source holds data for the store, else the last one."""
    for option in part.parts:
        if all(db.data_span(store.name, leaf.source) is not None for leaf in leaves(option)):
            return option
    return part.parts[-1]


def resolved_leaves(db: KpiReader, store: StoreSettings, part: Formula) -> tuple[Leaf, ...]:
    """The sums a formula reads for this store: each ``FirstOf`` replaced by its choice."""
    if isinstance(part, FirstOf):
        return resolved_leaves(db, store, choose(db, store, part))
    if isinstance(part, Total):
        return tuple(leaf for p in part.parts for leaf in resolved_leaves(db, store, p))
    return (part,)


def where_of(store: StoreSettings, part: Leaf, by: str | None) -> dict[str, str]:
    return {column: store.currency if value == STORE_CURRENCY else value for column, value in part.where
            if not (column == by and by in LIFTED_BY)}


def add(parts: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Sums added key by key (a NaN anywhere in a key keeps that key unknown)."""
    total: dict[str, float] = {}
    for sums in parts:
        for key, value in sums.items():
            total[key] = total.get(key, 0.0) + value
    return total


def entry_sums(db: KpiReader, store: StoreSettings, part: EntrySum, period: Period, by: str | None
               ) -> dict[str, float]:
    """Per key: Σ over flows of the measure of each flow's entry message (most recipients in the period)."""
    split = [by] if by not in (None, DAY, "flow_id", "message_id") else []
    frame = db.daily(store.name, part.source, part.measure, period.start, period.end,
                     by=["flow_id", "message_id", *split], where=where_of(store, part, by))
    if frame.empty:
        return {}
    keys = [*split, *([DAY] if by == DAY else [])]
    per_message = _known(frame.set_index([*keys, "flow_id", "message_id"])["value"], "sum")
    entries = _known(per_message, "max", [*keys, "flow_id"])
    if not keys:
        return {TOTAL: float(entries.sum(skipna=False))}
    return {str(key): float(value) for key, value in _known(entries, "sum", keys).items()}


def _known(values: pd.Series, how: str, levels: list[str] | None = None) -> pd.Series:
    """``values`` summed (or maxed) per ``levels`` (every index level by default); NaN when any is NaN."""
    level = levels if levels is not None else list(values.index.names)
    groups = values.groupby(level=level)
    result = groups.sum() if how == "sum" else groups.max()
    return result.mask(values.isna().groupby(level=level).any())


def _order_sums(db: KpiReader, store: StoreSettings, part: Sum, period: Period, by: str | None
                ) -> dict[str, float]:
    if part.measure in RETENTION_MEASURES:
        return {TOTAL: retention_sums(db, store, period)[part.measure]}
    frame = order_measures(db, store, period, by)
    if part.measure not in frame.columns:
        return {}
    return {TOTAL if by is None else str(key): float(value) for key, value in frame[part.measure].items()}


def cannot_split(part: Formula, by: str) -> QueryError:
    if isinstance(part, Sum) and part.source == "users":
        return QueryError("users_cannot_split", suggestion="sessions last-30d by " + by,
                          example="sessions last-30d by channel")
    known = ("campaign", "segment", "visitor", "flow", "platform", "send_channel", *PRODUCT_SPLITS)
    code = f"cannot_split_{by}" if by in known else "cannot_split"
    return QueryError(code, {"by": by}, example=SPLIT_EXAMPLES.get(by, "revenue last-30d by channel"))


SPLIT_EXAMPLES = {"campaign": "ad_cost last-30d by campaign", "product": "shop_revenue last-30d by product",
                  "product_type": "shop_revenue last-30d by product_type",
                  "flow": "email_attributed_revenue last-30d by flow", "platform": "ad_cost last-30d by platform",
                  "send_channel": "email_attributed_revenue last-30d by send_channel"}
