"""Orders from every source in one table, keyed by (store, source, order id), and their line items.

The orders table is rebuilt with a ``source`` column (``csv`` for the rows imported so far)
and the money a live shop reports: gross total, refunded, subtotal, discounts, shipping,
tax. Plain portable SQL, so the same migration runs on PostgreSQL. It is written to be
re-run safely: a table that already has ``source`` is left as it is.
"""

from connectors.engine.database import Database

ORDERS = """CREATE TABLE orders_m005 (
    store TEXT NOT NULL,
    source TEXT NOT NULL,
    order_id TEXT NOT NULL,
    name TEXT,
    customer_hash TEXT,
    email_hash TEXT,
    created_at TEXT,
    date TEXT,
    updated_at TEXT,
    total DOUBLE PRECISION,
    refunded DOUBLE PRECISION NOT NULL DEFAULT 0,
    subtotal DOUBLE PRECISION,
    discounts DOUBLE PRECISION,
    shipping DOUBLE PRECISION,
    tax DOUBLE PRECISION,
    currency TEXT,
    status TEXT,
    counted INTEGER NOT NULL DEFAULT 0,
    test INTEGER NOT NULL DEFAULT 0,
    other_currency INTEGER NOT NULL DEFAULT 0,
    sales_channel TEXT,
    PRIMARY KEY (store, source, order_id)
)"""

COPY = """INSERT INTO orders_m005 (store, source, order_id, name, customer_hash, email_hash, created_at, date,
    total, refunded, currency, status, counted, test, other_currency)
    SELECT store, 'csv', order_id, order_id, customer_hash, email_hash, created_at, date,
    total, 0, currency, status, counted, 0, 0 FROM orders"""

ORDER_LINES = """CREATE TABLE IF NOT EXISTS order_lines (
    store TEXT NOT NULL,
    source TEXT NOT NULL,
    order_id TEXT NOT NULL,
    line TEXT NOT NULL,
    quantity INTEGER,
    sku TEXT,
    title TEXT,
    product_id TEXT,
    product_type TEXT,
    vendor TEXT,
    net_amount DOUBLE PRECISION,
    PRIMARY KEY (store, source, order_id, line)
)"""

SYNC_STATE = """CREATE TABLE IF NOT EXISTS shop_sync_state (
    store TEXT NOT NULL,
    source TEXT NOT NULL,
    synced_from TEXT,
    updated_at TEXT,
    PRIMARY KEY (store, source)
)"""


def apply(db: Database) -> None:
    if "source" not in db.columns("orders"):
        db.execute(ORDERS)
        db.execute(COPY)
        db.execute("DROP TABLE orders")
        db.execute("ALTER TABLE orders_m005 RENAME TO orders")
        db.execute("CREATE INDEX idx_orders_store_date ON orders (store, date)")
        db.execute("CREATE INDEX idx_orders_store_customer_hash_date ON orders (store, customer_hash, date)")
        db.execute("CREATE INDEX idx_orders_store_source_updated ON orders (store, source, updated_at)")
    db.execute(ORDER_LINES)
    db.execute("CREATE INDEX IF NOT EXISTS idx_order_lines_product ON order_lines (store, product_id)")
    db.execute(SYNC_STATE)
