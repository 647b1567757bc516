"""`kpibot targets`: the targets and alert rules in force, and with --export the TOML that puts them in the file.

Values set from Slack win over kpibot.toml; `--export` prints them (and the file's own) as
the `[stores.targets]` table and `[[stores.alert_rules]]` entries of each store, to paste in
place of the ones the store has, so the file says what Slack set.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="the store (default: every store)")
    parser.add_argument("--export", action="store_true",
                        help="print the targets and alert rules in force as TOML for kpibot.toml")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.cli.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.config.export import targets_toml
    from bot.render.targets import targets_lines
    from bot.render.terminal import print_slack_text
    from kpi.targets import evaluate_all
    from schedules.targets import target_settings

    settings = load_settings(args)
    db = open_warehouse(settings)
    for store in selected_stores(settings, args.store):
        view = target_settings(db, store)
        if args.export:
            print(targets_toml(view))
            continue
        lines = targets_lines(view, evaluate_all(db, view.store, as_of_for(args, store)), store.language)
        print_slack_text(Console(), "\n".join([f"*{store.name}*", *lines]))
    return 0
