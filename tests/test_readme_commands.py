"""The README, run: every `kpibot` command in its code blocks and every `/kpi` example in its text runs
on the demo warehouse (its day pinned, as the README pins it) and answers without an error, and the
output the README prints is what kpibot prints today."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import shlex
import shutil
import sysconfig
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.ga4 import AS_OF
from tests.support.once import built_once
from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text()
CODE_BLOCKS = re.findall(r"^```[a-z]*\n(.*?)^```", README, flags=re.S | re.M)
# Commands that read the warehouse; the others (serve, sync, emulator, import-orders...) need a Slack
# workspace, a GA4 property or a file of the reader's and are tested where they are built.
READING = ("ask", "anomalies", "digest")
LABELS = README.split("```csv\n")[1].split("```")[0]  # the labelled windows the README's example reads


def readme_commands() -> list[str]:
    commands = []
    for block in CODE_BLOCKS:
        for line in block.splitlines():
            found = re.match(r"\s*(?:\.venv/bin/)?kpibot (.*?)(?:\s+#.*)?$", line)
            if found and "[" not in found.group(1):  # a usage line such as `anomalies [METRIC]` is not a command
                commands.append(found.group(1))
    return [command for command in commands if set(shlex.split(command)) & set(READING)]


def slack_examples() -> list[str]:
    """Every `/kpi …` the README shows, except the placeholders (`/kpi TEXT`) and those only Slack can run."""
    examples = re.findall(r"`/kpi ([^`]+)`", README)
    return sorted({text for text in examples if not re.search(r"[A-Z]{3,}", text) and text != "schedules"})


DEMO_RUNS = ROOT / ".pytest_cache" / "kpibot-demo-runs"


def code_version() -> str:
    """What `kpibot demo` writes depends on nothing but kpibot's code, the installed libraries and its day."""
    digest = hashlib.sha256()
    sources = (path for top in ("bot", "connectors", "kpi", "schedules") for path in (ROOT / top).rglob("*.py"))
    for path in sorted(sources):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    installed = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})  # not the cwd
    for library in sorted(f"{dist.metadata['Name']}=={dist.version}"
                          for dist in importlib.metadata.distributions(path=installed)):
        digest.update(library.encode())
    return digest.hexdigest()[:16]


def demo_run(as_of_day: str) -> Path:
    """The folder a `kpibot demo` run filled, run once per version of the code: by the first test worker to
    ask (the other waits), and reused by later runs of the suite until the code changes."""
    version = f"{as_of_day}-{code_version()}"
    if DEMO_RUNS.exists():
        for stale in DEMO_RUNS.iterdir():  # another version's run, half-built run or lock
            if stale.name.startswith((version, f".{version}")):
                continue
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)

    def run_the_demo(folder: Path) -> None:
        assert main(["demo", "--db", str(folder / "kpibot.db"), "--as-of", as_of_day]) == 0

    return built_once(DEMO_RUNS / version, run_the_demo)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """The warehouse `make demo` makes, made the same way (`kpibot demo`), on the day the README pins;
    a copy of the folder of that run, so nothing a command does reaches another module's."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(demo_run(AS_OF.isoformat()), folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*-shm"))
    return folder / "kpibot.toml"


def run(config, argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv[:1] + ["--config", str(config)] + argv[1:])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_readme_shows_commands_and_examples():
    assert len(readme_commands()) >= 5 and len(slack_examples()) >= 10


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_runs(config, command, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incidents.csv").write_text(LABELS)
    argv = [word for word in shlex.split(command) if word != "demo-out/kpibot.toml"]
    if "--config" in argv:
        argv.remove("--config")
    if "--as-of" not in argv:
        argv += ["--as-of", AS_OF.isoformat()]
    code, out = run(config, argv, capsys)
    assert code == 0, out
    assert out.strip() and "unexpected error" not in out and "Traceback" not in out


@pytest.mark.parametrize("text", slack_examples())
def test_every_slack_example_answers(config, text, capsys):
    code, out = run(config, ["ask", text, "--as-of", AS_OF.isoformat()], capsys)
    assert code == 0, out
    assert "unexpected error" not in out and "Non ho capito" not in out and "I don't know" not in out


def test_the_digest_the_readme_prints_is_todays(config, capsys):
    printed = README.split("What the morning digest says")[1].split("```\n")[1]
    code, out = run(config, ["digest", "--as-of", AS_OF.isoformat()], capsys)
    assert code == 0
    shown = [line for line in printed.splitlines() if line.strip() and line.strip() != "..."]
    lines = out.replace("\xa0", " ").replace("\u202f", " ").splitlines()  # the README spells locale spaces plainly
    assert shown and all(line in lines for line in shown), out


def test_the_scores_the_readme_prints_are_todays(config, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incidents.csv").write_text(LABELS)
    command = next(command for command in readme_commands() if "--labels" in command)
    printed = README.split(command)[1].split("```\n")[2]
    code, out = run(config, [word for word in shlex.split(command) if word not in ("--config", "demo-out/kpibot.toml")],
                    capsys)
    assert code == 0 and printed.strip() and printed.strip() in out


def test_the_json_the_readme_prints_is_todays(config, capsys):
    printed = README.split('`kpibot ask "aov last-30d" --json` on the demo')[1].split("```json\n")[1].split("```")[0]
    code, out = run(config, ["ask", "aov last-30d", "--json", "--as-of", AS_OF.isoformat()], capsys)
    assert code == 0
    assert json.loads(out) == json.loads(printed)
