"""Config loading and validation (SPEC §4): every problem at once, each naming file, store and key."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.loader import ConfigError, config_path, load_settings
from tests.support.paths import ROOT

EXAMPLE = ROOT / "kpibot.example.toml"

GOOD = """
[kpibot]
database = "data/k.db"
[[stores]]
name = "shop-it"
ga4_property = "123"
channels = ["C0AAA"]
digest_channel = "C0AAA"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kpibot.toml"
    path.write_text(text)
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, text))
    return error.value.problems


def test_the_example_file_is_valid_and_typed():
    settings = load_settings(EXAMPLE)
    assert [s.name for s in settings.stores] == ["shop-it", "shop-us"]
    us = settings.store("shop-us")
    assert us.digest_time == time(8, 30) and us.language == "en" and us.ltv_months == 24
    assert settings.store("shop-it").target_for("revenue").period == "month"
    assert settings.database == EXAMPLE.parent / "kpibot.db"


def test_defaults_and_relative_database_path(tmp_path):
    settings = load_settings(write(tmp_path, GOOD))
    store = settings.stores[0]
    assert settings.database == tmp_path / "data" / "k.db"
    assert (store.language, store.timezone, store.margin, store.ltv_months) == ("it", "Europe/Rome", 0.30, 12)
    assert store.target_for("email_revenue_share").is_default


def test_every_problem_is_reported_at_once_with_file_store_and_key(tmp_path):
    text = GOOD + """
language = "fr"
timezone = "Mars/Olympus"
digest_time = "8am"
margin = 3
[stores.targets]
cvr = { min = 2.5 }
aov = { min = 90, max = 50 }
revenu = { min = 10.0 }
"""
    problems = problems_of(tmp_path, text)
    assert len(problems) == 7
    joined = "\n".join(problems)
    assert "kpibot.toml: stores[0] (shop-it).targets.cvr.min must be a fraction between 0 and 1" in joined
    assert "got 2.5" in joined
    for key in ("language", "timezone", "digest_time", "margin", "targets.aov", "targets.revenu"):
        assert f"stores[0] (shop-it).{key}" in joined
    assert "did you mean 'revenue'" in joined


def test_percent_written_as_whole_number_gets_a_hint(tmp_path):
    problems = problems_of(tmp_path, GOOD + "[stores.targets]\nemail_revenue_share = { min = 15 }\n")
    assert "write 0.15 for 15%" in problems[0]


def test_unknown_keys_and_secrets_in_the_file_are_refused(tmp_path):
    problems = problems_of(tmp_path, GOOD + 'digest_chanel = "C0AAA"\nslack = "xoxb-123-456-abc"\n')
    joined = "\n".join(problems)
    assert "did you mean 'digest_channel'" in joined
    assert "looks like a secret" in joined and "xoxb-123" not in joined


def test_missing_file_and_bad_toml_say_how_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="cp kpibot.example.toml kpibot.toml"):
        load_settings(tmp_path / "nope.toml")
    assert "line" in problems_of(tmp_path, "[kpibot\n")[0]


def test_config_path_precedence(tmp_path):
    assert config_path("a.toml", {"KPIBOT_CONFIG": "b.toml"}, tmp_path) == Path("a.toml")
    assert config_path(None, {"KPIBOT_CONFIG": "b.toml"}, tmp_path) == Path("b.toml")
    assert config_path(None, {}, tmp_path) == tmp_path / "kpibot.toml"


def test_check_config_lists_problems_and_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value-123")
    path = write(tmp_path, GOOD + 'language = "fr"\ncurrency = "EURO"\n')
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "stores[0] (shop-it).language" in err and "stores[0] (shop-it).currency" in err
    assert "2 problem(s) found." in err
    assert "xoxb-secret-value-123" not in err


def test_check_config_ok(tmp_path, capsys):
    assert main(["--config", str(EXAMPLE), "check-config"]) == 0
    assert "OK" in capsys.readouterr().out


def test_a_channel_resolves_only_to_stores_that_list_it():
    from bot.slack.access import store_of_channel, stores_for_channel

    settings = load_settings(EXAMPLE)
    first, second = settings.stores[:2]
    only_first = next(c for c in first.channels if c not in second.channels)
    assert store_of_channel(settings, only_first) == first
    assert stores_for_channel(settings, "C0NOBODY") == []
    assert store_of_channel(settings, "C0NOBODY") is None


def test_check_config_names_the_service_account_but_never_the_key(tmp_path, capsys, monkeypatch):
    key = tmp_path / "key.json"
    header = "-----BEGIN " + "PRIVATE KEY-----"  # split so no key-shaped text sits in the repository
    key.write_text(json.dumps({"type": "service_account", "client_email": "kpibot@shop.iam.gserviceaccount.com",
                               "private_key": f"{header}\nSECRETSECRET\n"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    assert main(["--config", str(EXAMPLE), "check-config"]) == 0
    out = capsys.readouterr()
    assert "kpibot@shop.iam.gserviceaccount.com" in out.err and "SECRETSECRET" not in out.err + out.out
    key.write_text("{}")
    assert main(["--config", str(EXAMPLE), "check-config"]) == 2
    assert "no client_email" in capsys.readouterr().err


def test_country_and_planned_events_are_read_and_typed(tmp_path):
    settings = load_settings(write(tmp_path, GOOD + 'country = "IT"\n[[stores.events]]\nname = "Saldi invernali"\n'
                                   'start = "2026-01-03"\nend = 2026-02-28\nexpect = "up"\n'))
    store = settings.stores[0]
    assert store.country == "IT"
    assert [(e.name, e.start, e.end, e.expect) for e in store.events] == [
        ("Saldi invernali", date(2026, 1, 3), date(2026, 2, 28), "up")]
    assert load_settings(write(tmp_path, GOOD)).stores[0].country is None


def test_calendar_keys_are_validated_naming_file_store_and_key(tmp_path):
    problems = problems_of(tmp_path, GOOD + 'country = "it"\n'
                           '[[stores.events]]\nname = "Promo"\nstart = "2026-13-01"\nend = "2026-01-10"\n'
                           '[[stores.events]]\nname = "Chiuso"\nstart = 2026-08-20\nend = 2026-08-10\n'
                           '[[stores.events]]\nname = "Flash"\nstart = 2026-05-01\nend = 2026-05-01\n'
                           'expect = "sideways"\nfinish = 2026-05-02\n')
    assert problems == [
        "kpibot.toml: stores[0] (shop-it).country must be an ISO 3166-1 alpha-2 country code such as \"IT\" or "
        "\"US\" (write 'IT'), got 'it'",
        "kpibot.toml: stores[0] (shop-it).events[0].start must be a date such as 2026-01-03, got '2026-13-01'",
        "kpibot.toml: stores[0] (shop-it).events[1].end must be on or after start (2026-08-20) and within a year "
        "of it, got '2026-08-10'",
        "kpibot.toml: stores[0] (shop-it).events[2].finish is not a known setting; allowed: end, expect, name, start",
        "kpibot.toml: stores[0] (shop-it).events[2].expect must be one of up | down, got 'sideways'",
    ]
    assert problems_of(tmp_path, GOOD + 'country = "XX"\n')[0].endswith("got 'XX'")
