"""Syncing a store's WooCommerce orders and line items into the warehouse.

Pages of 100 orders, oldest change first (``orderby=modified``), up to ``X-WP-TotalPages``;
each page is one transaction that replaces its orders and their line items. The first
sync reads every order; later ones read those modified since the last sync began,
minus the re-read window.
"""

from __future__ import annotations

from datetime import date, datetime

from connectors.engine.database import Database
from connectors.orders.rules import ShopOrder
from connectors.orders.shop_store import Destination, mark_synced
from connectors.orders.shop_sync import BatchWriter, Progress, ShopSyncResult, Window, plan_window, utc_text
from connectors.woocommerce.client import WooCommerceClient, WooCommerceError
from connectors.woocommerce.parse import BadOrder, parse_order

SOURCE = "woocommerce"
PER_PAGE = 100  # the API's maximum


def sync_woocommerce(db: Database, client: WooCommerceClient, to: Destination, *, now: datetime,
                     since: date | None = None, until: date | None = None,
                     progress: Progress | None = None) -> ShopSyncResult:
    window = plan_window(db, to, since, until)
    result = ShopSyncResult(to.store, SOURCE, window.mode)
    writer = BatchWriter(db, to, result, replace_lines=True)
    page_number, pages = 1, 1
    try:
        while page_number <= pages:
            page = client.orders({**_filters(window), "page": page_number})
            for data in page.orders:
                writer.add_order(_parsed(data, client.access.url))
            writer.flush()  # one transaction per page
            pages = page.total_pages
            if progress:
                progress(SOURCE, page_number, pages, result.orders)
            page_number += 1
    finally:
        result.requests = client.requests
    if window.mode != "range":
        mark_synced(db, to.store, SOURCE, now, now)
    return result


def _filters(window: Window) -> dict[str, str | int]:
    params: dict[str, str | int] = {"per_page": PER_PAGE, "orderby": "modified", "order": "asc",
                                    "dates_are_gmt": "true"}
    if window.updated_from:
        params["modified_after"] = utc_text(window.updated_from)
    if window.created_from:
        params["after"] = utc_text(window.created_from)
    if window.created_before:
        params["before"] = utc_text(window.created_before)
    return params


def _parsed(data: object, url: str) -> ShopOrder:
    try:
        if not isinstance(data, dict):
            raise BadOrder("not a JSON object")
        return parse_order(data)
    except (BadOrder, KeyError, TypeError, ValueError) as error:
        order = data.get("id") if isinstance(data, dict) else None
        raise WooCommerceError(f"WooCommerce at {url} sent an order kpibot cannot read (order {order}: {error}); "
                               "orders stored earlier are kept: report it if it stays") from None
