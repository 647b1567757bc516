"""Copying a whole warehouse into an empty one, on any engine (``kpibot migrate-db``).

Both sides are migrated to the same schema first, so every table has the same columns. The
copy is one transaction on the target: a failure half-way leaves it empty, and the command can
simply run again. Rows are read and written in batches, so memory stays flat whatever the size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from connectors.engine.database import Database, WarehouseError
from connectors.transaction import transaction

SKIPPED = ("_migrations",)  # each side keeps its own record of the migrations it ran
BATCH_ROWS = 5_000


class TargetNotEmpty(WarehouseError):
    exit_code = 2


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]  # table -> rows copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def data_tables(db: Database) -> list[str]:
    """The warehouse's own tables, in a stable order (no engine catalogue, no migration record)."""
    return sorted(t for t in db.tables() if t not in SKIPPED and not t.startswith("sqlite_"))


def row_counts(db: Database, tables: list[str]) -> dict[str, int]:
    return {table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in tables}


def stores_in(db: Database) -> list[str]:
    """Every store with GA4 sessions or orders in the warehouse."""
    rows = db.execute("SELECT DISTINCT store FROM ga4_sessions UNION SELECT DISTINCT store FROM orders").fetchall()
    return sorted(str(row[0]) for row in rows)


def refuse_if_not_empty(target: Database) -> None:
    filled = {table: count for table, count in row_counts(target, data_tables(target)).items() if count}
    if filled:
        table, count = next(iter(filled.items()))
        raise TargetNotEmpty(f"the target database {target.label} already holds data ({count} row(s) in {table}"
                             f"{f' and {len(filled) - 1} more table(s)' if len(filled) > 1 else ''}): migrate-db "
                             "only copies into an empty warehouse, so choose an empty database (or drop its "
                             "tables) and run it again")


def copy_warehouse(source: Database, target: Database, batch_rows: int = BATCH_ROWS,
                   progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy every row of ``source`` into the empty ``target`` in one transaction; rows per table."""
    refuse_if_not_empty(target)
    copied: dict[str, int] = {}
    with transaction(target):
        for table in data_tables(source):
            columns = source.columns(table)
            copied[table] = 0
            for rows in source.stream(f"SELECT {', '.join(columns)} FROM {table}", batch_rows):
                target.insert_rows(table, columns, rows)
                copied[table] += len(rows)
                if progress:
                    progress(table, copied[table])
            if "id" in columns:
                target.after_copy(table)  # new episodes and sync runs are numbered on from the copied ones
    return CopyReport(copied)
