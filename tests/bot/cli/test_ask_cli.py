"""`kpibot ask` end to end: config, warehouse, JSON shape of SPEC §6, text in the store's language."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pytest

from bot.cli.main import main
from tests.support.ga4 import demo_frames, synced_demo_db


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ask")
    synced_demo_db(folder / "demo.db")
    path = folder / "kpibot.toml"
    path.write_text('[kpibot]\ndatabase = "demo.db"\n[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n'
                    'channels = ["C0DEMO"]\n[stores.targets]\naov = { min = 60.0 }\n')
    return path


def ask(config, *args):
    return main(["--config", str(config), "ask", *args, "--as-of", "2026-11-24"])


def test_json_has_exactly_the_spec_shape(config, capsys):
    assert ask(config, "aov last-30d", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["store", "metric", "period", "value", "unit", "currency", "compare", "target", "caveats"]
    assert out["period"] == {"start": "2026-10-25", "end": "2026-11-23"}
    raw = demo_frames()["sessions"]
    rows = raw[(raw.date >= "2026-10-25") & (raw.date <= "2026-11-23")]
    assert math.isclose(out["value"], rows.revenue.sum() / rows.orders.sum(), rel_tol=1e-12)
    assert out["target"] == {"min": 60.0, "status": "ok"} and out["unit"] == "currency"


def test_breakdown_keys_as_ga4_names_them(config, capsys):
    assert ask(config, "revenue last-7d by channel", "--json") == 0
    keys = [row["key"] for row in json.loads(capsys.readouterr().out)["breakdown"]]
    assert "Email" in keys and "Organic Search" in keys


def test_text_is_italian_with_locale_numbers(config, capsys):
    assert ask(config, "fatturato last-7d") == 0
    out = capsys.readouterr().out
    raw = demo_frames()["sessions"]
    revenue = raw[(raw.date >= "2026-11-17") & (raw.date <= "2026-11-23")].revenue.sum()
    euros, cents = divmod(round(revenue * 100), 100)
    assert out.startswith("Fatturato ·") and f"{euros:,}".replace(",", ".") + f",{cents:02d}\xa0€" in out


def test_bad_query_exits_2_with_a_suggestion(config, capsys):
    assert ask(config, "scontrino-medo last-30d") == 2
    assert "Did you mean `scontrino-medio`?" in capsys.readouterr().err


def test_cold_cli_answers(config):
    process = subprocess.run([sys.executable, "-m", "bot.cli.main", "--config", str(config), "ask",
                              "cvr yesterday vs ly", "--json", "--as-of", "2026-11-24"],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["compare"]["period"] == {"start": "2025-11-24", "end": "2025-11-24"}


def test_public_works_on_the_cli_and_just_answers(config, capsys):
    assert ask(config, "fatturato ieri pubblico") == 0
    public = capsys.readouterr().out
    assert ask(config, "fatturato ieri") == 0
    assert public == capsys.readouterr().out and "Eseguito come revenue yesterday" in public


def test_help_in_italian_has_italian_examples_that_read(config, capsys):
    from bot.i18n import t
    from bot.render.replies import help_text
    from kpi.query.parser import Query, parse

    assert ask(config, "aiuto") == 0
    printed = capsys.readouterr().out
    assert t("query_help_natural", "it").replace("`", "") in printed
    (line,) = [line for line in help_text("it").splitlines() if line.startswith("Esempi:")]
    examples = re.findall(r"`/kpi ([^`]+)`", line)
    assert len(examples) >= 3 and all(isinstance(parse(example), Query) for example in examples)
    commands = re.findall(r"`/kpi ([a-z]+)`", help_text("it"))
    assert len(commands) >= 6 and all(not isinstance(parse(command), Query) for command in commands)
    assert {"ieri", "giorni"} <= {word for example in examples for word in example.split()}
    assert not re.search(r"last-|yesterday", " ".join(examples))  # Italian examples, not the English short form


def test_digest_lang_en_prints_in_english(config, capsys):
    assert main(["--config", str(config), "digest", "--lang", "en", "--as-of", "2026-11-24"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demo-shop digest · 23 Nov 2026") and "Revenue" in out and "Fatturato" not in out
    assert "🟢" in out or "🔴" in out
    assert ":red_circle:" not in out and ":large_green_circle:" not in out


def test_a_digest_for_a_day_without_data_is_one_sentence_and_exit_1(config, capsys):
    assert main(["--config", str(config), "digest", "--as-of", "2025-01-01"]) == 1
    err = capsys.readouterr().err
    first = demo_frames()["sessions"]["date"].min()
    assert len(err.strip().splitlines()) == 1 and "DigestUnavailable" not in err and "unexpected" not in err
    assert "no GA4 data for demo-shop on 2024-12-31" in err and f"from {first}" in err and "--date" in err
