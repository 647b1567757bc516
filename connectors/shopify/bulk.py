"""Shopify bulk operations: start one, poll it until it ends, stream its JSONL export.

A backfill of any size is one ``bulkOperationRunQuery``, a few polls of ``node(id:)`` and
one download. An operation that ends FAILED, CANCELED or EXPIRED is started once more;
a second failure is reported with Shopify's ``errorCode``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from connectors.shopify.client import ShopifyClient, ShopifyError
from connectors.shopify.queries import BULK_STATUS, RUN_BULK

RUNNING = {"CREATED", "RUNNING", "CANCELING"}
FAILED = {"FAILED", "CANCELED", "EXPIRED"}
FIRST_POLL = 1.0
LONGEST_POLL = 30.0
MOST_WAIT = 6 * 3600.0  # Shopify gives a bulk query up to 10 days; a sync gives up after 6 hours


class ShopifyBulkFailed(ShopifyError):
    pass


class MalformedExport(ShopifyError):
    pass


@dataclass(frozen=True)
class BulkOutcome:
    id: str
    status: str
    error_code: str | None
    object_count: int
    url: str | None


def run_bulk_query(client: ShopifyClient, bulk_query: str, attempts: int = 2) -> BulkOutcome:
    """Run ``bulk_query`` to completion, starting it again once if Shopify's run fails."""
    outcome: BulkOutcome | None = None
    for _ in range(attempts):
        outcome = wait_for(client, start(client, bulk_query))
        if outcome.status == "COMPLETED":
            return outcome
    assert outcome is not None
    raise ShopifyBulkFailed(
        f"Shopify's bulk export of the orders of {client.access.shop} ended {outcome.status} {attempts} times "
        f"(errorCode {outcome.error_code or 'none'}); "
        + ("give the app the read_orders and read_all_orders scopes" if outcome.error_code == "ACCESS_DENIED"
           else "try again later"))


def start(client: ShopifyClient, bulk_query: str) -> str:
    data = client.query(RUN_BULK, {"query": bulk_query}, cost=10)
    payload = data.get("bulkOperationRunQuery") or {}
    errors = payload.get("userErrors") or []
    if errors:
        messages = "; ".join(str(error.get("message")) for error in errors)
        hint = ("a bulk export started earlier is still running: the next sync will go ahead once it ends"
                if any(error.get("code") == "OPERATION_IN_PROGRESS" for error in errors) else "")
        raise ShopifyError(f"Shopify would not start a bulk export for {client.access.shop}: {messages}"
                           + (f"; {hint}" if hint else ""))
    operation = payload.get("bulkOperation") or {}
    if not operation.get("id"):
        raise ShopifyError(f"Shopify started no bulk export for {client.access.shop}; try again later")
    return str(operation["id"])


def wait_for(client: ShopifyClient, operation_id: str) -> BulkOutcome:
    """Poll with growing pauses (1 s, 2 s, 4 s ... 30 s) until the operation ends."""
    pause, waited = FIRST_POLL, 0.0
    while True:
        node = client.query(BULK_STATUS, {"id": operation_id}).get("node") or {}
        outcome = _outcome(operation_id, node)
        if outcome.status not in RUNNING:
            return outcome
        if waited >= MOST_WAIT:
            raise ShopifyError(f"Shopify's bulk export of {client.access.shop} was still {outcome.status} after "
                               f"{waited / 3600:.0f} h; the next sync will try again")
        client.sleep(pause)
        waited += pause
        pause = min(pause * 2, LONGEST_POLL)


def _outcome(operation_id: str, node: dict[str, Any]) -> BulkOutcome:
    if not node:
        raise ShopifyError(f"Shopify no longer knows bulk operation {operation_id}; run the sync again")
    return BulkOutcome(str(node.get("id") or operation_id), str(node.get("status")), node.get("errorCode"),
                       int(node.get("objectCount") or 0), node.get("url"))


def jsonl_records(lines: Iterable[bytes], shop: str, group: int = 1000) -> Iterator[dict[str, Any]]:
    """The records of a JSONL export, one at a time; a malformed line stops with its number.

    Lines are decoded a group at a time as one JSON array (one call instead of a thousand);
    a group that does not decode is decoded again line by line to name the bad line."""
    numbers: list[int] = []
    batch: list[bytes] = []
    for number, raw in enumerate(lines, start=1):
        if raw and not raw.isspace():
            numbers.append(number)
            batch.append(raw)
        if len(batch) >= group:
            yield from _decoded(batch, numbers, shop)
            numbers, batch = [], []
    yield from _decoded(batch, numbers, shop)


def _decoded(batch: list[bytes], numbers: list[int], shop: str) -> list[dict[str, Any]]:
    try:
        records = json.loads(b"[" + b",".join(batch) + b"]")
    except ValueError:
        records = None
    if not isinstance(records, list) or len(records) != len(batch) or not all(isinstance(r, dict) for r in records):
        return [_record(raw, number, shop) for raw, number in zip(batch, numbers, strict=True)]
    return records


def _record(raw: bytes, number: int, shop: str) -> dict[str, Any]:
    try:
        record = json.loads(raw)
    except ValueError as error:
        raise MalformedExport(f"line {number} of Shopify's bulk export for {shop} is not valid JSON ({error}); "
                              "nothing was lost: run the sync again to download a fresh export") from None
    if not isinstance(record, dict):
        raise MalformedExport(f"line {number} of Shopify's bulk export for {shop} is not a JSON object; "
                              "run the sync again to download a fresh export")
    return record
