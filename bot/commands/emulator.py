"""`kpibot emulator`: serve the demo shop over the GA4 runReport wire format."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765)")
    parser.add_argument("--days", type=int, default=400, help="days of demo data (default: 400)")


def run(args: argparse.Namespace) -> int:
    import threading

    from bot.context import today_in
    from connectors.emulator.demo_shop import TIME_ZONE, build_demo_shop
    from connectors.emulator.server import serve_emulator

    as_of = args.as_of or today_in(TIME_ZONE)
    with serve_emulator(build_demo_shop(as_of, args.days), port=args.port) as emulator:
        print(f"GA4 emulator on {emulator.url} with {args.days} demo days up to {as_of}.")
        print(f"Use it with: export KPIBOT_GA4_ENDPOINT={emulator.url}   (Ctrl-C to stop)")
        threading.Event().wait()
    return 0
