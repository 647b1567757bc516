"""A real HTTP server speaking Klaviyo's JSON:API: lists with cursor paging, the two reports, errors.

It checks what Klaviyo checks (the key header, the ``revision`` header, a channel filter on
campaigns, report bodies and timeframe lengths) and answers with Klaviyo's shapes, including
429s with ``Retry-After`` from emulated 1/s, 2/min and 225/day limits on an injectable clock.
Tests queue faults, refuse a statistic, or make it drip bytes.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from connectors.emulation.clocks import RateLimits
from connectors.emulation.http import JsonHandler, cursor_offset, offset_cursor, serve
from connectors.klaviyo.demo import KlaviyoDemo
from connectors.klaviyo.emulator_reports import ApiError, campaign_values, flow_series

MEDIA_TYPE = "application/vnd.api+json"
LIST_PAGE = {"/api/flows/": 50, "/api/campaigns/": 100, "/api/metrics/": 200}
REPORTS = {"/api/flow-series-reports/": flow_series, "/api/campaign-values-reports/": campaign_values}


@dataclass
class KlaviyoState:
    data: KlaviyoDemo
    api_key: str | None = None  # None: any key is accepted
    clock: Callable[[], float] | None = None  # set to emulate the report rate limits on this clock
    windows: tuple[tuple[float, int], ...] = ((1.0, 1), (60.0, 2), (86_400.0, 225))  # Klaviyo's report limits
    limits: dict[str, RateLimits] = field(default_factory=dict)
    faults: deque[tuple[int, float | None]] = field(default_factory=deque)  # (status, Retry-After)
    rejected_statistics: set[str] = field(default_factory=set)
    report_page_size: int = 100
    drip_reports: bool = False
    requests: Counter[str] = field(default_factory=Counter)
    report_log: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, status: int, retry_after: float | None = None, times: int = 1) -> None:
        """Answer the next ``times`` report requests with ``status`` (429 with Retry-After, 500...)."""
        self.faults.extend([(status, retry_after)] * times)

    def limiter(self, path: str) -> RateLimits | None:
        if self.clock is None:
            return None
        return self.limits.setdefault(path, RateLimits(self.windows, clock=self.clock))


class _Handler(JsonHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _answer(self, method: str) -> None:
        state: KlaviyoState = self.state
        path, query = self.route()
        path = path if path.endswith("/") else path + "/"
        with state.lock:
            state.requests[path] += 1
        try:
            self._authorise()
            if method == "POST" and path in REPORTS:
                self._report(state, path, query)
            elif method == "GET" and path in LIST_PAGE:
                self._list(state, path, query)
            else:
                raise ApiError(404, "not_found", f"No route for {method} {path}.")
        except ApiError as error:
            self.send_json(error.status, {"errors": [error.as_json()]}, error.headers, MEDIA_TYPE)

    def _authorise(self) -> None:
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        if scheme != "Klaviyo-API-Key" or not key or (self.state.api_key and key != self.state.api_key):
            raise ApiError(401, "not_authenticated", "Incorrect authentication credentials.")
        if not self.headers.get("revision"):
            raise ApiError(400, "invalid", "Missing required header 'revision'.")

    def _report(self, state: KlaviyoState, path: str, query: dict[str, str]) -> None:
        body = self.body_json()
        limiter = state.limiter(path)
        wait = limiter.check() if limiter else None
        if wait is not None:
            raise ApiError(429, "throttled", f"Request was throttled. Expected available in {wait:.0f} seconds.",
                           {"Retry-After": str(max(1, round(wait)))})
        with state.lock:
            fault = state.faults.popleft() if state.faults else None
        if fault:
            headers = {"Retry-After": str(round(fault[1]))} if fault[1] is not None else {}
            raise ApiError(fault[0], "throttled" if fault[0] == 429 else "error", "Injected fault.", headers)
        if state.drip_reports:
            self.drip(200, 0.05, state.stop)
            return
        payload = REPORTS[path](state.data, body, state.rejected_statistics, query.get("page_cursor"),
                                state.report_page_size, f"{self.base_url()}{path}")
        state.report_log.append({"path": path, "timeframe": body["data"]["attributes"]["timeframe"],
                                 "cursor": query.get("page_cursor")})
        self.send_json(200, payload, content_type=MEDIA_TYPE)

    def _list(self, state: KlaviyoState, path: str, query: dict[str, str]) -> None:
        items = _items(state.data, path, query)
        size = min(int(query.get("page[size]") or LIST_PAGE[path]), LIST_PAGE[path])
        offset = _decode(query.get("page[cursor]"))
        page = items[offset:offset + size]
        more = offset + size < len(items)
        base = f"{self.base_url()}{path}"
        next_link = f"{base}?page%5Bcursor%5D={_encode(offset + size)}" + _filter_param(query) if more else None
        self.send_json(200, {"data": page, "links": {"self": base, "next": next_link, "prev": None}},
                       content_type=MEDIA_TYPE)


def _items(data: KlaviyoDemo, path: str, query: dict[str, str]) -> list[dict[str, Any]]:
    if path == "/api/flows/":
        return [{"type": "flow", "id": row.flow_id,
                 "attributes": {"name": row.name, "status": row.status, "archived": bool(row.archived),
                                "trigger_type": row.trigger_type}} for row in data.flows.itertuples()]
    if path == "/api/metrics/":
        return [{"type": "metric", "id": m["id"], "attributes": {"name": m["name"], "integration": m["integration"]}}
                for m in data.metrics]
    channel = _channel_filter(query.get("filter", ""))
    chosen = data.campaigns[data.campaigns["channel"] == channel]
    return [{"type": "campaign", "id": row.campaign_id,
             "attributes": {"name": row.name, "status": "Sent", "archived": False, "send_time": row.send_time}}
            for row in chosen.itertuples()]


def _channel_filter(text: str) -> str:
    for channel in ("email", "sms", "mobile_push"):
        if f"equals(messages.channel,'{channel}')" in text:
            return channel
    raise ApiError(400, "invalid", "A channel filter is required to list campaigns. Please provide either "
                   "?filter=equals(messages.channel,'email') or ?filter=equals(messages.channel,'sms').")


def _filter_param(query: dict[str, str]) -> str:
    from urllib.parse import quote

    return "".join(f"&{quote(k)}={quote(v)}" for k, v in query.items() if k != "page[cursor]")




@contextmanager
def serve_klaviyo(state: KlaviyoState, port: int = 0) -> Iterator[str]:
    with serve(_Handler, state, port=port, name="klaviyo-emulator") as url:
        yield url


def _encode(offset: int) -> str:
    return offset_cursor(offset, "o")


def _decode(cursor: str | None) -> int:
    offset = cursor_offset(cursor)
    if offset is None:
        raise ApiError(400, "invalid", "Invalid page cursor.") from None
    return offset
