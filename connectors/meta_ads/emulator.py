"""A real HTTP server speaking the Graph API's ad-account insights: paging, usage headers, errors.

``GET /vNN.N/act_<id>/insights`` with ``level=campaign``, ``time_increment=1``, a ``time_range``,
``fields`` and ``limit``/``after`` cursor paging, answered from the demo rows with Meta's string
values and action lists. Every answer carries ``x-business-use-case-usage`` and
``x-ad-account-usage`` computed from the calls of the last hour on an injectable clock; over
100% it answers code 80000. Tests queue error codes (4, 17, 613, 80000, 80004, 190...).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from connectors.emulation.http import JsonHandler, cursor_offset, offset_cursor, serve
from connectors.meta_ads.demo import MetaDemo, actions
from connectors.meta_ads.sync import earliest_day

ROUTE = re.compile(r"^/v\d+\.\d+/(?P<account>act_\d+)/insights/?$")
ERRORS = {  # code: (HTTP status, type, message)
    4: (400, "OAuthException", "(#4) Application request limit reached"),
    17: (400, "OAuthException", "(#17) User request limit reached"),
    613: (400, "OAuthException", "(#613) Calls to this api have exceeded the rate limit."),
    80000: (400, "OAuthException", "(#80000) There have been too many calls from this ad-account. Wait a bit and "
                                   "try again."),
    80004: (400, "OAuthException", "(#80004) There have been too many calls to this ad-account. Wait a bit and "
                                   "try again."),
    190: (400, "OAuthException", "Error validating access token: Session has expired."),
    100: (400, "OAuthException", "(#100) Invalid parameter"),
    3018: (400, "OAuthException", "(#3018) The start date of the time range cannot be beyond 37 months from the "
                                  "current date"),
}


@dataclass
class MetaState:
    data: MetaDemo
    account_id: str
    today: date
    token: str | None = None  # None: any bearer token is accepted
    calls_per_hour: int = 10_000  # the usage capacity behind the headers
    clock: Callable[[], float] = time.time
    faults: deque[int] = field(default_factory=deque)
    calls: deque[float] = field(default_factory=deque)
    requests: int = 0
    log: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, code: int, times: int = 1) -> None:
        self.faults.extend([code] * times)

    def usage_percent(self) -> float:
        now = self.clock()
        while self.calls and self.calls[0] <= now - 3600:
            self.calls.popleft()
        return 100.0 * len(self.calls) / self.calls_per_hour


class _Handler(JsonHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        state: MetaState = self.state
        path, query = self.route()
        with state.lock:
            state.requests += 1
            state.calls.append(state.clock())
            fault = state.faults.popleft() if state.faults else None
            percent = state.usage_percent()
            state.log.append({k: v for k, v in query.items() if k != "access_token"})
        headers = _usage_headers(percent)
        match = ROUTE.match(path)
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if fault is None and percent > 100:
            fault = 80000
        if fault is None and (not token or (state.token and token != state.token)):
            fault = 190
        if fault is None and (not match or match["account"] != state.account_id):
            return self._error(100, headers, "(#100) Unsupported get request. Object does not exist or "
                                             "cannot be loaded due to missing permissions.")
        if fault is not None:
            return self._error(fault, headers)
        try:
            self.send_json(200, _insights(state, query, self.base_url() + path), headers)
        except _Refused as refused:
            self._error(refused.code, headers, refused.message)

    def _error(self, code: int, headers: dict[str, str], message: str | None = None) -> None:
        status, kind, default = ERRORS.get(code, (400, "OAuthException", f"(#{code}) Error"))
        body = {"error": {"message": message or default, "type": kind, "code": code,
                          "fbtrace_id": "AbCdEf" + str(code)}}
        if code == 190:
            body["error"]["error_subcode"] = 463
        self.send_json(status, body, headers)


class _Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _insights(state: MetaState, query: dict[str, str], link: str) -> dict[str, Any]:
    if query.get("level") != "campaign" or query.get("time_increment") != "1":
        raise _Refused(100, "(#100) The emulator serves level=campaign with time_increment=1 only")
    try:
        window = json.loads(query["time_range"])
        since, until = date.fromisoformat(window["since"]), date.fromisoformat(window["until"])
    except (KeyError, ValueError, TypeError):
        raise _Refused(100, "(#100) time_range must be {\"since\":\"YYYY-MM-DD\",\"until\":\"YYYY-MM-DD\"}") from None
    if since < earliest_day(state.today) - timedelta(days=1):
        raise _Refused(3018, ERRORS[3018][2])
    fields = set(query.get("fields", "").split(","))
    table = state.data.rows
    rows = table[(table["date"] >= since.isoformat()) & (table["date"] <= until.isoformat())]
    limit = min(int(query.get("limit") or 25), 500)
    offset = _offset(query.get("after"))
    page = [_row(record, fields, state.data.currency) for record in rows.iloc[offset:offset + limit].to_dict("records")]
    paging: dict[str, Any] = {"cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page))}}
    if offset + limit < len(rows):
        paging["next"] = f"{link}?after={_cursor(offset + len(page))}&limit={limit}"
    return {"data": page, "paging": paging}


def _row(record: dict[str, Any], fields: set[str], currency: str) -> dict[str, Any]:
    full = {"campaign_id": record["campaign_id"], "campaign_name": record["campaign_name"],
            "spend": f"{record['spend']:.2f}", "impressions": str(int(record["impressions"])),
            "clicks": str(int(record["clicks"])), "account_currency": currency,
            "actions": actions(record["purchases"], record["purchase_value"], int(record["clicks"]), record["omni"],
                               money=False),
            "action_values": actions(record["purchases"], record["purchase_value"], 0, record["omni"], money=True)}
    row = {name: value for name, value in full.items() if name in fields}
    return {**row, "date_start": record["date"], "date_stop": record["date"]}


def _usage_headers(percent: float) -> dict[str, str]:
    share = min(round(percent), 100)
    regain = 0 if percent <= 100 else 5
    buc = {"1234567890": [{"type": "ads_insights", "call_count": share, "total_cputime": round(share * 0.6),
                           "total_time": round(share * 0.7), "estimated_time_to_regain_access": regain,
                           "ads_api_access_tier": "standard_access"}]}
    account = {"acc_id_util_pct": round(percent * 0.5, 2), "reset_time_duration": 0,
               "ads_api_access_tier": "standard_access"}
    return {"x-business-use-case-usage": json.dumps(buc), "x-ad-account-usage": json.dumps(account)}




@contextmanager
def serve_meta(state: MetaState, port: int = 0) -> Iterator[str]:
    with serve(_Handler, state, port=port, name="meta-emulator") as url:
        yield url


def _cursor(offset: int) -> str:
    return offset_cursor(offset, "offset")


def _offset(cursor: str | None) -> int:
    offset = cursor_offset(cursor)
    if offset is None:
        raise _Refused(100, "(#100) Invalid cursor") from None
    return offset
