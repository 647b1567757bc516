"""`kpibot import-orders FILE --store S`: load orders from a Shopify or generic CSV export."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the CSV export")
    parser.add_argument("--store", help="the store the orders belong to (default: the only store)")
    parser.add_argument("--format", choices=("shopify", "generic"),
                        help="the file's format (default: detected from the header)")
    parser.add_argument("--skip-bad", action="store_true", help="import the good rows and list the bad ones")


def run(args: argparse.Namespace) -> int:
    from datetime import timedelta
    from pathlib import Path

    from bot.cli.context import as_of_for, load_settings, open_warehouse, single_store
    from connectors.orders.importer import BadOrderFile, import_file

    settings = load_settings(args)
    store = single_store(settings, args.store)
    last_day = as_of_for(args, store) + timedelta(days=1)  # a day of slack for offsets ahead of the store's
    try:
        result = import_file(open_warehouse(settings, writing=True), Path(args.file), store.name, store.timezone,
                             store.currency, args.format, args.skip_bad, last_day)
    except BadOrderFile as error:
        listed = [problem for problem in error.problems if not problem.fatal]  # the error's own line names that one
        for problem in listed[:50]:
            print(f"  {problem}", file=sys.stderr)
        if len(listed) > 50:
            print(f"  ... and {len(listed) - 50} more", file=sys.stderr)
        raise
    counts = result.counts
    print(f"{store.name}: {result.format} file {Path(args.file).name}: {counts.inserted} new, "
          f"{counts.updated} updated, {counts.unchanged} unchanged order(s)")
    if result.other_currency:
        print(other_currency_line(result.other_currency, store.currency))
    if result.skipped:
        print(f"skipped {len(result.skipped)} bad row(s):", file=sys.stderr)
        for problem in result.skipped:
            print(f"  {problem}", file=sys.stderr)
    return 0


def other_currency_line(per_currency: Mapping[str, int], currency: str) -> str:
    """One line: how many orders were flagged, in which currencies, and why they are not summed."""
    codes = ", ".join(f"{count} in {code}" for code, count in sorted(per_currency.items()))
    return (f"flagged {sum(per_currency.values())} order(s) not in the store's currency {currency} ({codes}): "
            "kept, but left out of revenue, orders and customers, as amounts in two currencies cannot be added")
