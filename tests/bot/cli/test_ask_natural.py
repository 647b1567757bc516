"""`kpibot ask` and `/kpi` with Italian and natural wording, against the demo warehouse.

Expected numbers come from the raw demo frames (pandas), not from the code under test.
"""

from __future__ import annotations

import json
import math

import pytest

from bot.cli.composition import ThreadWarehouse
from bot.cli.main import main
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.http import serve_in_thread
from kpi.settings import Settings, StoreSettings
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db
from tests.support.slack import SECRET, TOKEN, post_signed, slash_command

CHANNEL = "C0NATURAL"


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("natural")
    synced_demo_db(folder / "demo.db").close()
    path = folder / "kpibot.toml"
    path.write_text('[kpibot]\ndatabase = "demo.db"\n[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n'
                    f'channels = ["{CHANNEL}"]\n')
    return path


def ask_json(config, capsys, text: str) -> dict:
    assert main(["--config", str(config), "ask", text, "--json", "--as-of", AS_OF.isoformat()]) == 0
    return json.loads(capsys.readouterr().out)


def revenue(start: str, end: str) -> float:
    rows = demo_frames()["sessions"]
    return float(rows[(rows.date >= start) & (rows.date <= end)].revenue.sum())


def test_quanto_abbiamo_fatturato_ieri_is_yesterdays_revenue(config, capsys):
    out = ask_json(config, capsys, "quanto abbiamo fatturato ieri?")
    assert out["metric"] == "revenue" and out["period"] == {"start": "2026-11-23", "end": "2026-11-23"}
    assert math.isclose(out["value"], revenue("2026-11-23", "2026-11-23"), rel_tol=1e-12)
    assert out == ask_json(config, capsys, "revenue yesterday")


def test_day_first_range_and_italian_comparison(config, capsys):
    out = ask_json(config, capsys, "fatturato dal 1/11/2026 al 15/11/2026 rispetto all'anno scorso")
    assert out["period"] == {"start": "2026-11-01", "end": "2026-11-15"}
    assert out["compare"]["period"] == {"start": "2025-11-02", "end": "2025-11-16"}  # 364 days earlier
    assert math.isclose(out["value"], revenue("2026-11-01", "2026-11-15"), rel_tol=1e-12)


def test_english_natural_form(config, capsys):
    out = ask_json(config, capsys, "what was our revenue last month?")
    assert out["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert math.isclose(out["value"], revenue("2026-10-01", "2026-10-31"), rel_tol=1e-12)


def test_cli_error_is_english_with_an_italian_suggestion(config, capsys):
    assert main(["--config", str(config), "ask", "fatturrato ieri", "--as-of", AS_OF.isoformat()]) == 2
    assert "I don't know the KPI `fatturrato`. Did you mean `fatturato`? Example: `fatturato ieri`" in \
        capsys.readouterr().err


def test_cli_anomalies_read_italian_periods(config, capsys):
    args = ["--config", str(config), "anomalies", "--json", "--as-of", AS_OF.isoformat()]
    assert main([*args, "sessioni", "ultimi", "30", "giorni"]) == 0
    italian = json.loads(capsys.readouterr().out)
    assert main([*args, "sessions", "last-30d"]) == 0
    assert italian == json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def slack_app(config):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="it", channels=(CHANNEL,))
    settings = Settings(database=config.parent / "demo.db", stores=(store,))
    with fake_slack() as slack:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(settings.database), client, SECRET, lambda _: AS_OF)
        with serve_in_thread(app) as url:
            yield slack, f"{url}/slack/events"


def respond(slack_app, text: str, name: str) -> dict:
    slack, url = slack_app
    slack.calls.clear()
    status, _, _ = post_signed(url, slash_command(text, CHANNEL, slack.response_url(name)))
    assert status == 200
    return slack.wait_for("respond")[0].params


def test_slack_answers_italian_wording_as_the_short_form(slack_app):
    natural = respond(slack_app, "quanto abbiamo fatturato ieri?", "n1")
    short = respond(slack_app, "revenue yesterday", "n2")
    assert natural["text"] == short["text"] and "Non ho capito" not in natural["text"]


def test_slack_error_is_in_the_stores_language(slack_app):
    reply = respond(slack_app, "fatturato settimana dei pazzi", "n3")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == ("Non ho capito: `settimana dei pazzi` non è un periodo. Forse intendevi "
                             "`settimana scorsa`? Esempio: `fatturato settimana scorsa`")
