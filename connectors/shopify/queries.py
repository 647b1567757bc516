"""The GraphQL documents kpibot sends to the Shopify Admin API, declared as data, and their cost.

Shopify prices a query before running it: an object costs 1, a scalar or enum 0, and a
connection 2 plus ``first`` times the cost of one node. A single query may cost at most
1,000 points, so the page size of the orders connection follows from the cost of one order.
"""

from __future__ import annotations

API_VERSION = "2025-07"  # the one place the Admin API version is pinned
MAX_QUERY_COST = 1000
LINE_ITEMS_PER_ORDER = 20  # on a page; an order with more gets the rest in follow-up queries
LINE_ITEMS_FOLLOW_UP = 200
CONNECTION_COST = 2

MONEY = "{ shopMoney { amount currencyCode } }"
ORDER_FIELDS = f"""id name createdAt updatedAt processedAt cancelledAt test displayFinancialStatus currencyCode
    email sourceName customer {{ id }}
    totalPriceSet {MONEY} subtotalPriceSet {MONEY} totalDiscountsSet {MONEY}
    totalShippingPriceSet {MONEY} totalTaxSet {MONEY} totalRefundedSet {MONEY}"""
LINE_FIELDS = f"id quantity sku title vendor product {{ id productType }} discountedTotalSet {MONEY}"
# objects in one order node (the order, its customer, six MoneyBags with their MoneyV2) and in one line
ORDER_OBJECTS = 1 + 1 + 6 * 2
LINE_OBJECTS = 1 + 1 + 2

ORDERS_PAGE = f"""query OrdersPage($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{
      {ORDER_FIELDS}
      lineItems(first: {LINE_ITEMS_PER_ORDER}) {{
        pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {LINE_FIELDS} }} }}
      }}
    }} }}
  }}
}}"""

ORDER_LINE_ITEMS = f"""query OrderLineItems($id: ID!, $after: String) {{
  order(id: $id) {{
    lineItems(first: {LINE_ITEMS_FOLLOW_UP}, after: $after) {{
      pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {LINE_FIELDS} }} }}
    }}
  }}
}}"""

ORDERS_COUNT = """query OrdersCount($query: String) {
  ordersCount(query: $query, limit: 10000) { count precision }
}"""

RUN_BULK = """mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}"""

BULK_STATUS = """query BulkOperationStatus($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl }
  }
}"""


def bulk_orders_query(search: str | None) -> str:
    """The query a bulk operation runs: every order matching ``search`` with its line items.

    Bulk queries take no ``first``: Shopify walks the whole connection and writes one JSONL
    line per node, line items as their own lines with ``__parentId``.
    """
    arguments = f'(query: "{_escape(search)}", sortKey: UPDATED_AT)' if search else "(sortKey: UPDATED_AT)"
    return f"""{{
  orders{arguments} {{
    edges {{ node {{
      {ORDER_FIELDS}
      lineItems {{ edges {{ node {{ {LINE_FIELDS} }} }} }}
    }} }}
  }}
}}"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def order_cost(line_items: int = LINE_ITEMS_PER_ORDER) -> int:
    """What one order node of ``ORDERS_PAGE`` costs, line items included."""
    return ORDER_OBJECTS + CONNECTION_COST + line_items * LINE_OBJECTS


def page_cost(first: int, per_order: float | None = None) -> float:
    return CONNECTION_COST + first * (per_order or order_cost())


def page_size(per_order: float | None = None, limit: float = MAX_QUERY_COST) -> int:
    """The most orders one page may ask for and stay within ``limit`` points (at most 250, at least 1)."""
    return max(1, min(250, int((limit - CONNECTION_COST) // (per_order or order_cost()))))


def line_items_cost() -> int:
    return 1 + CONNECTION_COST + LINE_ITEMS_FOLLOW_UP * LINE_OBJECTS


def search_since(updated_after: str) -> str:
    return f"updated_at:>='{updated_after}'"


def search_created(since: str | None, before: str | None) -> str:
    terms = ([f"created_at:>='{since}'"] if since else []) + ([f"created_at:<'{before}'"] if before else [])
    return " AND ".join(terms)
