"""The shop sources of a store in ``kpibot.toml``: ``[stores.shopify]`` and ``[stores.woocommerce]``.

The file only names the environment variables that hold the secrets; ``check-config``
says which of them is missing, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.config.problems import Problems
from kpi.settings import Settings, ShopifySettings, WooCommerceSettings

SHOPIFY_KEYS = {"shop", "token_env"}
WOOCOMMERCE_KEYS = {"url", "key_env", "secret_env"}
ENDPOINT_VARIABLES = ("KPIBOT_SHOPIFY_ENDPOINT", "KPIBOT_WOOCOMMERCE_ENDPOINT")
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
VARIABLE_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}




def shop_sources(problems: Problems, label: str,
                 raw: Mapping[str, Any]) -> tuple[ShopifySettings | None, WooCommerceSettings | None]:
    """The store's ``shopify`` and ``woocommerce`` tables, each optional."""
    shopify = _shopify(problems, f"{label}.shopify", raw["shopify"]) if "shopify" in raw else None
    woocommerce = _woocommerce(problems, f"{label}.woocommerce", raw["woocommerce"]) if "woocommerce" in raw else None
    return shopify, woocommerce


def _table(problems: Problems, key: str, raw: Any, allowed: set[str], example: str) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.add(key, f"must be a table ([stores.{key.rsplit('.', 1)[1]}]) with {example}", None)
        return None
    problems.unknown_keys(f"{key}.", raw, allowed)
    return raw


def _shopify(problems: Problems, key: str, raw: Any) -> ShopifySettings | None:
    table = _table(problems, key, raw, SHOPIFY_KEYS, 'shop = "negozio.myshopify.com" and token_env')
    if table is None:
        return None
    shop = table.get("shop")
    if not isinstance(shop, str) or not SHOP_DOMAIN.match(shop):
        hint = _shop_hint(shop)
        problems.add(f"{key}.shop", f"must be the shop's myshopify.com domain, such as \"negozio.myshopify.com\"{hint}",
                     shop)
        shop = ""
    token_env = _variable(problems, f"{key}.token_env", table.get("token_env"), "SHOPIFY_TOKEN_NEGOZIO")
    return ShopifySettings(shop=shop, token_env=token_env)


def _shop_hint(shop: Any) -> str:
    if isinstance(shop, str) and "://" in shop:
        return " (without https:// or a path)"
    if isinstance(shop, str) and shop and "." not in shop:
        return f" (write \"{shop.lower()}.myshopify.com\")"
    return " (Shopify admin > Settings > Domains shows it)"


def _woocommerce(problems: Problems, key: str, raw: Any) -> WooCommerceSettings | None:
    table = _table(problems, key, raw, WOOCOMMERCE_KEYS, 'url = "https://negozio.example.it", key_env and secret_env')
    if table is None:
        return None
    url = _site_url(problems, f"{key}.url", table.get("url"))
    key_env = _variable(problems, f"{key}.key_env", table.get("key_env"), "WC_KEY_NEGOZIO")
    secret_env = _variable(problems, f"{key}.secret_env", table.get("secret_env"), "WC_SECRET_NEGOZIO")
    return WooCommerceSettings(url=url, key_env=key_env, secret_env=secret_env)


def _site_url(problems: Problems, key: str, value: Any) -> str:
    rule = "must be the shop's address, such as \"https://negozio.example.it\""
    if not isinstance(value, str):
        problems.add(key, rule, value)
        return ""
    parts = urlsplit(value)
    if parts.username or parts.password:
        problems.add(key, rule + "; it must not hold a user or password: keys go in key_env and secret_env", None)
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        problems.add(key, rule + " (https://, a host and an optional path)", value)
        return ""
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        problems.add(key, rule + ": WooCommerce only accepts its keys over https://", value)
        return ""
    return value.rstrip("/")


def _variable(problems: Problems, key: str, value: Any, example: str) -> str:
    if isinstance(value, str) and VARIABLE_NAME.match(value):
        return value
    shown = value if isinstance(value, str) and len(value) < 40 and not _looks_secret(value) else None
    problems.add(key, f"must name the environment variable that holds the secret, such as \"{example}\" "
                      "(the secret itself never goes in the file)", shown)
    return ""


def _looks_secret(value: str) -> bool:
    return bool(re.match(r"^(shpat_|shpca_|shppa_|ck_|cs_)", value)) or (len(value) >= 20 and " " not in value
                                                                         and not VARIABLE_NAME.match(value))


def shop_environment_problems(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """Every secret variable a store's config names but the environment does not hold (names only)."""
    file = settings.source.name if settings.source else "kpibot.toml"
    problems = []
    for index, store in enumerate(settings.stores):
        label = f"{file}: stores[{index}] ({store.name})"
        needed = []
        if store.shopify and store.shopify.token_env:
            needed.append(("shopify.token_env", store.shopify.token_env, "the Shopify Admin API access token"))
        if store.woocommerce:
            needed += [("woocommerce.key_env", store.woocommerce.key_env, "the WooCommerce consumer key (ck_...)"),
                       ("woocommerce.secret_env", store.woocommerce.secret_env,
                        "the WooCommerce consumer secret (cs_...)")]
        for key, variable, what in needed:
            if variable and not environ.get(variable):
                problems.append(f"{label}.{key} names {variable}, which is not set in the environment: "
                                f"export {variable} with {what}")
    for variable in ENDPOINT_VARIABLES:
        value = environ.get(variable)
        if value and not re.match(r"^https?://[^/\s]+", value):
            problems.append(f"{variable} must be a URL starting with http:// or https://, got {value!r}")
    return problems


def describe_sources(settings: Settings) -> dict[str, str]:
    """Each store's shop sources in words, for ``check-config``'s summary."""
    described = {}
    for store in settings.stores:
        parts = [f"Shopify {store.shopify.shop}"] if store.shopify else []
        parts += [f"WooCommerce {store.woocommerce.url}"] if store.woocommerce else []
        described[store.name] = ", ".join(parts)
    return described
