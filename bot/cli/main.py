"""The ``kpibot`` command line. It only parses arguments and calls the library.

Each subcommand lives in ``bot/commands/<name>.py`` with ``add_arguments(parser)``
and ``run(args) -> int``; heavy imports stay inside ``run`` so ``kpibot ask`` starts fast.
Errors that carry an
``exit_code`` attribute are user-facing: one line on stderr, no traceback unless
``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.i18n import query_error_text
from bot.version import __version__
from kpi.query.errors import QueryError

EXAMPLES = {
    "demo": "kpibot demo --lang en\n  kpibot demo --days 400 --db /tmp/demo.db",
    "sync": "kpibot sync\n  kpibot sync --store shop-it --since 2024-01-01 --until 2024-12-31",
    "ask": 'kpibot ask "aov last-30d"\n  kpibot ask "fatturato mtd by channel" --json\n'
    '  kpibot ask "cvr yesterday vs ly" --store shop-it --as-of 2026-11-22',
    "digest": "kpibot digest --store shop-it\n  kpibot digest --date 2026-11-23 --post",
    "alerts": "kpibot alerts\n  kpibot alerts --post",
    "anomalies": "kpibot anomalies\n  kpibot anomalies sessions last-90d --json",
    "import-orders": "kpibot import-orders orders_export.csv --store shop-it --format shopify\n"
    "  kpibot import-orders ordini.csv --store shop-it --format generic --skip-bad",
    "serve": "kpibot serve --port 3000",
    "check-config": "kpibot check-config\n  kpibot --config /etc/kpibot/kpibot.toml check-config",
    "migrate-db": "kpibot migrate-db --from kpibot.db --to postgresql://kpibot@db.example.com:5432/kpibot\n"
    "  KPIBOT_DATABASE_URL=postgresql://kpibot@db/kpibot kpibot migrate-db --from kpibot.db",
    "targets": "kpibot targets --store shop-it\n  kpibot targets --export > targets.toml",
    "emulator": "kpibot emulator --port 8765 --as-of 2026-11-23\n"
    "  kpibot emulator --shopify-port 8767 --woocommerce-port 8768 --klaviyo --meta",
}

HELP = {
    "demo": "run the whole pipeline on the built-in demo shop (no credentials needed)",
    "sync": "pull every source (GA4, Shopify, WooCommerce, Klaviyo, Meta Ads) into the warehouse; safe to re-run",
    "ask": "answer a KPI question, exactly as /kpi would",
    "digest": "build (and with --post, send) the morning digest",
    "alerts": "evaluate targets and anomalies now",
    "anomalies": "list the days the anomaly detector flags (an honest backtest)",
    "import-orders": "load orders from a Shopify or generic CSV export",
    "serve": "run the Slack app and the scheduler",
    "check-config": "validate kpibot.toml and the environment",
    "migrate-db": "copy a SQLite warehouse into an empty PostgreSQL one, and check the copy",
    "targets": "show the targets and alert rules in force; --export prints them as TOML for kpibot.toml",
    "emulator": "run the GA4 (and Shopify, WooCommerce, Klaviyo, Meta Ads) emulators with the demo shop",
}

CONFIG_HELP = "path to kpibot.toml (default: $KPIBOT_CONFIG, then ./kpibot.toml)"
LOG_FORMAT_HELP = "log lines as text (default) or as JSON objects, one a line"
LOG_FORMATS = ("text", "json")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def command_module(name: str) -> Any:
    """Command modules keep heavy imports inside ``run`` so parsing stays fast."""
    return importlib.import_module(f"bot.cli.commands.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpibot",
        description="E-commerce KPIs from GA4 and shop orders, in Slack and in your terminal.",
        epilog="examples:\n  make demo\n  kpibot ask \"aov last-30d\"\n  kpibot check-config",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kpibot {__version__}")
    parser.add_argument("--config", help=CONFIG_HELP)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--log-format", choices=LOG_FORMATS, help=LOG_FORMAT_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in HELP.items():
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog="examples:\n  " + EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("--as-of", type=iso_date, metavar="DATE",
                         help="the day to run as (default: today in the store's timezone)")
        # also after the subcommand, where people type them; SUPPRESS keeps a value given before it
        sub.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show tracebacks on errors")
        sub.add_argument("--log-format", choices=LOG_FORMATS, default=argparse.SUPPRESS, help=LOG_FORMAT_HELP)
        command_module(name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    if args.log_format or args.command == "serve":
        set_up_logging(args)
    try:
        return int(command_module(args.command).run(args))
    except KeyboardInterrupt:
        print("kpibot: interrupted.", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the one place errors become exit codes
        if args.debug:
            raise
        code = getattr(error, "exit_code", None)
        if code is None and damaged_database(error):
            return 1
        if code is None:
            print(f"kpibot: unexpected error: {type(error).__name__}: {error} "
                  "(run again with --debug for details)", file=sys.stderr)
            return 1
        print(f"kpibot: {said(error)}", file=sys.stderr)
        return int(code)


def set_up_logging(args: argparse.Namespace) -> None:
    """`serve` logs what it does (INFO); other commands log only when asked, and then only warnings."""
    import logging
    import os

    from bot.ops.logs import configure_logging

    level = logging.INFO if args.command == "serve" else logging.WARNING
    configure_logging(args.log_format or "text", level, os.environ)


def damaged_database(error: Exception) -> bool:
    """A read that met a damaged page: the same sentence as when a writing command refuses the file."""
    from connectors.transaction import damaged_sentence, is_damage

    if is_damage(error):
        print(f"kpibot: {damaged_sentence(None)}", file=sys.stderr)
    return is_damage(error)


def said(error: Exception) -> str:
    """An error's one sentence for the terminal: a query error worded in English, any other as it reads."""
    return query_error_text(error, "en") if isinstance(error, QueryError) else str(error)


if __name__ == "__main__":
    sys.exit(main())
