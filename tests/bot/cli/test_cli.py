"""The CLI surface: help with examples, version, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli.main import HELP, main


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and "kpibot 0." in capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(HELP))
def test_every_subcommand_help_has_examples(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and f"kpibot {command}" in out and "--as-of" in out


def test_bad_usage_exits_2():
    with pytest.raises(SystemExit) as done:
        main(["sync", "--since", "yesterday-ish"])
    assert done.value.code == 2


def test_errors_are_one_line_without_traceback(tmp_path):
    process = subprocess.run([sys.executable, "-m", "bot.cli.main", "--config", str(tmp_path / "none.toml"), "sync"],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 2
    assert "Traceback" not in process.stderr and len(process.stderr.strip().splitlines()) == 1
    assert "cp kpibot.example.toml kpibot.toml" in process.stderr
