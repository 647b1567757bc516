"""Pure parsing of Meta Marketing API insights and usage headers, testable on saved JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Meta reports one purchase under several action types with the same value; counting more
# than one of them would double it. The omni-channel figure is the one Ads Manager shows.
PURCHASE_TYPES = ("omni_purchase", "purchase")
SLOW_FROM = 60.0  # percent of a usage limit at which the sync starts pausing between requests
STOP_AT = 90.0  # percent at which it stops for this run rather than risk the throttle


@dataclass(frozen=True)
class Usage:
    percent: float = 0.0  # the highest of every usage figure Meta sent
    regain_seconds: float = 0.0  # Meta's own estimate of when a throttle lifts


def purchases(actions: Any) -> float:
    """``omni_purchase`` when present, else ``purchase``; never their sum."""
    values = {str(a.get("action_type")): a.get("value") for a in actions or [] if isinstance(a, dict)}
    for kind in PURCHASE_TYPES:
        if kind in values:
            return float(values[kind] or 0)
    return 0.0


def insight_rows(store: str, account_id: str, pages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for page in pages:
        for item in page.get("data") or []:
            key = (str(item["date_start"]), str(item["campaign_id"]))
            rows[key] = {"store": store, "date": key[0], "account_id": account_id, "campaign_id": key[1],
                         "campaign_name": item.get("campaign_name"), "spend": round(float(item.get("spend") or 0), 2),
                         "impressions": int(float(item.get("impressions") or 0)),
                         "clicks": int(float(item.get("clicks") or 0)), "purchases": purchases(item.get("actions")),
                         "purchase_value": round(purchases(item.get("action_values")), 2),
                         "currency": item.get("account_currency")}
    return list(rows.values())


def usage(headers: Mapping[str, str]) -> Usage:
    """The tightest of ``x-business-use-case-usage``, ``x-ad-account-usage`` and the insights throttle."""
    percents: list[float] = []
    regain = 0.0
    for entries in _json(headers.get("x-business-use-case-usage")).values():
        for entry in entries if isinstance(entries, list) else []:
            percents += [float(entry.get(k) or 0) for k in ("call_count", "total_cputime", "total_time")]
            regain = max(regain, 60.0 * float(entry.get("estimated_time_to_regain_access") or 0))
    account = _json(headers.get("x-ad-account-usage"))
    percents.append(float(account.get("acc_id_util_pct") or 0))
    regain = max(regain, float(account.get("reset_time_duration") or 0)) if percents[-1] >= 100 else regain
    throttle = _json(headers.get("x-fb-ads-insights-throttle"))
    percents += [float(throttle.get(k) or 0) for k in ("app_id_util_pct", "acc_id_util_pct")]
    return Usage(max(percents), regain)


def pause_for(current: Usage) -> float | None:
    """Seconds to wait before the next request, or None to stop for this run."""
    if current.regain_seconds or current.percent >= STOP_AT:
        return None
    if current.percent < SLOW_FROM:
        return 0.0
    return 180.0 * (current.percent - SLOW_FROM) / (STOP_AT - SLOW_FROM)


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
