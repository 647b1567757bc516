"""`kpibot sync` and `kpibot check-config` with Klaviyo and Meta configured, through the real CLI.

Every source runs against its emulator over HTTP; each fails alone, in one line that names
the store and the source, and never shows a secret.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.loader import load_settings
from connectors.ga4.emulator.server import serve_emulator
from connectors.warehouse import open_database
from tests.support.ga4 import AS_OF, demo_shop
from tests.support.marketing import ACCOUNT, klaviyo_emulator, meta_emulator
from tests.support.paths import ROOT

KEY = "pk_" + "cli0secret0key"
TOKEN = "EAA" + "cli0secret0token"
CONFIG = f"""
[kpibot]
database = "k.db"
[[stores]]
name = "shop-it"
ga4_property = "100000001"
[stores.klaviyo]
key_env = "KLAVIYO_KEY_NEGOZIO"
[stores.meta_ads]
account_id = "{ACCOUNT}"
token_env = "META_TOKEN_NEGOZIO"
"""
SINCE = (AS_OF - timedelta(days=5)).isoformat()


@pytest.fixture
def ga4(monkeypatch):
    with serve_emulator(demo_shop(AS_OF, 400)) as running:
        monkeypatch.setenv("KPIBOT_GA4_ENDPOINT", running.url)
        yield running


def configure(tmp_path: Path, monkeypatch, klaviyo_url: str, meta_url: str, text: str = CONFIG) -> Path:
    path = tmp_path / "kpibot.toml"
    path.write_text(text)
    monkeypatch.setenv("KPIBOT_KLAVIYO_ENDPOINT", klaviyo_url)
    monkeypatch.setenv("KPIBOT_META_ENDPOINT", meta_url)
    monkeypatch.setenv("KLAVIYO_KEY_NEGOZIO", KEY)
    monkeypatch.setenv("META_TOKEN_NEGOZIO", TOKEN)
    return path


def sync_cli(path: Path) -> int:
    return main(["--config", str(path), "sync", "--as-of", AS_OF.isoformat(), "--since", SINCE])


def counts(path: Path) -> dict[str, int]:
    db = open_database(path)
    return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("ga4_sessions", "klaviyo_flow_days", "klaviyo_campaign_days", "meta_ads_days")}


def test_an_expired_meta_token_fails_alone_in_one_line_without_the_token(tmp_path, monkeypatch, capsys, ga4):
    with klaviyo_emulator(api_key=KEY) as (k_url, _), meta_emulator(token="EAA" + "another") as (m_url, _):
        path = configure(tmp_path, monkeypatch, k_url, m_url)
        assert sync_cli(path) == 1
    out = capsys.readouterr()
    failures = [line for line in out.err.splitlines() if "failed" in line]
    assert failures == [line for line in failures if "shop-it: Meta Ads failed" in line] and len(failures) == 1
    assert "META_TOKEN_NEGOZIO" in failures[0] and "190" in failures[0]
    synced = counts(tmp_path / "k.db")
    assert synced["ga4_sessions"] and synced["klaviyo_flow_days"] and synced["meta_ads_days"] == 0
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("k.db*"))
    for secret in (TOKEN, KEY):
        assert secret not in out.out + out.err and secret.encode() not in stored


def test_klaviyos_daily_budget_pauses_klaviyo_and_the_other_sources_sync(tmp_path, monkeypatch, capsys, ga4):
    with klaviyo_emulator() as (k_url, state), meta_emulator() as (m_url, _):
        state.inject(429, retry_after=6 * 3600)
        path = configure(tmp_path, monkeypatch, k_url, m_url)
        assert sync_cli(path) == 0
    err = capsys.readouterr().err
    assert "shop-it: Klaviyo paused" in err and "failed" not in err
    synced = counts(tmp_path / "k.db")
    assert synced["ga4_sessions"] and synced["meta_ads_days"] and synced["klaviyo_flow_days"] == 0


def test_a_refused_klaviyo_key_does_not_stop_ga4_or_meta(tmp_path, monkeypatch, capsys, ga4):
    with klaviyo_emulator(api_key="pk_" + "theotherkey") as (k_url, _), meta_emulator() as (m_url, _):
        path = configure(tmp_path, monkeypatch, k_url, m_url)
        assert sync_cli(path) == 1
    err = capsys.readouterr().err
    failures = [line for line in err.splitlines() if "failed" in line]
    assert len(failures) == 1
    assert "shop-it: Klaviyo failed: Klaviyo refused the key in KLAVIYO_KEY_NEGOZIO" in failures[0]
    synced = counts(tmp_path / "k.db")
    assert synced["ga4_sessions"] and synced["meta_ads_days"] and synced["klaviyo_flow_days"] == 0


BAD = """
[kpibot]
database = "k.db"
[[stores]]
name = "shop-it"
ga4_property = "1"
[stores.klaviyo]
key_env = "KLAVIYO_KEY_NEGOZIO"
[stores.klaviyo.flows]
welcom = "Welcome Series"
abandoned_cart = ["Carrello abbandonato", 3]
[stores.meta_ads]
account_id = "1234567890"
token_env = "EAAB-this-is-a-token-not-a-name"
"""


def test_check_config_names_each_bad_marketing_setting_and_never_a_value(tmp_path, capsys):
    path = tmp_path / "kpibot.toml"
    path.write_text(BAD)
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "stores[0] (shop-it).klaviyo.flows.welcom is not a flow role; did you mean 'welcome'?" in err
    assert "stores[0] (shop-it).klaviyo.flows.abandoned_cart must be a flow name" in err
    assert "stores[0] (shop-it).meta_ads.account_id must be the ad account id as \"act_\"" in err
    assert "got '1234567890'" in err
    assert "stores[0] (shop-it).meta_ads.token_env must name an environment variable" in err
    assert "EAAB-this-is-a-token" not in err


def test_check_config_names_a_missing_variable_and_a_key_of_the_wrong_kind(tmp_path, capsys, monkeypatch):
    path = tmp_path / "kpibot.toml"
    path.write_text(CONFIG)
    monkeypatch.delenv("KLAVIYO_KEY_NEGOZIO", raising=False)
    monkeypatch.delenv("META_TOKEN_NEGOZIO", raising=False)
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "shop-it: [stores.klaviyo] key_env names KLAVIYO_KEY_NEGOZIO, which is not set" in err
    assert "shop-it: [stores.meta_ads] token_env names META_TOKEN_NEGOZIO, which is not set" in err
    monkeypatch.setenv("KLAVIYO_KEY_NEGOZIO", "sk_" + "wrongkind123")
    monkeypatch.setenv("META_TOKEN_NEGOZIO", TOKEN)
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "KLAVIYO_KEY_NEGOZIO does not hold a Klaviyo private API key" in err and "wrongkind123" not in err


def test_check_config_lists_flow_roles_and_names_a_flow_that_matches_nothing(tmp_path, monkeypatch, capsys, ga4):
    configured = CONFIG.replace('[stores.meta_ads]', '[stores.klaviyo.flows]\nwelcome = "Serie di benvenuto"\n'
                                'winback = "Win-back VIP"\n[stores.meta_ads]')
    with klaviyo_emulator() as (k_url, _), meta_emulator() as (m_url, _):
        path = configure(tmp_path, monkeypatch, k_url, m_url, configured)
        assert main(["--config", str(path), "check-config"]) == 0  # nothing synced yet: no flows to check
        assert "listed here after the first 'kpibot sync'" in capsys.readouterr().out
        assert sync_cli(path) == 0
    capsys.readouterr()
    assert main(["--config", str(path), "check-config"]) == 2
    out = capsys.readouterr()
    assert "stores[0] (shop-it).klaviyo.flows.winback names 'Win-back VIP', which matches no Klaviyo flow" in out.err
    roles = next(line for line in out.out.splitlines() if "Klaviyo flow roles" in line)
    assert "welcome = 'Serie di benvenuto'" in roles and "abandoned_cart = 'Carrello abbandonato'" in roles
    assert "no flow found for winback" in roles


def test_the_example_files_marketing_blocks_are_valid_once_uncommented(tmp_path):
    example = (ROOT / "kpibot.example.toml").read_text()
    start = example.index("# [stores.klaviyo]")
    block = example[start:example.index("\n\n", start)]
    uncommented = example.replace(block, re.sub(r"(?m)^# ", "", block))
    assert uncommented != example
    path = tmp_path / "kpibot.toml"
    path.write_text(uncommented)
    store = load_settings(path).stores[0]
    assert store.klaviyo is not None and store.klaviyo.key_env and store.klaviyo.flow_names("abandoned_cart")
    assert store.meta_ads is not None and store.meta_ads.account_id.startswith("act_")
