"""Secrets are never echoed: check-config names the key and the kind, URLs show no password.

Every secret-shaped value is built at run time (prefix split from body, random body), so no
key-shaped text sits in the repository.
"""

from __future__ import annotations

import json
import secrets
import socket
import string

import pytest

from bot.cli.main import main
from connectors.redact import mask_url, mask_urls_in, secret_kind
from tests.support.ga4 import PROPERTY, STORE
from tests.support.paths import ROOT


def random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def secret_values() -> dict[str, str]:
    """One value per kind of secret, and the words the message must use for its kind."""
    pem = "-----BEGIN " + "PRIVATE KEY-----\n" + random_text(ALNUM, 64) + "\n-----END PRIVATE KEY-----"
    return {
        "Slack bot token": "xox" + "b-" + random_text(string.digits, 12) + "-" + random_text(ALNUM, 24),
        "Slack user token": "xox" + "p-" + random_text(string.digits, 12) + "-" + random_text(ALNUM, 24),
        "Slack workspace or legacy token": "xox" + "a-2-" + random_text(ALNUM, 30),
        "Slack refresh or rotating token": "xox" + "r-" + random_text(ALNUM, 30),
        "Slack app-level token": "xa" + "pp-1-" + random_text(ALNUM, 30),
        "private key": pem,
        "service-account key": json.dumps({"type": "service" + "_account", "private" + "_key": "x"}),
        "Stripe secret key": "sk" + "_live_" + random_text(ALNUM, 24),
        "Stripe publishable key": "pk" + "_live_" + random_text(ALNUM, 24),
        "Shopify access token": "shp" + "at_" + random_text(HEX, 32),
        "WooCommerce consumer key": "ck" + "_" + random_text(HEX, 40),
        "WooCommerce consumer secret": "cs" + "_" + random_text(HEX, 40),
        "Meta access token": "EA" + "A" + random_text(ALNUM, 60),
        "Google API key": "AI" + "za" + random_text(ALNUM, 35),
        "GitHub token": "gh" + "p_" + random_text(ALNUM, 36),
        "AWS access key id": "AK" + "IA" + random_text(string.ascii_uppercase + string.digits, 16),
        "JSON Web Token": "ey" + "J" + random_text(ALNUM, 20) + ".ey" + "J" + random_text(ALNUM, 20) + "."
                          + random_text(ALNUM, 20),
        "URL with a password": "https://shop:" + random_text(ALNUM, 16) + "@example.com/api",
        "long hexadecimal secret": random_text(HEX, 32),
        "long random-looking string": secrets.token_urlsafe(32) + "A1",
    }


SECRETS = secret_values()
# Where a pasted secret may end up: every kind of key, including the database path.
PLACES = [
    ('[kpibot]\ndatabase = {v}\n[[stores]]\nname = "shop-it"\nga4_property = "1"\n', "kpibot.database"),
    ('[kpibot]\n[[stores]]\nname = {v}\nga4_property = "1"\n', "stores[0].name"),
    ('[[stores]]\nname = "shop-it"\nga4_property = "1"\ncurrency = {v}\n', "stores[0].currency"),
    ('[[stores]]\nname = "shop-it"\nga4_property = "1"\nchannels = [{v}]\n', "stores[0].channels[0]"),
    ('[[stores]]\nname = "shop-it"\nga4_property = "1"\ndigest_channel = {v}\n', "stores[0].digest_channel"),
    ('[[stores]]\nname = "shop-it"\nga4_property = "1"\nslack_token = {v}\n', "stores[0].slack_token"),
    ('[kpibot]\ntimezone = {v}\n[[stores]]\nname = "shop-it"\nga4_property = "1"\n', "kpibot.timezone"),
]


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_check_config_names_the_key_and_the_kind_never_the_value(kind, tmp_path, capsys):
    value = SECRETS[kind]
    template, key = PLACES[sorted(SECRETS).index(kind) % len(PLACES)]  # every kind, keys in rotation
    for text, where in ((template, key), (PLACES[0][0], PLACES[0][1])):  # and always in `database`
        path = tmp_path / "kpibot.toml"
        path.write_text(text.format(v=json.dumps(value)))
        assert main(["--config", str(path), "check-config"]) == 2
        out = capsys.readouterr()
        printed = out.out + out.err
        assert value not in printed and not any(line in printed for line in value.splitlines() if len(line) > 8)
        assert f"{where} looks like a secret" in printed and kind in printed


@pytest.mark.parametrize(("table", "where"), [("", "stores[0]"), ("[stores.targets]\n", "stores[0].targets")])
def test_a_secret_used_as_a_key_is_refused_without_being_shown(table, where, tmp_path, capsys):
    value = SECRETS["Slack bot token"]
    path = tmp_path / "kpibot.toml"
    path.write_text(f'[[stores]]\nname = "shop-it"\nga4_property = "1"\n{table}"{value}" = {{ min = 1 }}\n')
    assert main(["--config", str(path), "check-config"]) == 2
    printed = "".join(capsys.readouterr())
    assert value not in printed and f"a key under {where} looks like a secret (a Slack bot token" in printed


def test_ordinary_settings_are_not_mistaken_for_secrets():
    for value in ("kpibot.db", "data/warehouse_production_2026_11", "/srv/kpibot/Shops/Warehouse_2026.db",
                  "shop-it", "agency-client-with-a-very-long-store-name-2026", "C0123ABCD", "Europe/Rome",
                  "America/Argentina/Buenos_Aires", "08:30", "EUR", "123456789"):
        assert secret_kind(value) is None, value


def test_the_key_file_pasted_into_the_environment_is_named_not_shown(tmp_path, capsys, monkeypatch):
    pasted = json.dumps({"type": "service" + "_account", "private" + "_key": SECRETS["private key"]})
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", pasted)
    example = ROOT / "kpibot.example.toml"
    assert main(["--config", str(example), "check-config"]) == 2
    printed = "".join(capsys.readouterr())
    assert "GOOGLE_APPLICATION_CREDENTIALS holds what looks like" in printed
    assert SECRETS["private key"].splitlines()[1] not in printed


def test_mask_url_hides_passwords_and_secret_query_values():
    password = random_text(ALNUM, 12)
    assert mask_url(f"http://proxy:{password}@10.0.0.1:3128/ga4") == "http://proxy:***@10.0.0.1:3128/ga4"
    assert mask_url(f"https://host/x?key={password}&page=2") == "https://host/x?key=***&page=2"
    assert mask_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert mask_url(f"proxy:{password}@10.0.0.1:3128") == "***@10.0.0.1:3128"  # no scheme at all
    assert mask_url(f"http://u:{password}@[::1") == "http://***@[::1"  # not even parseable
    text = f"Failed to parse: http://u:{password}@127.0.0.1:99999/v1beta and more"
    assert password not in mask_urls_in(text) and "127.0.0.1:99999/v1beta and more" in mask_urls_in(text)


def test_a_proxy_password_never_reaches_stderr_the_run_log_the_status_or_the_file(tmp_path, capsys, monkeypatch):
    password = random_text(ALNUM, 20)
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr("bot.cli.commands.sync.SLEEP", lambda seconds: None)
    monkeypatch.setenv("KPIBOT_GA4_ENDPOINT", f"http://kpibot:{password}@127.0.0.1:{port}")
    config = tmp_path / "kpibot.toml"
    printed = ""
    for language in ("en", "it"):
        config.write_text(f'[kpibot]\ndatabase = "k.db"\nlanguage = "{language}"\n'
                          f'[[stores]]\nname = "{STORE}"\nga4_property = "{PROPERTY}"\n')
        assert main(["--config", str(config), "sync"]) == 1
        assert main(["--config", str(config), "ask", "status"]) == 0
        assert main(["--config", str(config), "check-config"]) == 0
        printed += "".join(capsys.readouterr())
    assert password not in printed
    assert f"cannot reach GA4 at http://kpibot:***@127.0.0.1:{port}" in printed  # the masked URL is shown
    assert "GA4 non è raggiungibile" in printed
    from connectors.warehouse import open_database

    db = open_database(tmp_path / "k.db")
    assert all(password not in str(row) for row in db.execute("SELECT * FROM sync_runs").fetchall())
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for file in tmp_path.iterdir():
        assert password.encode() not in file.read_bytes(), file.name


@pytest.mark.parametrize("fault", ["503", "429", "400"])
def test_a_proxy_password_stays_out_of_every_api_error(fault, tmp_path, capsys, monkeypatch):
    """The REST client puts "POST <url with password>: ..." in front of every API error message."""
    from connectors.ga4.emulator.server import serve_emulator
    from connectors.warehouse import open_database
    from tests.support.ga4 import demo_shop

    password = random_text(ALNUM, 20)
    monkeypatch.setattr("bot.cli.commands.sync.SLEEP", lambda seconds: None)
    config = tmp_path / "kpibot.toml"
    config.write_text(f'[kpibot]\ndatabase = "k.db"\nlanguage = "en"\n'
                      f'[[stores]]\nname = "{STORE}"\nga4_property = "{PROPERTY}"\n')
    with serve_emulator(demo_shop()) as running:
        if fault == "400":
            running.state.invalid_fields.add("advertiserAdCost")
        else:
            running.state.inject(int(fault), times=6)
        monkeypatch.setenv("KPIBOT_GA4_ENDPOINT", running.url.replace("http://", f"http://kpibot:{password}@"))
        assert main(["--config", str(config), "sync", "--since", "2026-11-01", "--until", "2026-11-02"]) == 1
    assert main(["--config", str(config), "ask", "status"]) == 0
    printed = "".join(capsys.readouterr())
    error = open_database(tmp_path / "k.db").execute("SELECT error FROM sync_runs").fetchone()[0]
    assert error and error.split(": ")[-1].rstrip(".") in printed  # GA4's own words reach the user...
    assert password not in printed and password not in error  # ...without the password
