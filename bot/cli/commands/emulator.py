"""`kpibot emulator`: serve the demo shop over the GA4 runReport wire format, and optionally as a
Shopify store, a WooCommerce site, a Klaviyo account and a Meta ad account."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from datetime import date

from connectors.demo.shop import DemoShop

DEMO_SHOP = "demo-shop.myshopify.com"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="GA4 emulator port on 127.0.0.1 (default: 8765)")
    parser.add_argument("--days", type=int, default=400, help="days of demo data (default: 400)")
    parser.add_argument("--shopify-port", type=int, metavar="PORT",
                        help="also serve the demo shop's orders as a Shopify store on this port")
    parser.add_argument("--woocommerce-port", type=int, metavar="PORT",
                        help="also serve the demo shop's orders as a WooCommerce site on this port")
    parser.add_argument("--klaviyo", action="store_true", help="also serve the demo shop's Klaviyo account")
    parser.add_argument("--klaviyo-port", type=int, default=8767, help="Klaviyo emulator port (default: 8767)")
    parser.add_argument("--meta", action="store_true", help="also serve the demo shop's Meta ad account")
    parser.add_argument("--meta-port", type=int, default=8768, help="Meta Ads emulator port (default: 8768)")


def run(args: argparse.Namespace) -> int:
    import threading
    from contextlib import ExitStack

    from bot.cli.context import today_in
    from connectors.demo.shop import TIME_ZONE, build_demo_shop
    from connectors.ga4.emulator.server import serve_emulator

    as_of = args.as_of or today_in(TIME_ZONE)
    shop = build_demo_shop(as_of, args.days)
    with ExitStack() as stack:
        emulator = stack.enter_context(serve_emulator(shop, port=args.port))
        print(f"GA4 emulator on {emulator.url} with {args.days} demo days up to {as_of}.")
        exports = [f"export KPIBOT_GA4_ENDPOINT={emulator.url}"]
        if args.shopify_port is not None or args.woocommerce_port is not None:
            exports += _shop_emulators(stack, shop, args)
        exports += _marketing_emulators(stack, shop, args, as_of)
        print("Use it with:\n  " + "\n  ".join(exports) + "\n(and the key_env / token_env variables your kpibot.toml "
              "names set to any value; Ctrl-C to stop)")
        threading.Event().wait()
    return 0


def _shop_emulators(stack: object, shop: object, args: argparse.Namespace) -> list[str]:
    from contextlib import ExitStack

    from connectors.demo.shop import DemoShop
    from connectors.demo.shop_orders import demo_shop_orders
    from connectors.shopify.emulator.server import serve_shopify
    from connectors.shopify.emulator.state import ShopifyEmulatorState
    from connectors.woocommerce.emulator import WooEmulatorState, serve_woocommerce

    assert isinstance(stack, ExitStack) and isinstance(shop, DemoShop)
    orders = demo_shop_orders(shop)
    lines = []
    if args.shopify_port is not None:
        state = ShopifyEmulatorState(orders)
        running = stack.enter_context(serve_shopify(state, port=args.shopify_port))
        print(f"Shopify emulator on {running.url} with {len(orders)} orders "
              f"(kpibot.toml: [stores.shopify] shop = \"{DEMO_SHOP}\", token_env = \"SHOPIFY_TOKEN_DEMO\").")
        lines += [f"export KPIBOT_SHOPIFY_ENDPOINT={running.url}", f"export SHOPIFY_TOKEN_DEMO={state.token}"]
    if args.woocommerce_port is not None:
        woo = WooEmulatorState(orders)
        site = stack.enter_context(serve_woocommerce(woo, port=args.woocommerce_port))
        print(f"WooCommerce emulator on {site.url} with {len(orders)} orders (kpibot.toml: [stores.woocommerce] "
              "url = \"https://negozio.example.it\", key_env = \"WC_KEY_DEMO\", secret_env = \"WC_SECRET_DEMO\").")
        lines += [f"export KPIBOT_WOOCOMMERCE_ENDPOINT={site.url}", f"export WC_KEY_DEMO={woo.key}",
                  f"export WC_SECRET_DEMO={woo.secret}"]
    return lines


def _marketing_emulators(stack: ExitStack, shop: DemoShop, args: argparse.Namespace, as_of: date) -> list[str]:
    lines = []
    if args.klaviyo:
        from connectors.klaviyo.demo import build_klaviyo_demo
        from connectors.klaviyo.emulator import KlaviyoState, serve_klaviyo

        url = stack.enter_context(serve_klaviyo(KlaviyoState(build_klaviyo_demo(shop)), port=args.klaviyo_port))
        print(f"Klaviyo emulator on {url}: any key starting with pk_ is accepted.")
        lines.append(f"export KPIBOT_KLAVIYO_ENDPOINT={url}")
    if args.meta:
        from connectors.meta_ads.demo import build_meta_demo
        from connectors.meta_ads.emulator import MetaState, serve_meta

        state = MetaState(build_meta_demo(shop), "act_1234567890", as_of)
        url = stack.enter_context(serve_meta(state, port=args.meta_port))
        print(f"Meta Ads emulator on {url} for ad account act_1234567890: any token is accepted.")
        lines.append(f"export KPIBOT_META_ENDPOINT={url}")
    return lines
