"""A real HTTP server that speaks the GA4 Data API ``runReport`` REST wire format.

The official ``google-analytics-data`` client (REST transport) works against it
unchanged: camelCase JSON, string values, typed metric headers, ``rowCount``,
``metadata``, ``propertyQuota``, ``limit``/``offset`` paging, and Google's error shape
for 400, 403, 429 and 503. Tests hand it their own tables and queue faults: error codes
(``state.inject(503)``) and wrong answers (``state.misbehave("drip", seconds=5)``, see
``connectors.ga4.emulator.faults``).
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pandas as pd

from connectors.demo.shop import DemoShop
from connectors.emulation.http import EmulatorServer, serve
from connectors.ga4.emulator.faults import Misbehaviour, retry_later_message, rewrite
from connectors.ga4.emulator.traffic import Traffic

ROUTE = re.compile(r"^/v1beta/properties/(?P<property>[^/:]+):runReport$")
METRIC_TYPES = {"purchaseRevenue": "TYPE_CURRENCY", "advertiserAdCost": "TYPE_CURRENCY"}
STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED",
          503: "UNAVAILABLE", 404: "NOT_FOUND"}
MAX_LIMIT = 250_000
TOKENS_PER_DAY = 200_000


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class EmulatorState:
    shop: DemoShop
    property_id: str | None = None  # None: answer for any property id
    faults: deque[int] = field(default_factory=deque)
    misbehaviours: deque[Misbehaviour] = field(default_factory=deque)
    closing: threading.Event = field(default_factory=threading.Event)  # ends stalls and drips at shutdown
    invalid_fields: set[str] = field(default_factory=set)
    thresholded: bool = False
    other_row: bool = False
    requests: int = 0
    tokens_used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    traffic: Traffic = field(default_factory=Traffic)  # per property: requests, in flight, slow ones

    def inject(self, code: int, times: int = 1) -> None:
        """Answer the next ``times`` requests with HTTP ``code`` (429, 503, 403...)."""
        self.faults.extend([code] * times)

    def misbehave(self, mode: str, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` requests wrongly, as ``connectors.ga4.emulator.faults.MODES`` says."""
        self.misbehaviours.extend([Misbehaviour(mode, **options)] * times)


def run_report(state: EmulatorState, property_id: str, request: dict[str, Any]) -> dict[str, Any]:
    """Answer one runReport request body, as GA4 would."""
    if state.property_id is not None and property_id != state.property_id:
        raise ApiError(403, f"User does not have sufficient permissions for this property "
                            f"(properties/{property_id}).")
    dimensions = [d["name"] for d in request.get("dimensions", [])]
    metrics = [m["name"] for m in request.get("metrics", [])]
    for name in [*dimensions, *metrics]:
        if name in state.invalid_fields:
            kind = "dimension" if name in dimensions else "metric"
            raise ApiError(400, f"Field {name} is not a valid {kind}. For a list of valid "
                                f"dimensions and metrics, see the API schema.")
    table = _table_for(state.shop, dimensions, metrics)
    frame = _aggregate(table, request.get("dateRanges", []), dimensions, metrics)
    limit = min(int(request.get("limit") or 10_000), MAX_LIMIT)
    offset = int(request.get("offset") or 0)
    page = frame.iloc[offset:offset + limit]
    tokens = 5 + len(page) // 2_000
    with state.lock:
        state.tokens_used += tokens
        used = state.tokens_used
    response: dict[str, Any] = {
        "dimensionHeaders": [{"name": name} for name in dimensions],
        "metricHeaders": [{"name": name, "type": METRIC_TYPES.get(name, "TYPE_INTEGER")} for name in metrics],
        "rows": [_row(values, len(dimensions)) for values in page.itertuples(index=False)],
        "rowCount": len(frame),
        "metadata": _metadata(state),
        "kind": "analyticsData#runReport",
    }
    if request.get("returnPropertyQuota"):
        response["propertyQuota"] = {
            "tokensPerDay": {"consumed": tokens, "remaining": max(TOKENS_PER_DAY - used, 0)},
            "tokensPerHour": {"consumed": tokens, "remaining": max(40_000 - used, 0)},
            "concurrentRequests": {"consumed": 0, "remaining": 10},
        }
    return response


def _metadata(state: EmulatorState) -> dict[str, Any]:
    metadata: dict[str, Any] = {"currencyCode": state.shop.currency, "timeZone": state.shop.time_zone}
    if state.thresholded:
        metadata["subjectToThresholding"] = True
    if state.other_row:
        metadata["dataLossFromOtherRow"] = True
    return metadata


def _table_for(shop: DemoShop, dimensions: list[str], metrics: list[str]) -> pd.DataFrame:
    for table in (shop.sessions, shop.users, shop.ads):
        if set(metrics) <= set(table.columns):
            missing = [d for d in dimensions if d not in table.columns]
            if missing:
                raise ApiError(400, f"Please remove {missing[0]} to make the request compatible. "
                                    f"The request's dimensions & metrics are incompatible.")
            return table
    unknown = next(m for m in metrics if not any(m in t.columns for t in (shop.sessions, shop.users, shop.ads)))
    raise ApiError(400, f"Field {unknown} is not a valid metric.")


def _aggregate(table: pd.DataFrame, ranges: list[dict[str, str]], dimensions: list[str],
               metrics: list[str]) -> pd.DataFrame:
    if not ranges:
        raise ApiError(400, "dateRanges is required.")
    compact = [(r["startDate"].replace("-", ""), r["endDate"].replace("-", "")) for r in ranges]
    mask = pd.Series(False, index=table.index)
    for start, end in compact:
        mask |= (table["date"] >= start) & (table["date"] <= end)
    selected = table[mask]
    if not dimensions:
        return selected[metrics].sum().to_frame().T
    grouped = selected.groupby(dimensions, sort=True)[metrics].sum().reset_index()
    return grouped[[*dimensions, *metrics]]


def _row(values: tuple[Any, ...], dimension_count: int) -> dict[str, Any]:
    return {
        "dimensionValues": [{"value": str(v)} for v in values[:dimension_count]],
        "metricValues": [{"value": _number(v)} for v in values[dimension_count:]],
    }


def _number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(round(number, 2))


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle on, the body waits for the client's delayed
    # ACK of the headers, about 50 ms a response here (as ``connectors.emulation.http.JsonHandler`` says).
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        match = ROUTE.match(self.path.split("?")[0])
        traffic = self.server.state.traffic
        with traffic.request(match["property"] if match else "-"):
            if match and self._slowed(traffic, match["property"]):
                return
            self._answer()

    def _slowed(self, traffic: Traffic, property_id: str) -> bool:
        """Wait as GA4 would be slow; True when the property is stalled (left unanswered, as a timeout)."""
        closing = self.server.state.closing
        if property_id in traffic.stalled:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            closing.wait(traffic.stalled[property_id])
            self.close_connection = True
            return True
        if traffic.latency:
            closing.wait(traffic.latency)
        return False

    def _answer(self) -> None:
        state = self.server.state
        with state.lock:
            state.requests += 1
            fault = state.faults.popleft() if state.faults else None
            wrong = state.misbehaviours.popleft() if fault is None and state.misbehaviours else None
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if wrong is not None and wrong.mode == "stall" and state.closing.wait(wrong.seconds):
            return
        if wrong is not None and wrong.mode == "reset":
            return self._reset()
        try:
            if fault is not None:
                raise ApiError(fault, _fault_message(fault))
            if wrong is not None and wrong.mode == "retry_later":
                raise ApiError(429, retry_later_message(wrong))
            match = ROUTE.match(self.path.split("?")[0])
            if not match:
                raise ApiError(404, f"Method not found: {self.path}")
            payload = rewrite(run_report(state, match["property"], json.loads(body or b"{}")), wrong)
            if wrong is not None:
                self._send_wrongly(wrong, payload)
            else:
                self._send(200, payload)
        except ApiError as error:
            headers = {"Retry-After": f"{wrong.seconds:g}"} if wrong is not None and wrong.header else {}
            self._send(error.code, {"error": {"code": error.code, "message": error.message,
                                              "status": STATUS.get(error.code, "UNKNOWN")}}, headers)

    def _send_wrongly(self, wrong: Misbehaviour, payload: dict[str, Any]) -> None:
        """The wire-level misbehaviours of a 200: a body that is not JSON, cut off, or dripped."""
        data = json.dumps(payload).encode()
        if wrong.mode == "malformed_json":
            data = b'{"dimensionHeaders": [{"name": "date"}], "rows": [<html>Bad Gateway</html>'
        self._send_headers(200, len(data), {})
        if wrong.mode == "truncated":  # half the body, then an orderly end of the connection
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return self.connection.shutdown(socket.SHUT_RDWR)
        if wrong.mode == "drip":
            return self._drip(data, wrong.seconds)
        self.wfile.write(data)

    def _drip(self, data: bytes, every: float) -> None:
        try:
            for index in range(len(data)):
                if self.server.state.closing.wait(every):
                    break
                self.wfile.write(data[index:index + 1])
                self.wfile.flush()
        except OSError:
            pass  # the client gave up: that is the point
        self.close_connection = True

    def _reset(self) -> None:
        """Close with SO_LINGER 0, so the client sees a TCP RST rather than an orderly end."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _send(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_headers(code, len(data), headers or {})
        self.wfile.write(data)

    def _send_headers(self, code: int, length: int, headers: dict[str, str]) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass


def _fault_message(code: int) -> str:
    return {
        429: "Exhausted concurrent requests quota. Try again after 1 seconds. "
             "tokensPerHour exhausted for this property.",
        503: "The service is currently unavailable.",
        403: "User does not have sufficient permissions for this property.",
    }.get(code, "Injected fault.")


@dataclass
class RunningEmulator:
    url: str
    state: EmulatorState


@contextmanager
def serve_emulator(shop: DemoShop, host: str = "127.0.0.1", port: int = 0,
                   property_id: str | None = None) -> Iterator[RunningEmulator]:
    """Run the emulator in a background thread for the duration of the block."""
    state = EmulatorState(shop=shop, property_id=property_id)
    with serve(_Handler, state, host, port, "ga4-emulator", on_stop=state.closing.set) as url:
        yield RunningEmulator(url=url, state=state)
