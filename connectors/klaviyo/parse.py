"""Pure parsing of Klaviyo JSON:API answers into warehouse rows, testable on saved JSON files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.klaviyo.reports import STATISTICS

CONVERSION_METRIC = "Placed Order"
MONEY = ("conversion_value",)


@dataclass(frozen=True)
class Flow:
    flow_id: str
    name: str
    status: str = ""
    archived: bool = False
    trigger_type: str = ""


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    status: str = ""
    send_time: str | None = None  # UTC, ISO 8601, as Klaviyo lists it


def parse_flows(page: Mapping[str, Any]) -> list[Flow]:
    flows = []
    for item in page.get("data") or []:
        attributes = item.get("attributes") or {}
        flows.append(Flow(str(item["id"]), str(attributes.get("name") or item["id"]),
                          str(attributes.get("status") or ""), bool(attributes.get("archived")),
                          str(attributes.get("trigger_type") or "")))
    return flows


def parse_campaigns(page: Mapping[str, Any], channel: str) -> list[Campaign]:
    campaigns = []
    for item in page.get("data") or []:
        attributes = item.get("attributes") or {}
        campaigns.append(Campaign(str(item["id"]), str(attributes.get("name") or item["id"]), channel,
                                  str(attributes.get("status") or ""), attributes.get("send_time")))
    return campaigns


def placed_order_metric(pages: Iterable[Mapping[str, Any]]) -> str | None:
    """The id of the "Placed Order" metric, preferring the shop integration's over an API-made one."""
    found = [item for page in pages for item in page.get("data") or []
             if (item.get("attributes") or {}).get("name") == CONVERSION_METRIC]
    found.sort(key=lambda item: ((item["attributes"].get("integration") or {}).get("category") in (None, "API"),))
    return str(found[0]["id"]) if found else None


def flow_series_rows(store: str, pages: Iterable[Mapping[str, Any]],
                     statistics: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per day × flow × message × channel with any activity; refused statistics are None."""
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for page in pages:
        attributes = (page.get("data") or {}).get("attributes") or {}
        days = [stamp[:10] for stamp in attributes.get("date_times") or []]
        for result in attributes.get("results") or []:
            groupings, series = result.get("groupings") or {}, result.get("statistics") or {}
            key = (str(groupings.get("flow_id")), str(groupings.get("flow_message_id")),
                   str(groupings.get("send_channel") or "email"))
            for index, day in enumerate(days):
                values = {name: _value(name, series[name][index]) if name in statistics else None
                          for name in STATISTICS}
                if any(values[name] for name in statistics):
                    rows[(day, *key)] = {"store": store, "date": day, "flow_id": key[0], "message_id": key[1],
                                         "send_channel": key[2], **values}
    return list(rows.values())


def campaign_value_rows(store: str, pages: Iterable[Mapping[str, Any]], statistics: tuple[str, ...],
                        campaigns: Mapping[str, Campaign], timezone: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Each campaign's totals per channel on its send date in ``timezone``; and the campaign ids
    that could not be placed (not listed, or never sent)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    unplaced: list[str] = []
    for page in pages:
        for result in ((page.get("data") or {}).get("attributes") or {}).get("results") or []:
            groupings, values = result.get("groupings") or {}, result.get("statistics") or {}
            campaign = campaigns.get(str(groupings.get("campaign_id")))
            if campaign is None or not campaign.send_time:
                unplaced.append(str(groupings.get("campaign_id")))
                continue
            channel = str(groupings.get("send_channel") or campaign.channel)
            row = rows.setdefault((campaign.campaign_id, channel), _campaign_row(store, campaign, channel, timezone,
                                                                                 statistics))
            for name in statistics:  # a campaign's messages (and variations) add up
                row[name] += _value(name, values.get(name, 0))
    return list(rows.values()), unplaced


def _campaign_row(store: str, campaign: Campaign, channel: str, timezone: str,
                  statistics: tuple[str, ...]) -> dict[str, Any]:
    return {"store": store, "date": send_date(campaign.send_time or "", timezone), "campaign_id": campaign.campaign_id,
            "name": campaign.name, "send_channel": channel, "send_time": campaign.send_time,
            **{name: (0.0 if name in MONEY else 0) if name in statistics else None for name in STATISTICS}}


def send_date(send_time: str, timezone: str) -> str:
    """The store's calendar day of a UTC send time (``2026-03-28T23:30:00+00:00`` is the 29th in Rome)."""
    moment = datetime.fromisoformat(send_time.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def _value(name: str, raw: Any) -> float | int:
    number = float(raw or 0)
    return round(number, 2) if name in MONEY else int(round(number))
