"""`kpibot demo`: the real pipeline on the built-in demo shop, with no credentials."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, default=400, help="days of demo history (default: 400)")
    parser.add_argument("--lang", choices=("it", "en"), default="it", help="language of the output (default: it)")
    parser.add_argument("--db", default="demo-out/kpibot.db", help="SQLite file (default: demo-out/kpibot.db)")


def run(args: argparse.Namespace) -> int:
    from bot.cli.demo.run import run_demo

    return run_demo(args)
