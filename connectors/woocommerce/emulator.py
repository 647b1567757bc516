"""A real HTTP server that speaks WooCommerce's REST API v3 ``GET /wp-json/wc/v3/orders``.

HTTP Basic auth with a consumer key and secret (401 in WooCommerce's words otherwise),
paging with ``per_page``/``page`` and the ``X-WP-Total``/``X-WP-TotalPages`` headers,
``orderby``/``order``, ``modified_after``/``after``/``before`` with ``dates_are_gmt``, and
429 or 5xx on demand. It serves emulated orders in WooCommerce's JSON.
"""

from __future__ import annotations

import base64
import math
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from connectors.emulation.http import JsonHandler, serve
from connectors.emulation.shop_model import EmulatedOrder

ORDERS_PATH = "/wp-json/wc/v3/orders"
STATUS = {"paid": "completed", "partially_refunded": "completed", "refunded": "refunded", "voided": "failed",
          "expired": "failed", "pending": "pending", "authorized": "on-hold", "partially_paid": "processing"}
SORT_FIELDS = {"date": "created_at", "modified": "updated_at", "id": "id"}


def woo_status(order: EmulatedOrder) -> str:
    if order.cancelled_at:
        return "cancelled"
    if order.test:
        return "checkout-draft"  # WooCommerce has no test orders; an unfinished checkout counts for nothing too
    return STATUS[order.financial_status]


def _stamp(moment: datetime, zone: ZoneInfo | None = None) -> str:
    return (moment.astimezone(zone) if zone else moment.astimezone(UTC)).strftime("%Y-%m-%dT%H:%M:%S")


def woo_order(order: EmulatedOrder, zone: ZoneInfo) -> dict[str, Any]:
    """An order in WooCommerce's JSON: amounts as strings, ``*_gmt`` dates without an offset."""
    return {
        "id": order.id, "parent_id": 0, "number": str(order.number), "status": woo_status(order),
        "currency": order.currency, "created_via": "checkout" if order.source_name == "web" else order.source_name,
        "date_created": _stamp(order.created_at, zone), "date_created_gmt": _stamp(order.created_at),
        "date_modified": _stamp(order.updated_at, zone), "date_modified_gmt": _stamp(order.updated_at),
        "discount_total": f"{order.discounts:.2f}", "shipping_total": f"{order.shipping:.2f}",
        "total": f"{order.total:.2f}", "total_tax": f"{order.tax:.2f}", "customer_id": order.customer_id or 0,
        "billing": {"email": order.email or ""},
        "line_items": [{"id": line.id, "name": line.title, "product_id": line.product_id, "variation_id": 0,
                        "quantity": line.quantity, "subtotal": f"{line.subtotal:.2f}",
                        "total": f"{line.discounted_total:.2f}", "sku": line.sku, "price": line.unit_price}
                       for line in order.lines],
        "refunds": [{"id": order.id * 10 + n, "reason": "", "total": f"-{refund:.2f}"}
                    for n, refund in enumerate(order.refunds)],
    }


@dataclass
class WooEmulatorState:
    orders: list[EmulatedOrder]
    key: str = "emulator-key"
    secret: str = "emulator-secret"
    timezone: str = "Europe/Rome"
    faults: deque[int] = field(default_factory=deque)
    damaged: dict[int, dict[str, Any]] = field(default_factory=dict)  # order id -> fields served wrong
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests with HTTP ``status`` (429, 500, 503...)."""
        self.faults.extend([status] * times)


class BadParameter(ValueError):
    pass


def select(state: WooEmulatorState, query: dict[str, str]) -> tuple[list[EmulatedOrder], int, int]:
    """The page of orders a query asks for, with the total count and the number of pages."""
    per_page, page = _int(query, "per_page", 10), _int(query, "page", 1)
    if not 1 <= per_page <= 100 or page < 1:
        raise BadParameter("per_page must be between 1 (inclusive) and 100 (inclusive)")
    orderby = query.get("orderby", "date")
    if orderby not in SORT_FIELDS:
        raise BadParameter(f"orderby is not one of {', '.join(SORT_FIELDS)}")
    chosen = [order for order in state.orders if _matches(order, query)]
    chosen.sort(key=lambda o: (getattr(o, SORT_FIELDS[orderby]), o.id), reverse=query.get("order") != "asc")
    return chosen[(page - 1) * per_page: page * per_page], len(chosen), math.ceil(len(chosen) / per_page)


def _int(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        raise BadParameter(f"{name} is not of type integer") from None


def _matches(order: EmulatedOrder, query: dict[str, str]) -> bool:
    if query.get("dates_are_gmt") != "true" and any(k in query for k in ("after", "before", "modified_after")):
        raise BadParameter("the emulator wants dates_are_gmt=true with date filters")
    bounds = (("modified_after", "updated_at", 1), ("modified_before", "updated_at", -1),
              ("after", "created_at", 1), ("before", "created_at", -1))
    for parameter, attribute, direction in bounds:
        if parameter in query:
            limit = datetime.fromisoformat(query[parameter].replace("Z", "+00:00")).replace(tzinfo=UTC)
            moment = getattr(order, attribute)
            if (direction > 0 and moment <= limit) or (direction < 0 and moment >= limit):
                return False
    return True


class _WooHandler(JsonHandler):

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        state = self.state
        with state.lock:
            state.requests += 1
            fault = state.faults.popleft() if state.faults else None
        if fault:
            headers = {"Retry-After": "1"} if fault == 429 else {}
            self.send_json(fault, {"code": "rest_error", "message": "Injected fault.", "data": {"status": fault}},
                           headers)
            return
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") != ORDERS_PATH:
            self.send_json(404, {"code": "rest_no_route", "message": "No route was found matching the URL and "
                                 "request method.", "data": {"status": 404}})
            return
        if not self._authorised():
            self.send_json(401, {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list "
                                 "resources.", "data": {"status": 401}})
            return
        self._orders({name: values[-1] for name, values in parse_qs(parts.query).items()})

    def _authorised(self) -> bool:
        expected = base64.b64encode(f"{self.state.key}:{self.state.secret}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {expected}"

    def _orders(self, query: dict[str, str]) -> None:
        state = self.state
        try:
            with state.lock:
                page, total, pages = select(state, query)
                body = [{**woo_order(order, ZoneInfo(state.timezone)), **state.damaged.get(order.id, {})}
                        for order in page]
        except BadParameter as error:
            self.send_json(400, {"code": "rest_invalid_param", "message": f"Invalid parameter(s): {error}",
                                 "data": {"status": 400}})
            return
        self.send_json(200, body, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)})


@dataclass
class RunningWooCommerce:
    url: str
    state: WooEmulatorState


@contextmanager
def serve_woocommerce(state: WooEmulatorState, host: str = "127.0.0.1",
                      port: int = 0) -> Iterator[RunningWooCommerce]:
    with serve(_WooHandler, state, host, port, name="woocommerce-emulator") as url:
        yield RunningWooCommerce(url, state)
