"""Orders from shop exports, with customers stored only as salted hashes (portable DDL)."""

from connectors.engine.database import Database

STATEMENTS = (
    "CREATE TABLE orders (store TEXT, order_id TEXT, customer_hash TEXT, email_hash TEXT, created_at TEXT, "
    "date TEXT, total DOUBLE PRECISION, currency TEXT, status TEXT, counted INTEGER, PRIMARY KEY (store, order_id))",
    "CREATE INDEX idx_orders_store_date ON orders (store, date)",
    "CREATE INDEX idx_orders_store_customer_hash_date ON orders (store, customer_hash, date)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
