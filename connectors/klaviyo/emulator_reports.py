"""The Klaviyo emulator's report bodies: validated as Klaviyo validates them, answered from the demo frames."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from connectors.emulation.http import cursor_offset, offset_cursor
from connectors.klaviyo.demo import STATS, KlaviyoDemo

ALLOWED = set(STATS) | {"opens", "clicks", "open_rate", "click_rate", "conversion_rate", "bounced", "unsubscribes",
                        "average_order_value", "revenue_per_recipient", "spam_complaints", "failed"}
CONVERSION_STATS = ("conversions", "conversion_uniques", "conversion_value")
TITLES = {400: "Invalid input.", 401: "Authentication credentials were not provided.", 404: "Not found.",
          429: "Request was throttled.", 500: "A server error occurred."}


@dataclass
class ApiError(Exception):
    status: int
    code: str
    detail: str
    headers: Mapping[str, str] = field(default_factory=dict)
    pointer: str | None = None

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"id": str(uuid.uuid4()), "status": self.status, "code": self.code,
                                 "title": TITLES.get(self.status, "Error."), "detail": self.detail}
        if self.pointer:
            error["source"] = {"pointer": self.pointer}
        return error


def flow_series(data: KlaviyoDemo, body: Any, rejected: set[str], cursor: str | None, page_size: int,
                link: str) -> dict[str, Any]:
    attributes = _attributes(body, "flow-series-report", data, rejected, ("flow_id", "flow_message_id"))
    if attributes.get("interval") != "daily":
        raise ApiError(400, "invalid", "The emulator serves interval 'daily' only.",
                       pointer="/data/attributes/interval")
    start, end = _timeframe(attributes, 60, "If daily is used, the timeframe cannot be longer than 60 days.")
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days)]
    frame = data.flow_days[(data.flow_days["date"] >= days[0]) & (data.flow_days["date"] <= days[-1])]
    keys = ["flow_id", "message_id", "send_channel"]
    groups = sorted(frame.groupby(keys).groups) if len(frame) else []
    offset = _offset(cursor)
    chosen = groups[offset:offset + page_size]
    statistics = attributes["statistics"]
    tables = _pivot(frame, keys, statistics, days, chosen)
    conversions_counted = attributes.get("conversion_metric_id") == data.placed_order_id
    results = [{"groupings": {"flow_id": g[0], "flow_message_id": g[1], "send_channel": g[2]},
                "statistics": {name: _series(tables[name], g, name, conversions_counted) for name in statistics}}
               for g in chosen]
    return _document("flow-series-report", {"results": results, "date_times": [f"{d}T00:00:00+00:00" for d in days]},
                     link, offset + page_size if offset + page_size < len(groups) else None)


def campaign_values(data: KlaviyoDemo, body: Any, rejected: set[str], cursor: str | None, page_size: int,
                    link: str) -> dict[str, Any]:
    attributes = _attributes(body, "campaign-values-report", data, rejected, ("campaign_id", "campaign_message_id"))
    if "interval" in attributes:
        raise ApiError(400, "invalid", "'interval' is not a valid field for the resource 'campaign-values-report'.",
                       pointer="/data/attributes/interval")
    start, end = _timeframe(attributes, 365, "The timeframe cannot be longer than 1 year.")
    sent = data.campaigns[(data.campaigns["date"] >= start.isoformat()) & (data.campaigns["date"] < end.isoformat())]
    sent = sent.sort_values("campaign_id")
    offset = _offset(cursor)
    conversions_counted = attributes.get("conversion_metric_id") == data.placed_order_id
    results = [{"groupings": {"campaign_id": row["campaign_id"], "campaign_message_id": row["message_id"],
                              "send_channel": row["channel"]},
                "statistics": {name: _number(row.get(name, 0), name, conversions_counted)
                               for name in attributes["statistics"]}}
               for row in sent.iloc[offset:offset + page_size].to_dict("records")]
    return _document("campaign-values-report", {"results": results}, link,
                     offset + page_size if offset + page_size < len(sent) else None)


def _attributes(body: Any, kind: str, data: KlaviyoDemo, rejected: set[str], required: tuple[str, ...]) -> Any:
    resource = (body or {}).get("data") if isinstance(body, dict) else None
    if not isinstance(resource, dict) or resource.get("type") != kind:
        raise ApiError(400, "invalid", f"The resource type must be '{kind}'.", pointer="/data/type")
    attributes = resource.get("attributes") or {}
    statistics = attributes.get("statistics")
    if not isinstance(statistics, list) or not statistics:
        raise ApiError(400, "invalid", "'statistics' is required.", pointer="/data/attributes/statistics")
    for index, name in enumerate(statistics):
        if name not in ALLOWED or name in rejected:
            raise ApiError(400, "invalid", f"'{name}' is not a valid choice for 'statistics'.",
                           pointer=f"/data/attributes/statistics/{index}")
    if attributes.get("conversion_metric_id") not in {m["id"] for m in data.metrics}:
        raise ApiError(400, "invalid", "'conversion_metric_id' must be the id of a metric in this account.",
                       pointer="/data/attributes/conversion_metric_id")
    if not set(required) <= set(attributes.get("group_by") or required):
        raise ApiError(400, "invalid", f"group_by must include {', '.join(required)}.",
                       pointer="/data/attributes/group_by")
    return attributes


def _timeframe(attributes: Mapping[str, Any], max_days: int, too_long: str) -> tuple[date, date]:
    frame = attributes.get("timeframe") or {}
    try:
        start, end = date.fromisoformat(frame["start"][:10]), date.fromisoformat(frame["end"][:10])
    except (KeyError, TypeError, ValueError):
        raise ApiError(400, "invalid", "The emulator serves custom timeframes {start, end} only.",
                       pointer="/data/attributes/timeframe") from None
    if not start < end:
        raise ApiError(400, "invalid", "The timeframe must end after it starts.", pointer="/data/attributes/timeframe")
    if (end - start).days > max_days:
        raise ApiError(400, "invalid", too_long, pointer="/data/attributes/timeframe")
    return start, end


def _pivot(frame: pd.DataFrame, keys: list[str], names: list[str], days: list[str], chosen: list[Any]
           ) -> dict[str, pd.DataFrame]:
    """Per statistic, a table of the chosen groups by day (one reshaping for every statistic)."""
    present = [name for name in names if name in frame.columns]
    tables = dict.fromkeys(names, pd.DataFrame())
    if not present or not chosen:
        return tables
    wide = frame.groupby([*keys, "date"])[present].sum().unstack("date", fill_value=0)
    for name in present:
        tables[name] = wide[name].reindex(columns=days, fill_value=0)
    return tables


def _series(table: pd.DataFrame, group: Any, name: str, conversions_counted: bool) -> list[float | int]:
    if table.empty or group not in table.index:
        return [0] * len(table.columns)
    return [_number(value, name, conversions_counted) for value in table.loc[group].tolist()]


def _number(value: Any, name: str, conversions_counted: bool) -> float | int:
    if name in CONVERSION_STATS and not conversions_counted:
        return 0
    if name == "conversion_value":
        return round(float(value), 2)
    return int(value) if name in STATS else 0


def _document(kind: str, attributes: dict[str, Any], link: str, next_offset: int | None) -> dict[str, Any]:
    next_link = f"{link}?page_cursor={_cursor(next_offset)}" if next_offset is not None else None
    return {"data": {"type": kind, "id": str(uuid.uuid4()), "attributes": attributes,
                     "relationships": {}}, "links": {"self": link, "next": next_link, "previous": None}}


def _cursor(offset: int) -> str:
    return offset_cursor(offset, "r")


def _offset(cursor: str | None) -> int:
    offset = cursor_offset(cursor)
    if offset is None:
        raise ApiError(400, "invalid", "Invalid page_cursor.") from None
    return offset
