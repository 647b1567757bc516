"""Where the warehouse lives: a path (SQLite), a postgresql:// URL, KPIBOT_DATABASE_URL winning; else refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.loader import load_settings
from tests.support.ga4 import PROPERTY, STORE


def config(tmp_path, database: str) -> Path:
    path = tmp_path / "kpibot.toml"
    path.write_text(f'[kpibot]\ndatabase = "{database}"\n[[stores]]\nname = "{STORE}"\nga4_property = "{PROPERTY}"\n')
    return path


def test_a_path_is_sqlite_beside_the_config_and_a_url_is_postgresql(tmp_path):
    assert load_settings(config(tmp_path, "data/kpibot.db")).database \
        == tmp_path / "data" / "kpibot.db"
    url = "postgresql://kpibot@db.example.com:5432/kpibot"
    assert load_settings(config(tmp_path, url)).database == url


def test_kpibot_database_url_wins_over_the_file(tmp_path):
    url = "postgresql://kpibot:pw-in-env@db.example.com/kpibot"
    settings = load_settings(config(tmp_path, "kpibot.db"), {"KPIBOT_DATABASE_URL": url})
    assert settings.database == url


@pytest.mark.parametrize(("database", "env", "said"), [
    ("mysql://kpibot@db/kpibot", None, 'kpibot.database must be a file path such as "kpibot.db" or a postgresql://'),
    ("sqlite:///kpibot.db", None, "kpibot.database must be a file path"),
    ("postgresql://kpibot:hunter2-pw@db/kpibot", None, "kpibot.database looks like a secret (a URL with a password)"),
    ("kpibot.db", "mysql://kpibot:hunter2-pw@db/kpibot", "KPIBOT_DATABASE_URL must be a postgresql:// URL"),
])
def test_anything_else_is_refused_in_one_sentence_without_the_password(database, env, said, tmp_path, capsys,
                                                                       monkeypatch):
    if env:
        monkeypatch.setenv("KPIBOT_DATABASE_URL", env)
    else:
        monkeypatch.delenv("KPIBOT_DATABASE_URL", raising=False)
    path = config(tmp_path, database)
    assert main(["--config", str(path), "ask", "sessions yesterday"]) == 2
    err = capsys.readouterr().err
    assert said in err and "hunter2-pw" not in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpibot.toml"]  # no file named after the URL
