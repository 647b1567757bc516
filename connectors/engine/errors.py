"""Storage failures the user can act on, whichever engine holds the warehouse.

Each engine turns its own errors (SQLite result codes, PostgreSQL SQLSTATEs) into these, with
one sentence naming the file or the masked URL and saying what to do.
"""

from __future__ import annotations

CHECK_FOLDER = "check that the path names a file in a folder that exists and that kpibot's user may write there"


class WarehouseError(Exception):
    """A storage failure the user can act on; the message says what to do."""

    exit_code = 1


class WarehouseBusy(WarehouseError):
    pass


class WarehouseFull(WarehouseError):
    pass


class DamagedDatabase(WarehouseError):
    pass


def damaged_sentence(where: str | None, noun: str = "database file") -> str:
    named = f" {where}" if where else ""
    return (f"the {noun}{named} is damaged: restore it from a backup (see Operations in the README), "
            "or move it aside and run kpibot sync (and kpibot import-orders) to rebuild it")


def full_sentence(where: str) -> str:
    return (f"the disk holding the database {where} is full, so this write was undone (nothing is half-written): "
            "free some space and run the command again")


def busy_sentence(where: str, seconds: float) -> str:
    return (f"the database {where} stayed locked by another process for more than {seconds:g} s, so this write "
            "was given up (nothing is half-written): run the command again once the other process is done")
