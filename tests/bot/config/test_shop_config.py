"""[stores.shopify] and [stores.woocommerce]: typed settings, problems named by file, store and key."""

from __future__ import annotations

import re

from bot.cli.main import main
from bot.config.loader import load_settings
from tests.bot.config.test_config import problems_of, write
from tests.support.paths import ROOT

BASE = '[kpibot]\ndatabase = "k.db"\n[[stores]]\nname = "negozio"\nga4_property = "123"\n'
SHOPIFY = '[stores.shopify]\nshop = "negozio-demo.myshopify.com"\ntoken_env = "SHOPIFY_TOKEN_NEGOZIO"\n'
WOO = ('[stores.woocommerce]\nurl = "https://negozio.example.it/"\nkey_env = "WC_KEY_NEGOZIO"\n'
       'secret_env = "WC_SECRET_NEGOZIO"\n')


def test_both_sources_are_typed_settings(tmp_path):
    store = load_settings(write(tmp_path, BASE + SHOPIFY + WOO)).stores[0]
    assert (store.shopify.shop, store.shopify.token_env) == ("negozio-demo.myshopify.com", "SHOPIFY_TOKEN_NEGOZIO")
    assert store.woocommerce.url == "https://negozio.example.it"  # the trailing slash goes
    assert (store.woocommerce.key_env, store.woocommerce.secret_env) == ("WC_KEY_NEGOZIO", "WC_SECRET_NEGOZIO")
    assert load_settings(write(tmp_path, BASE)).stores[0].shopify is None


def test_bad_shop_domains_urls_and_unknown_keys_are_named_with_file_store_and_key(tmp_path):
    text = BASE + ('[stores.shopify]\nshop = "https://negozio.myshopify.com"\ntoken = "SHOPIFY_TOKEN"\n'
                   '[stores.woocommerce]\nurl = "ftp://negozio.example.it"\nkey_env = "wc key"\n'
                   'secret_env = "WC_SECRET"\n')
    joined = "\n".join(problems_of(tmp_path, text))
    prefix = "kpibot.toml: stores[0] (negozio)"
    assert f"{prefix}.shopify.shop must be the shop's myshopify.com domain" in joined and "without https://" in joined
    assert f"{prefix}.shopify.token is not a known setting; did you mean 'token_env'?" in joined
    assert f"{prefix}.shopify.token_env must name the environment variable" in joined
    assert f"{prefix}.woocommerce.url must be the shop's address" in joined
    assert f"{prefix}.woocommerce.key_env must name the environment variable" in joined


def test_a_secret_written_in_the_file_is_refused_without_being_repeated(tmp_path):
    token = "shpat_" + "0123456789abcdef0123456789abcdef"
    joined = "\n".join(problems_of(tmp_path, BASE + f'[stores.shopify]\nshop = "a.myshopify.com"\n'
                                                    f'token_env = "{token}"\n'))
    assert "the secret itself never goes in the file" in joined and token not in joined


def test_plain_http_is_refused_except_on_this_machine(tmp_path):
    woo = WOO.replace("https://negozio.example.it/", "http://negozio.example.it")
    assert "only accepts its keys over https://" in problems_of(tmp_path, BASE + woo)[0]
    local = WOO.replace("https://negozio.example.it/", "http://127.0.0.1:8768")
    assert load_settings(write(tmp_path, BASE + local)).stores[0].woocommerce.url == "http://127.0.0.1:8768"


def test_the_example_files_shop_blocks_are_valid_once_uncommented(tmp_path):
    example = (ROOT / "kpibot.example.toml").read_text()
    start = example.index("# [stores.shopify]")
    block = example[start:example.index("\n\n", start)]
    uncommented = example.replace(block, re.sub(r"(?m)^# ?", "", block))
    store = load_settings(write(tmp_path, uncommented)).store("shop-it")
    assert store.shopify.token_env == "SHOPIFY_TOKEN_NEGOZIO" and store.woocommerce.key_env == "WC_KEY_NEGOZIO"


def test_check_config_names_missing_variables_never_values(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, BASE + SHOPIFY + WOO)
    monkeypatch.setenv("WC_KEY_NEGOZIO", "key-" + "9988776655")
    monkeypatch.delenv("SHOPIFY_TOKEN_NEGOZIO", raising=False)
    monkeypatch.delenv("WC_SECRET_NEGOZIO", raising=False)
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "stores[0] (negozio).shopify.token_env names SHOPIFY_TOKEN_NEGOZIO, which is not set" in err
    assert "woocommerce.secret_env names WC_SECRET_NEGOZIO" in err and "WC_KEY_NEGOZIO," not in err
    assert "9988776655" not in err
    monkeypatch.setenv("SHOPIFY_TOKEN_NEGOZIO", "x")
    monkeypatch.setenv("WC_SECRET_NEGOZIO", "y")
    monkeypatch.setenv("KPIBOT_SHOPIFY_ENDPOINT", "127.0.0.1:8767")
    assert main(["--config", str(path), "check-config"]) == 2
    assert "KPIBOT_SHOPIFY_ENDPOINT must be a URL" in capsys.readouterr().err
    monkeypatch.setenv("KPIBOT_SHOPIFY_ENDPOINT", "http://127.0.0.1:8767")
    assert main(["--config", str(path), "check-config"]) == 0
    assert "Shopify negozio-demo.myshopify.com, WooCommerce https://negozio.example.it" in capsys.readouterr().out
