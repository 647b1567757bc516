"""`kpibot emulator`: serve the demo shop over the GA4 runReport wire format (and Klaviyo and Meta Ads)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765)")
    parser.add_argument("--days", type=int, default=400, help="days of demo data (default: 400)")
    parser.add_argument("--klaviyo", action="store_true", help="also serve the demo shop's Klaviyo account")
    parser.add_argument("--klaviyo-port", type=int, default=8767, help="Klaviyo emulator port (default: 8767)")
    parser.add_argument("--meta", action="store_true", help="also serve the demo shop's Meta ad account")
    parser.add_argument("--meta-port", type=int, default=8768, help="Meta Ads emulator port (default: 8768)")


def run(args: argparse.Namespace) -> int:
    import threading
    from contextlib import ExitStack

    from bot.context import today_in
    from connectors.emulator.demo_shop import TIME_ZONE, build_demo_shop
    from connectors.emulator.server import serve_emulator

    as_of = args.as_of or today_in(TIME_ZONE)
    shop = build_demo_shop(as_of, args.days)
    with ExitStack() as running:
        emulator = running.enter_context(serve_emulator(shop, port=args.port))
        print(f"GA4 emulator on {emulator.url} with {args.days} demo days up to {as_of}.")
        exports = [f"export KPIBOT_GA4_ENDPOINT={emulator.url}"]
        if args.klaviyo:
            from connectors.klaviyo.demo import build_klaviyo_demo
            from connectors.klaviyo.emulator import KlaviyoState, serve_klaviyo

            url = running.enter_context(serve_klaviyo(KlaviyoState(build_klaviyo_demo(shop)), port=args.klaviyo_port))
            print(f"Klaviyo emulator on {url}: any key starting with pk_ is accepted.")
            exports.append(f"export KPIBOT_KLAVIYO_ENDPOINT={url}")
        if args.meta:
            from connectors.meta_ads.demo import build_meta_demo
            from connectors.meta_ads.emulator import MetaState, serve_meta

            state = MetaState(build_meta_demo(shop), "act_1234567890", as_of)
            url = running.enter_context(serve_meta(state, port=args.meta_port))
            print(f"Meta Ads emulator on {url} for ad account act_1234567890: any token is accepted.")
            exports.append(f"export KPIBOT_META_ENDPOINT={url}")
        print("Use it with:\n  " + "\n  ".join(exports) + "\n(and the key_env / token_env variables your kpibot.toml "
              "names set to any value; Ctrl-C to stop)")
        threading.Event().wait()
    return 0
