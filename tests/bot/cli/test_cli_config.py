"""`--config` and `--debug` before or after the subcommand, and the demo's kpibot.toml naming the
database the demo wrote, wherever `--db` put it. Everything runs through `bot.cli.main.main`."""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.cli.demo.run import write_config
from bot.cli.demo.store import demo_store
from bot.cli.main import main
from bot.config.loader import ConfigError, load_settings
from bot.i18n import t
from connectors.demo.shop import PLANTED_ANOMALIES
from connectors.warehouse import open_database
from kpi.orders.tracking import tracking_check
from tests.bot.cli.conftest import DEMO_AS_OF, DEMO_DB, copy_demo
from tests.support.shops import demo_orders, shopify_frame

AS_OF = DEMO_AS_OF
DB = DEMO_DB  # relative, with a space, not the default name


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_run) -> Path:
    """A short demo run with a relative --db from its own folder (shared: see conftest); a copy of that folder."""
    folder = tmp_path_factory.mktemp("demo")
    copy_demo(demo_run, folder)
    return folder


def ask_json(capsys, argv: list[str]) -> dict:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_the_demo_config_points_at_the_database_it_wrote(demo, capsys, monkeypatch, tmp_path):
    config = demo / DB.parent / "kpibot.toml"
    assert load_settings(config).database.resolve() == (demo / DB).resolve()
    monkeypatch.chdir(tmp_path)  # elsewhere: the toml's own folder resolves the relative path
    answer = ask_json(capsys, ["--config", str(config), "ask", "revenue yesterday", "--as-of", AS_OF.isoformat(),
                               "--json"])
    with sqlite3.connect(demo / DB) as raw:
        (revenue,) = raw.execute("SELECT SUM(revenue) FROM ga4_sessions WHERE date = ?", ["2026-11-23"]).fetchone()
    assert revenue > 0 and math.isclose(answer["value"], revenue)
    assert sorted(p.name for p in (demo / DB.parent).glob("*.db")) == [DB.name]  # no empty kpibot.db beside it


def test_config_is_read_after_the_subcommand_as_before_it(demo, capsys):
    config = str(demo / DB.parent / "kpibot.toml")
    question = ["ask", "aov last-30d", "--as-of", AS_OF.isoformat(), "--json"]
    before = ask_json(capsys, ["--config", config, *question])
    after = ask_json(capsys, [*question, "--config", config])
    assert before == after and before["value"] > 0
    # given twice, the one after the subcommand wins
    assert ask_json(capsys, ["--config", str(demo / "none.toml"), *question, "--config", config]) == before


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_missing_config_after_the_subcommand_is_the_one_named(tmp_path, capsys, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPIBOT_CONFIG", raising=False)
    missing = tmp_path / "elsewhere" / "x.toml"
    option = ["--config", str(missing)]
    argv = [*option, "ask", "aov last-30d"] if where == "before" else ["ask", "aov last-30d", *option]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kpibot: {missing}: no such config file") and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["--debug", "ask", "aov last-30d"], ["ask", "aov last-30d", "--debug"]],
                         ids=["before", "after"])
def test_debug_before_or_after_the_subcommand_shows_the_error_itself(tmp_path, argv):
    missing = ["--config", str(tmp_path / "none.toml")]
    assert main([arg for arg in argv if arg != "--debug"] + missing) == 2  # without it: one line, exit 2
    with pytest.raises(ConfigError, match="no such config file"):
        main([*argv, *missing])


def test_the_demo_never_overwrites_a_config_it_did_not_write(tmp_path):
    store = demo_store("it")
    own = tmp_path / "kpibot.toml"
    own.write_text('[kpibot]\ndatabase = "production.db"\n')
    written = write_config(tmp_path / "demo.db", store, AS_OF)
    assert written == tmp_path / "kpibot-demo.toml" and own.read_text() == '[kpibot]\ndatabase = "production.db"\n'
    assert load_settings(written).database == tmp_path / "demo.db"
    own.unlink()
    assert write_config(tmp_path / "demo.db", store, AS_OF) == own  # its own file it rewrites on every run
    assert write_config(tmp_path / "demo.db", store, AS_OF) == own


def test_the_demo_syncs_its_orders_from_shopify_and_its_digest_shows_the_shop_and_the_tracking_gap(demo):
    """The orders come from the Shopify emulator (no CSV): the day's shop orders are the emulator's own,
    the digest has the shop section with its tracking line, and the planted outage day is a jump."""
    store = demo_store()
    db = open_database(demo / DB)
    frame = shopify_frame(demo_orders(60))
    assert {row["source"] for row in db.query("SELECT DISTINCT source FROM orders")} == {"shopify"}
    yesterday = "2026-11-23"
    check = tracking_check(db, store, date.fromisoformat(yesterday))
    assert check.shop_orders == frame[(frame["day"] == yesterday) & frame["counts"]].shape[0] > 0
    text = json.dumps(json.loads((demo / DB.parent / "digest.blocks.json").read_text()), ensure_ascii=False)
    assert t("digest_shop", store.language) in text
    assert t("tracking_line", store.language, ga4="X", shop="Y", gap="Z", median="W").split("X")[0] in text
    [outage] = [planted for planted in PLANTED_ANOMALIES if planted.name == "tracking_outage"]
    for day in outage.dates(AS_OF):
        assert tracking_check(db, store, day).jumped
