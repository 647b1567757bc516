"""Syncing a store's Shopify orders and line items into the warehouse.

The first sync backfills the whole history with one bulk operation. Later syncs ask how
many orders changed since the last one (minus the re-read window): a handful are read
through the ``orders`` connection, in pages sized to Shopify's cost limit; more than a
few pages' worth go through a bulk operation with the same filter, which takes three
requests whatever the number. Every batch is one transaction of upserts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from connectors.engine.database import Database
from connectors.orders.rules import OrderLine, ShopOrder
from connectors.orders.shop_store import Destination, mark_synced
from connectors.orders.shop_sync import BatchWriter, Progress, ShopSyncResult, Window, plan_window, utc_text
from connectors.shopify import queries
from connectors.shopify.bulk import jsonl_records, run_bulk_query
from connectors.shopify.client import ShopifyClient, ShopifyError
from connectors.shopify.parse import BadRecord, parse_bulk_record, parse_connection_order, parse_line_page

SOURCE = "shopify"
CONNECTION_PAGES = 5  # more changed orders than five pages' worth go through a bulk operation


def sync_shopify(db: Database, client: ShopifyClient, to: Destination, *, now: datetime,
                 since: date | None = None, until: date | None = None, progress: Progress | None = None,
                 batch_rows: int | None = None) -> ShopSyncResult:
    """Pull the orders this sync's window covers; ``now`` is when the sync started."""
    window = plan_window(db, to, since, until)
    result = ShopSyncResult(to.store, SOURCE, window.mode)
    search = _search(window)
    try:
        if window.mode == "backfill" or _too_many_for_pages(client, search):
            _bulk(db, client, to, search, result, progress, batch_rows)
        else:
            _pages(db, client, to, search, result, progress, batch_rows)
    finally:
        result.requests = client.requests
    if window.mode != "range":
        mark_synced(db, to.store, SOURCE, now, now)
    return result


def _search(window: Window) -> str | None:
    if window.mode == "incremental" and window.updated_from:
        return queries.search_since(utc_text(window.updated_from))
    if window.mode == "range":
        start, end = window.created_from, window.created_before
        return queries.search_created(utc_text(start) if start else None, utc_text(end) if end else None)
    return None


def _too_many_for_pages(client: ShopifyClient, search: str | None) -> bool:
    data = client.query(queries.ORDERS_COUNT, {"query": search}, cost=1)
    count = (data.get("ordersCount") or {}).get("count")
    return not isinstance(count, int) or count > CONNECTION_PAGES * queries.page_size()


def _writer(db: Database, to: Destination, result: ShopSyncResult, replace_lines: bool,
            progress: Progress | None, batch_rows: int | None) -> BatchWriter:
    if batch_rows:
        return BatchWriter(db, to, result, replace_lines, batch_rows, progress)
    return BatchWriter(db, to, result, replace_lines, progress=progress)


def _bulk(db: Database, client: ShopifyClient, to: Destination, search: str | None, result: ShopSyncResult,
          progress: Progress | None, batch_rows: int | None) -> None:
    """Stream the bulk export: orders and line items are written as they come, in any order
    (a line item needs only its ``__parentId``), so memory stays flat whatever the size."""
    outcome = run_bulk_query(client, queries.bulk_orders_query(search))
    if not outcome.url:
        return  # Shopify gives no file when nothing matched
    writer = _writer(db, to, result, False, progress, batch_rows)
    seen: set[str] = set()
    parents: set[str] = set()
    for number, record in enumerate(jsonl_records(client.download_lines(outcome.url), client.access.shop), 1):
        parsed = _parsed(record, number, client.access.shop)
        if isinstance(parsed, ShopOrder):
            seen.add(parsed.order_id)
            writer.add_order(parsed)
        elif parsed is not None:
            parents.add(parsed[0])
            writer.add_line(*parsed)
    writer.flush()
    result.orphan_lines = len(parents - seen)


def _parsed(record: dict[str, Any], number: int, shop: str) -> ShopOrder | tuple[str, OrderLine] | None:
    try:
        return parse_bulk_record(record)
    except (BadRecord, KeyError, TypeError, ValueError) as error:
        raise ShopifyError(f"record {number} of Shopify's bulk export for {shop} is not an order kpibot can "
                           f"read ({error}); nothing was lost: run the sync again, and report it if it stays") from None


def _pages(db: Database, client: ShopifyClient, to: Destination, search: str | None, result: ShopSyncResult,
           progress: Progress | None, batch_rows: int | None) -> None:
    writer = _writer(db, to, result, True, progress, batch_rows)
    for page in _order_pages(client, search):
        for order in page:
            writer.add_order(order)
        writer.flush()  # one transaction per page


def _order_pages(client: ShopifyClient, search: str | None) -> Iterator[list[ShopOrder]]:
    """Pages of the ``orders`` connection, each as large as the cost limit allows; the page size
    follows what Shopify says the previous page cost."""
    per_order: float | None = None
    after = None
    while True:
        first = queries.page_size(per_order)
        data = client.query(queries.ORDERS_PAGE, {"first": first, "after": after, "query": search},
                            cost=queries.page_cost(first, per_order))
        connection = data.get("orders") or {}
        yield [_complete(client, node) for node in (edge["node"] for edge in connection.get("edges", []))]
        if client.last_requested_cost:
            per_order = max((client.last_requested_cost - queries.CONNECTION_COST) / first, 1.0)
        page = connection.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return
        after = page.get("endCursor")


def _complete(client: ShopifyClient, node: dict[str, Any]) -> ShopOrder:
    """An order with all its line items: those past the first page come from follow-up queries."""
    try:
        order, cursor = parse_connection_order(node)
    except (BadRecord, KeyError, TypeError, ValueError) as error:
        raise ShopifyError(f"Shopify sent an order for {client.access.shop} that kpibot cannot read "
                           f"({error}); report it if it stays") from None
    lines = list(order.lines)
    while cursor:
        data = client.query(queries.ORDER_LINE_ITEMS, {"id": f"gid://shopify/Order/{order.order_id}",
                                                       "after": cursor}, cost=queries.line_items_cost())
        more, cursor = parse_line_page(((data.get("order") or {}).get("lineItems")) or {})
        lines += more
    return replace(order, lines=tuple(lines))
