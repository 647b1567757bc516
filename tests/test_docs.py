"""The README is the product page: it fails here when it stops telling the whole truth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import HELP
from bot.config.calendar import EVENT_KEYS
from bot.config.loader import GLOBAL_KEYS, STORE_KEYS, TARGET_KEYS
from bot.config.shops import SHOPIFY_KEYS, WOOCOMMERCE_KEYS
from kpi.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ENVIRONMENT = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS",
               "KPIBOT_CONFIG", "KPIBOT_GA4_ENDPOINT", "KPIBOT_SLACK_API_URL", "KPIBOT_SHOPIFY_ENDPOINT",
               "KPIBOT_WOOCOMMERCE_ENDPOINT", "KPIBOT_KLAVIYO_ENDPOINT", "KPIBOT_META_ENDPOINT",
               "KPIBOT_DATABASE_URL", "KPIBOT_TEST_POSTGRES_URL")


@pytest.mark.parametrize("command", sorted(HELP))
def test_every_cli_command_is_documented(command):
    assert f"kpibot {command}" in README


@pytest.mark.parametrize("metric", [m.name for m in CATALOGUE])
def test_every_kpi_is_in_the_catalogue_table(metric):
    assert f"| `{metric}` |" in README


@pytest.mark.parametrize("key", sorted({f"kpibot.{k}" for k in GLOBAL_KEYS} | {f"stores[].{k}" for k in STORE_KEYS}
                                       | {f"stores[].shopify.{k}" for k in SHOPIFY_KEYS}
                                       | {f"stores[].woocommerce.{k}" for k in WOOCOMMERCE_KEYS}))
def test_every_config_key_is_documented(key):
    assert f"`{key}" in README


def test_target_keys_and_environment_are_documented():
    for key in TARGET_KEYS:
        assert re.search(rf"\b{key}\b", README)
    for key in EVENT_KEYS:
        assert f"`{key}`" in README
    for variable in ENVIRONMENT:
        assert f"`{variable}`" in README


def test_the_two_commands_open_the_readme():
    opening = README[:2500]
    assert "make demo" in opening and "make test" in opening


def test_every_file_the_readme_names_exists():
    named = set(re.findall(r"\b(?:tests|benchmarks|connectors|kpi|bot|schedules)/[\w/]+\.py\b", README))
    assert named and sorted(path for path in named if not (ROOT / path).exists()) == []


def test_the_readme_picture_exists_and_is_small():
    for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        path = ROOT / target
        assert path.exists() and path.stat().st_size < 200_000


def test_catalogue_aliases_in_the_readme_match_the_code():
    for metric in CATALOGUE:
        row = next(line for line in README.splitlines() if line.startswith(f"| `{metric.name}` |"))
        assert all(alias in row for alias in metric.aliases)
