"""Orders from shop exports, with customers stored only as salted hashes."""

from sqlite_utils import Database


def apply(db: Database) -> None:
    db.table("orders").create(
        {"store": str, "order_id": str, "customer_hash": str, "email_hash": str, "created_at": str, "date": str,
         "total": float, "currency": str, "status": str, "counted": int},
        pk=("store", "order_id"))
    db.table("orders").create_index(["store", "date"])
    db.table("orders").create_index(["store", "customer_hash", "date"])
    db.table("meta").create({"key": str, "value": str}, pk="key")
