"""A real HTTP server that speaks the Shopify Admin GraphQL API well enough for kpibot's client.

``POST /admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token`` (401 otherwise,
in Shopify's words), and ``GET /bulk/{id}.jsonl`` for a finished bulk operation's export,
streamed in chunks. It serves the demo shop's orders or the orders a test hands it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from connectors.emulation.http import JsonHandler, serve
from connectors.shopify.emulator.graphql import answer
from connectors.shopify.emulator.shapes import jsonl_lines
from connectors.shopify.emulator.state import ShopifyEmulatorState

GRAPHQL = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
BULK_FILE = re.compile(r"^/bulk/(\d+)\.jsonl$")
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class _ShopifyHandler(JsonHandler):

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        state = self.state
        body = self.body()
        with state.lock:
            state.requests += 1
            fault = state.http_faults.popleft() if state.http_faults else None
        if fault:
            self.send_json(fault, {"errors": "Internal Server Error" if fault >= 500 else "Too Many Requests"})
            return
        if not GRAPHQL.match(self.path.split("?")[0]):
            self.send_json(404, {"errors": "Not Found"})
            return
        if self.headers.get("X-Shopify-Access-Token") != state.token:
            self.send_json(401, {"errors": INVALID_TOKEN})
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self.send_json(400, {"errors": {"query": "Required parameter missing or invalid"}})
            return
        self.send_json(200, answer(state, request, f"http://{self.headers.get('Host')}"))

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        state = self.state
        match = BULK_FILE.match(self.path.split("?")[0])
        operation = state.operations.get(int(match[1])) if match else None
        if operation is None or operation.status != "COMPLETED":
            self.send_json(404, {"errors": "Not Found"})
            return
        with state.lock:
            state.downloads += 1
            orders = state.by_id()
            chosen = [orders[i] for i in operation.order_ids if i in orders]
        self.send_lines(jsonl_lines(chosen, state.children_first, state.corrupt_lines))


@dataclass
class RunningShopify:
    url: str
    state: ShopifyEmulatorState


@contextmanager
def serve_shopify(state: ShopifyEmulatorState, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningShopify]:
    """The emulator in a background thread for the duration of the block."""
    with serve(_ShopifyHandler, state, host, port, name="shopify-emulator") as url:
        yield RunningShopify(url, state)
