"""The demo shop's history under other store names: many stores from one sync (tests, benchmarks).

An agency's warehouse holds hundreds of stores; syncing each one's year of history through the
emulator would take longer than what it is there to measure. The rows of one synced store are
copied instead, with the sync state, so each copy's next sync is an ordinary hourly re-pull.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.engine.database import Database
from connectors.transaction import transaction

COPIED = ("ga4_sessions", "ga4_users", "ga4_ads", "ga4_chunks", "sync_state", "orders", "order_lines",
          "shop_sync_state")


def copy_store(db: Database, source: str, targets: Sequence[str], tables: Sequence[str] = COPIED) -> None:
    """Every row of ``source`` in ``tables``, once more for each of ``targets`` (in one transaction)."""
    with transaction(db):
        for table in tables:
            columns = [column for column in db.columns(table) if column != "store"]
            listed = ", ".join(columns)
            for target in targets:
                db.execute(f"INSERT INTO {table} (store, {listed}) SELECT ?, {listed} FROM {table} WHERE store = ?",
                           [target, source])
