"""`kpibot migrate-db --from kpibot.db --to postgresql://…`: copy a warehouse into an empty one, and check it."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", metavar="FROM",
                        help="the warehouse to copy: a SQLite file (default: the config's database)")
    parser.add_argument("--to", dest="target", metavar="TO",
                        help="the empty warehouse to fill: a postgresql:// URL (default: $KPIBOT_DATABASE_URL); "
                             "keep its password in PGPASSWORD or ~/.pgpass, not on the command line")


class MigrateUsage(Exception):
    exit_code = 2


class CopyMismatch(Exception):
    exit_code = 1


def run(args: argparse.Namespace) -> int:
    import os
    import time
    from contextlib import closing

    from bot.cli.answer_check import differences
    from bot.cli.context import load_settings
    from connectors.engine.location import shown
    from connectors.warehouse import open_database
    from connectors.warehouse_copy import copy_warehouse, data_tables, row_counts, stores_in
    from kpi.settings import StoreSettings

    configured: dict[str, StoreSettings] = {}
    source, target = args.source, args.target or os.environ.get("KPIBOT_DATABASE_URL")
    if source is None:  # the config's warehouse; its stores' settings then shape the sample answers
        settings = load_settings(args)
        source = str(settings.database)
        configured = {store.name: store for store in settings.stores}
    source, target = checked(source, "from"), checked(target, "to")
    started = time.perf_counter()
    with closing(open_database(source, check=True)) as old, closing(open_database(target, check=True)) as new:
        print(f"copying {shown(source)} into {shown(target)}...")
        report = copy_warehouse(old, new)
        tables = data_tables(old)
        before, after = row_counts(old, tables), row_counts(new, tables)
        if before != after:
            wrong = ", ".join(table for table in tables if before[table] != after[table])
            raise CopyMismatch(f"row counts differ after the copy in {wrong}: something wrote to {shown(target)} "
                               "while copying; empty it and run migrate-db again")
        stores = [configured.get(name) or StoreSettings(name, "") for name in stores_in(old)]
        compared, differing = differences(old, new, stores)
        if differing:
            raise CopyMismatch(f"{len(differing)} of {compared} sample answers differ after the copy, "
                               f"first {differing[0]}")
    print(f"copied {report.total} rows of {len(report.rows)} tables in {time.perf_counter() - started:.1f} s: "
          f"row counts match table by table, and {compared} sample answers match on both sides")
    return 0


def checked(value: str | None, option: str):  # type: ignore[no-untyped-def]
    """A location named by ``--from``/``--to``: a file that exists, or a postgresql:// URL."""
    from pathlib import Path

    from connectors.engine.location import is_postgres_url, location_problem

    if not value:
        raise MigrateUsage(f"name the warehouse to copy {'into' if option == 'to' else 'from'} with --{option}"
                           + (" or KPIBOT_DATABASE_URL" if option == "to" else ""))
    if problem := location_problem(value):
        raise MigrateUsage(f"--{option} {problem}")
    if is_postgres_url(value):
        return value
    if option == "from" and not Path(value).is_file():
        raise MigrateUsage(f"--from {value}: no such file; name the SQLite warehouse to copy")
    return Path(value)
