"""`kpibot check-config`: validate the config and the environment, listing every problem."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from bot.config.loader import ConfigError, config_path, environment_problems, load_settings
    from bot.config.marketing import flow_roles_report, marketing_environment_problems
    from bot.config.shops import describe_sources, shop_environment_problems
    from connectors.engine.location import shown

    path = config_path(args.config, os.environ, Path.cwd())
    problems, warnings = environment_problems(os.environ)
    settings = None
    try:
        settings = load_settings(path, os.environ)
    except ConfigError as error:
        problems = error.problems + problems
    notes: list[str] = []
    if settings is not None:
        flow_problems, notes = flow_roles_report(settings)
        problems += shop_environment_problems(settings, os.environ)
        problems += marketing_environment_problems(settings, os.environ) + flow_problems
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print("\n".join(notes), end="\n" if notes else "")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 2
    assert settings is not None
    shops = describe_sources(settings)
    stores = ", ".join(f"{s.name} ({s.language}, {s.timezone}, GA4 {s.ga4_property}"
                       f"{', ' + shops[s.name] if shops[s.name] else ''})" for s in settings.stores)
    print(f"{path}: OK. Database: {shown(settings.database)}. Stores: {stores}.")
    print_targets(settings)
    return 0


def print_targets(settings: Any) -> None:
    """Each store's targets and alert rules in force, and where each comes from (the file, Slack, defaults)."""
    from rich.console import Console

    from bot.render.targets import targets_lines
    from bot.render.terminal import print_slack_text
    from connectors.warehouse import open_database, warehouse_exists
    from schedules.targets import target_settings

    db = open_database(settings.database) if warehouse_exists(settings.database) else None
    console = Console()
    for store in settings.stores:
        if db is None:
            print(f"{store.name}: targets from kpibot.toml (no database yet, so none set from Slack)")
            continue
        print_slack_text(console, "\n".join([f"{store.name} targets:", *targets_lines(
            target_settings(db, store), [], "en")]))
