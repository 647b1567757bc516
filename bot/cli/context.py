"""The composition root's helpers: settings, store selection, the as-of day, the warehouse.

This is where the environment and the clock are read; everything below gets values.
"""

from __future__ import annotations

import argparse
import difflib
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config.loader import config_path
from bot.config.loader import load_settings as load_settings_file
from connectors.warehouse import Warehouse, open_database
from kpi.settings import Settings, StoreSettings


class UsageError(Exception):
    exit_code = 2


def load_settings(args: argparse.Namespace) -> Settings:
    return load_settings_file(config_path(getattr(args, "config", None), os.environ, Path.cwd()), os.environ)


def selected_stores(settings: Settings, name: str | None) -> list[StoreSettings]:
    if name is None:
        return list(settings.stores)
    for store in settings.stores:
        if store.name == name:
            return [store]
    names = [store.name for store in settings.stores]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"there is no store named {name!r}: {hint}known stores: {', '.join(names)}")


def single_store(settings: Settings, name: str | None) -> StoreSettings:
    stores = selected_stores(settings, name)
    if len(stores) > 1:
        names = ", ".join(store.name for store in stores)
        raise UsageError(f"several stores are configured ({names}): choose one with --store NAME")
    return stores[0]


def today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def as_of_for(args: argparse.Namespace, store: StoreSettings) -> date:
    """--as-of, or today in the store's timezone."""
    given: date | None = getattr(args, "as_of", None)
    return given or today_in(store.timezone)


def open_warehouse(settings: Settings, writing: bool = False) -> Warehouse:
    """The warehouse; a command that writes first checks it is sound (a damaged file, an unreachable server)."""

    return open_database(settings.database, check=writing)
