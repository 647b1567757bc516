"""A damaged database file, and a write lock held while ``serve`` starts.

The damage is real: garbage written over pages in the middle of a synced warehouse, or
the file cut in half. Every command that writes must refuse it with one sentence and exit
1 before touching GA4, Slack or the file; ``serve`` must wait for another process's lock.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from itertools import count
from pathlib import Path

import pytest

from bot.cli.main import main
from connectors.ga4.emulator.server import serve_emulator
from connectors.transaction import DamagedDatabase, WarehouseBusy, damaged_sentence, integrity_problem
from connectors.warehouse import open_database, open_when_writable
from tests.fakes.slack_api import fake_slack
from tests.support.engines import unmigrated
from tests.support.ga4 import demo_shop, synced_demo_db
from tests.support.paths import ROOT
from tests.support.slack import SECRET, TOKEN

CONFIG = '[kpibot]\ndatabase = "{db}"\n[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n' \
         'digest_channel = "C0123ABCD"\nalert_channel = "C0123ABCD"\nchannels = ["C0123ABCD"]\n'


def damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    with path.open("r+b") as file:
        if how == "garbage":
            file.seek(size // 2 // 4096 * 4096)
            file.write(random.Random(7).randbytes(3 * 4096))
        else:
            file.truncate(size // 2)


@pytest.fixture(params=["garbage", "truncated"])
def damaged(request, tmp_path, monkeypatch):
    """A synced warehouse, damaged, with the emulator and a fake Slack behind the environment."""
    path = tmp_path / "kpibot.db"
    db = synced_demo_db(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    damage(path, request.param)
    config = tmp_path / "kpibot.toml"
    config.write_text(CONFIG.format(db=path))
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,created_at,total\nO1,C1,2026-11-20T10:00:00+01:00,10.00\n")
    with serve_emulator(demo_shop()) as emulator, fake_slack() as slack:
        for name, value in {"KPIBOT_GA4_ENDPOINT": emulator.url, "SLACK_BOT_TOKEN": TOKEN,
                            "SLACK_SIGNING_SECRET": SECRET, "KPIBOT_SLACK_API_URL": slack.api_url}.items():
            monkeypatch.setenv(name, value)
        yield path, config, orders, emulator, slack


@pytest.mark.parametrize("command", [["sync"], ["import-orders", "ORDERS"], ["digest", "--post"],
                                     ["alerts", "--post"], ["serve", "--port", "0"]],
                         ids=["sync", "import-orders", "digest-post", "alerts-post", "serve"])
def test_every_command_that_writes_refuses_a_damaged_file_in_one_sentence(damaged, capsys, command):
    path, config, orders, emulator, slack = damaged
    before = path.read_bytes()
    argv = [str(orders) if part == "ORDERS" else part for part in command]
    assert main(["--config", str(config), *argv, "--as-of", "2026-11-24"]) == 1
    assert capsys.readouterr().err == f"kpibot: {damaged_sentence(str(path))}\n"
    assert emulator.state.requests == 0 and slack.calls == []
    assert path.read_bytes() == before  # nothing was written into the damaged file


def test_integrity_problem_says_what_sqlite_found_and_none_for_a_sound_file(damaged, tmp_path):
    path = damaged[0]
    assert integrity_problem(open_database(None)) is None
    sound = synced_demo_db(tmp_path / "sound.db")
    assert integrity_problem(sound) is None
    with pytest.raises(DamagedDatabase):
        open_database(path, check=True)
    try:
        raw = unmigrated(path)  # opening sets WAL: a file damaged in its header already fails there
    except DamagedDatabase:
        return
    assert integrity_problem(raw) is not None


def test_a_reading_command_still_tries_a_damaged_file_and_says_so_when_it_cannot(damaged, capsys, request):
    path, config, *_ = damaged
    code = main(["--config", str(config), "ask", "sessions 2026-11-20", "--as-of", "2026-11-24"])
    out, err = capsys.readouterr()
    if "garbage" in request.node.callspec.id:  # the damaged pages hold no day the answer needs
        assert code == 0 and out.startswith("Sessioni · 20 nov 2026")
    else:  # half the file is gone: the schema cannot even be read
        assert code == 1 and err == f"kpibot: {damaged_sentence(str(path))}\n"


def test_a_read_that_meets_a_damaged_page_gets_the_same_sentence(tmp_path, capsys):
    config = tmp_path / "kpibot.toml"
    config.write_text(CONFIG.format(db=tmp_path / "kpibot.db"))
    db = synced_demo_db(tmp_path / "kpibot.db")
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ga4_sessions'").fetchone()[0]
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with (tmp_path / "kpibot.db").open("r+b") as file:  # the sessions table's root page becomes garbage
        file.seek((root - 1) * page_size)
        file.write(random.Random(3).randbytes(page_size))
    assert main(["--config", str(config), "ask", "sessions 2026-11-20", "--as-of", "2026-11-24"]) == 1
    assert capsys.readouterr().err == f"kpibot: {damaged_sentence(str(tmp_path / 'kpibot.db'))}\n"


def test_start_up_waits_in_steps_while_another_process_holds_the_write_lock(tmp_path):
    path = tmp_path / "kpibot.db"
    open_database(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waits: list[float] = []

    def on_wait(waited: float) -> None:
        waits.append(waited)
        if len(waits) == 3:  # three steps of SQLite's own busy wait: longer than one step
            holder.execute("ROLLBACK")

    db = open_when_writable(path, 60.0, __import__("time").monotonic, on_wait, step_ms=100)
    assert len(waits) == 3 and waits == sorted(waits)
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000  # back to the usual wait once started


def test_start_up_gives_up_with_a_clear_sentence_after_its_patience(tmp_path):
    path = tmp_path / "kpibot.db"
    open_database(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    ticks = count(0, 100)  # each step of the wait reads as 100 s on this clock
    with pytest.raises(WarehouseBusy, match=r"stayed locked by another process for 300 s: stop the process"):
        open_when_writable(path, 250.0, lambda: float(next(ticks)), lambda waited: None, step_ms=100)
    holder.execute("ROLLBACK")


def test_serve_started_while_another_process_holds_the_lock_waits_then_serves(tmp_path):
    path = tmp_path / "kpibot.db"
    open_database(path).close()
    config = tmp_path / "kpibot.toml"
    config.write_text(CONFIG.format(db=path))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a sync or an import in another process is writing
    with serve_emulator(demo_shop()) as emulator, fake_slack() as slack:
        env = {**os.environ, "KPIBOT_GA4_ENDPOINT": emulator.url, "SLACK_BOT_TOKEN": TOKEN,
               "SLACK_SIGNING_SECRET": SECRET, "KPIBOT_SLACK_API_URL": slack.api_url}
        server = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "--config", str(config), "serve", "--port",
                                   "0", "--host", "127.0.0.1"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        try:
            log = read_until(server, "waiting for the write lock")
            holder.execute("ROLLBACK")  # the other process finishes
            log += read_until(server, "Slack: HTTP on")
            assert server.poll() is None, log  # started, still running: it did not exit 1
        finally:
            server.terminate()
            _, rest = server.communicate(timeout=30)
    assert f"waiting for the write lock on {path}" in log
    assert "Traceback" not in log + rest and server.returncode != 1


def read_until(process: subprocess.Popen, text: str) -> str:
    """The process's stderr lines up to the one containing ``text`` (blocks on the pipe, no sleeping)."""
    assert process.stderr is not None
    seen = ""
    for line in process.stderr:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"the process ended (code {process.wait()}) before logging {text!r}:\n{seen}")
