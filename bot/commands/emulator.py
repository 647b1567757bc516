"""`kpibot emulator`: serve the demo shop over the GA4 runReport wire format, and optionally over
the Shopify Admin GraphQL and WooCommerce REST APIs (its orders and line items)."""

from __future__ import annotations

import argparse

DEMO_SHOP = "demo-shop.myshopify.com"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="GA4 emulator port on 127.0.0.1 (default: 8765)")
    parser.add_argument("--days", type=int, default=400, help="days of demo data (default: 400)")
    parser.add_argument("--shopify-port", type=int, metavar="PORT",
                        help="also serve the demo shop's orders as a Shopify store on this port")
    parser.add_argument("--woocommerce-port", type=int, metavar="PORT",
                        help="also serve the demo shop's orders as a WooCommerce site on this port")


def run(args: argparse.Namespace) -> int:
    import threading
    from contextlib import ExitStack

    from bot.context import today_in
    from connectors.emulator.demo_shop import TIME_ZONE, build_demo_shop
    from connectors.emulator.server import serve_emulator

    as_of = args.as_of or today_in(TIME_ZONE)
    shop = build_demo_shop(as_of, args.days)
    with ExitStack() as stack:
        emulator = stack.enter_context(serve_emulator(shop, port=args.port))
        print(f"GA4 emulator on {emulator.url} with {args.days} demo days up to {as_of}.")
        exports = [f"export KPIBOT_GA4_ENDPOINT={emulator.url}"]
        if args.shopify_port is not None or args.woocommerce_port is not None:
            exports += _shop_emulators(stack, shop, args)
        print("Use it with:")
        for line in exports:
            print(f"  {line}")
        print("(Ctrl-C to stop)")
        threading.Event().wait()
    return 0


def _shop_emulators(stack: object, shop: object, args: argparse.Namespace) -> list[str]:
    from contextlib import ExitStack

    from connectors.emulator.demo_shop import DemoShop
    from connectors.emulator.demo_shop_orders import demo_shop_orders
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
