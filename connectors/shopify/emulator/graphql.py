"""The Shopify emulator's answers to the operations kpibot sends, with Shopify's cost accounting.

Each request is priced from its own document (``selection.cost``) and paid from a leaky
bucket: a query over 1,000 points gets MAX_COST_EXCEEDED, one the bucket cannot pay
for gets THROTTLED, exactly in Shopify's JSON shapes.
"""

from __future__ import annotations

import base64
import bisect
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connectors.emulation.shop_model import EmulatedOrder
from connectors.shopify.emulator.selection import Field, GraphQLSyntaxError, cost, parse
from connectors.shopify.emulator.shapes import connection, gid, line_node, order_node
from connectors.shopify.emulator.state import BulkOperation, ShopifyEmulatorState

SINGLE_QUERY_LIMIT = 1000
MUTATION_COST = 10
TERM = re.compile(r"^(\w+):(>=|<=|>|<)?'?([^'\s]+)'?$")
RUNNING = ("CREATED", "RUNNING")

Handler = Callable[[ShopifyEmulatorState, Field, str], tuple[Any, float]]


class QueryError(Exception):
    """Answered as ``{"errors": [...]}`` with HTTP 200, as Shopify does."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def answer(state: ShopifyEmulatorState, body: dict[str, Any], base_url: str) -> dict[str, Any]:
    try:
        document = parse(str(body.get("query") or ""), body.get("variables") or {})
        root = document.root()
    except GraphQLSyntaxError as error:
        return {"errors": [{"message": f"Parse error: {error}"}]}
    requested = float(MUTATION_COST if document.kind == "mutation" else max(cost(document.fields), 1))
    with state.lock:
        state.bucket.refill()
        if requested > SINGLE_QUERY_LIMIT:
            return _error(f"Query cost is {requested:.0f}, which exceeds the single query max cost limit "
                          f"({SINGLE_QUERY_LIMIT}).", "MAX_COST_EXCEEDED", requested, state)
        if state.throttle_next or requested > state.bucket.available:
            return _throttled(state, requested)
        state.bucket.available -= requested
        try:
            data, actual = HANDLERS[root.name](state, root, base_url)
        except KeyError:
            return _error(f"Field '{root.name}' doesn't exist on type 'QueryRoot'", "undefinedField", requested, state)
        except QueryError as error:
            return _error(error.message, error.code, requested, state)
        state.bucket.available = min(state.bucket.maximum, state.bucket.available + requested - actual)
        state.costs.append(requested)
        return {"data": {root.name: data}, "extensions": _cost(requested, actual, state)}


def _cost(requested: float, actual: float | None, state: ShopifyEmulatorState) -> dict[str, Any]:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": state.bucket.status()}}


def _throttled(state: ShopifyEmulatorState, requested: float) -> dict[str, Any]:
    if state.throttle_next:
        state.throttle_next -= 1
        state.bucket.available = 0.0  # as if another app had just spent the bucket
    state.throttled += 1
    return {"errors": [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": _cost(requested, None, state)}


def _error(message: str, code: str | None, requested: float, state: ShopifyEmulatorState) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return {"errors": [error], "extensions": _cost(requested, None, state)}


def matcher(search: str | None) -> Callable[[EmulatedOrder], bool]:
    """Shopify's search syntax for the two fields kpibot filters on: ``updated_at:>='…'`` and
    ``created_at``, joined by AND. Anything else is refused, so a client bug cannot hide."""
    if not search:
        return lambda order: True
    tests = []
    for term in re.split(r"\s+AND\s+", search.strip()):
        match = TERM.match(term)
        if not match or match[1] not in ("updated_at", "created_at"):
            raise QueryError(f"the emulator does not understand the search term {term!r}")
        tests.append((match[1], match[2] or ">=", _moment(match[3])))
    compare = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
               "<": lambda a, b: a < b}
    return lambda order: all(compare[op](getattr(order, name), value) for name, op, value in tests)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sort_key(order: EmulatedOrder) -> tuple[datetime, int]:
    return order.updated_at, order.id


def _cursor(*parts: object) -> str:
    return base64.b64encode("|".join(str(p) for p in parts).encode()).decode()


def _uncursor(cursor: str) -> list[str]:
    try:
        return base64.b64decode(cursor).decode().split("|")
    except ValueError:
        raise QueryError(f"Invalid cursor for current pagination sort: {cursor!r}") from None


def orders(state: ShopifyEmulatorState, root: Field, base_url: str) -> tuple[Any, float]:
    first = root.arguments.get("first")
    if not isinstance(first, int) or not 1 <= first <= 250:
        raise QueryError("first must be between 1 and 250")
    matched = sorted(filter(matcher(root.arguments.get("query")), state.orders), key=_sort_key)
    start = 0
    if root.arguments.get("after"):
        stamp, order_id = _uncursor(root.arguments["after"])
        start = bisect.bisect_right([_sort_key(o) for o in matched], (_moment(stamp), int(order_id)))
    page = matched[start:start + first]
    node = root.node()
    items = node.child("lineItems") if node else None
    size = int(items.arguments.get("first") or 0) if items else 0
    nodes = [{**order_node(order), "lineItems": _lines(order, size, 0)} if items else order_node(order)
             for order in page]
    end = _cursor(page[-1].updated_at.isoformat(), page[-1].id) if page else None
    requested = cost([root])
    return connection(nodes, start + first < len(matched), end), requested * max(len(page), 1) / first


def _lines(order: EmulatedOrder, size: int, start: int) -> dict[str, Any]:
    chosen = order.lines[start:start + size]
    end = _cursor("line", start + len(chosen)) if chosen else None
    return connection([line_node(line, order.currency) for line in chosen], start + size < len(order.lines), end)


def order(state: ShopifyEmulatorState, root: Field, base_url: str) -> tuple[Any, float]:
    found = state.by_id().get(int(str(root.arguments.get("id", "/0")).rsplit("/", 1)[1]))
    items = root.child("lineItems")
    if found is None or items is None:
        return None, 1
    after = items.arguments.get("after")
    start = int(_uncursor(after)[1]) if after else 0
    return {"lineItems": _lines(found, int(items.arguments.get("first") or 0), start)}, cost([root])


def orders_count(state: ShopifyEmulatorState, root: Field, base_url: str) -> tuple[Any, float]:
    count = sum(1 for _ in filter(matcher(root.arguments.get("query")), state.orders))
    limit = root.arguments.get("limit", 10_000)
    if limit is not None and count > limit:
        return {"count": limit, "precision": "AT_LEAST"}, 1
    return {"count": count, "precision": "EXACT"}, 1


def run_bulk(state: ShopifyEmulatorState, root: Field, base_url: str) -> tuple[Any, float]:
    inner = parse(str(root.arguments.get("query") or "")).root()
    if inner.name != "orders" or inner.node() is None:
        return {"bulkOperation": None, "userErrors": [{"field": ["query"], "code": "INVALID",
                                                       "message": "The emulator bulk-exports orders only."}]}, 10
    live = [op for op in state.operations.values() if op.status in RUNNING]
    if live:
        return {"bulkOperation": None, "userErrors": [{
            "field": None, "code": "OPERATION_IN_PROGRESS",
            "message": f"A bulk query operation for this app and shop is already in progress: "
                       f"{gid('BulkOperation', live[0].id)}."}]}, 10
    search = inner.arguments.get("query")
    matcher(search)  # refuse a bad search now, as Shopify validates the query when it starts
    operation = BulkOperation(4_000_000 + len(state.operations) + 1, search, state.bulk_polls_running,
                              state.bulk_failures.popleft() if state.bulk_failures else None)
    state.operations[operation.id] = operation
    return {"bulkOperation": {"id": gid("BulkOperation", operation.id), "status": "CREATED"}, "userErrors": []}, 10


def node(state: ShopifyEmulatorState, root: Field, base_url: str) -> tuple[Any, float]:
    identifier = str(root.arguments.get("id") or "")
    if "/BulkOperation/" not in identifier or int(identifier.rsplit("/", 1)[1]) not in state.operations:
        return None, 1
    operation = state.operations[int(identifier.rsplit("/", 1)[1])]
    if operation.status in RUNNING:
        _advance(state, operation)
    has_file = operation.status == "COMPLETED" and operation.object_count
    return {"id": identifier, "status": operation.status,
            "errorCode": operation.fails_with if operation.status == "FAILED" else None,
            "objectCount": str(operation.object_count), "rootObjectCount": str(len(operation.order_ids)),
            "fileSize": None, "url": f"{base_url}/bulk/{operation.id}.jsonl" if has_file else None,
            "partialDataUrl": None}, 1


def _advance(state: ShopifyEmulatorState, operation: BulkOperation) -> None:
    if operation.polls_left > 0:
        operation.polls_left -= 1
        operation.status = "RUNNING"
        return
    if operation.fails_with:
        operation.status = "FAILED"
        return
    matched = sorted(filter(matcher(operation.search), state.orders), key=_sort_key)
    operation.order_ids = [o.id for o in matched]
    operation.object_count = len(matched) + sum(len(o.lines) for o in matched)
    operation.status = "COMPLETED"


HANDLERS: dict[str, Handler] = {"orders": orders, "order": order, "ordersCount": orders_count,
                                "bulkOperationRunQuery": run_bulk, "node": node}
