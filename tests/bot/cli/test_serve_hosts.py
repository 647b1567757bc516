"""The real `kpibot serve`, several at once on one warehouse, stopped by SIGTERM.

Each process reads the real clock (it is the composition root), so the warehouse holds the demo
shop up to yesterday, and each store's digest time is the current minute: at start-up every
process catches up the digest that is due, exactly as after a restart at 08:00. The fake Slack
and the GA4 emulator are real servers; a process's own view comes from its /metrics and /healthz.
Nothing is simulated in time: a killed leader's leases run out on the wall clock, so that test sets
``[kpibot] takeover_seconds`` to a few seconds and checks the bounds that setting scales to (the
production defaults, 45 s and what follows from it, are checked here too, and by
``tests/schedules/test_several_hosts.py`` on the injected clock).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli.main import main
from bot.ops.http import Health
from connectors.delivery_store import delivery
from connectors.leases import live_leases
from connectors.warehouse import open_database
from kpi.settings import Settings
from schedules.leasing import Timing
from tests.fakes.slack_api import fake_slack
from tests.support.agency import agency_db, channel_of, charts_under, digests_in, store_names
from tests.support.ga4 import demo_shop, emulator
from tests.support.slack import SECRET, TOKEN

ROME = ZoneInfo("Europe/Rome")
KPIBOT = str(Path(sys.executable).with_name("kpibot"))
PROXY_PASSWORD = "pw-" + "Zq8rT2vX9kLm4Np7"  # planted in KPIBOT_GA4_ENDPOINT: must never be shown
TAKEOVER = 6  # seconds: [kpibot] takeover_seconds of the killed-leader test


def today() -> datetime:
    return datetime.now(ROME)


@pytest.fixture(scope="module")
def live_db(tmp_path_factory) -> Path:
    """Three stores with the demo shop's last 60 days, up to yesterday in Rome."""
    path = tmp_path_factory.mktemp("live") / "template.db"
    agency_db(path, 3, as_of=today().date(), days=60)
    return path


@pytest.fixture
def live(live_db, tmp_path):
    database = tmp_path / "kpibot.db"
    database.write_bytes(live_db.read_bytes())
    with fake_slack() as slack, emulator(demo_shop(today().date(), 60)) as (ga4, _):
        slack.clock = time.time  # message ts on the real clock, as the processes' own
        endpoint = ga4.url.replace("http://", f"http://kpibot:{PROXY_PASSWORD}@")
        yield database, slack, {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                                "KPIBOT_SLACK_API_URL": slack.api_url, "KPIBOT_GA4_ENDPOINT": endpoint}


def config(folder: Path, database: Path, stores: int, takeover: float | None = None) -> Path:
    """Every store's digest is due this very minute (in Rome), so `serve` catches it up at once."""
    due = today().strftime("%H:%M")
    own = f"takeover_seconds = {takeover}\n" if takeover is not None else ""
    lines = [f'[kpibot]\ndatabase = "{database}"\ntimezone = "Europe/Rome"\n{own}']
    for name in store_names(stores):
        channel = channel_of(name)
        lines.append(f'[[stores]]\nname = "{name}"\nga4_property = "100000001"\nchannels = ["{channel}"]\n'
                     f'digest_channel = "{channel}"\nalert_channel = "{channel}"\ndigest_time = "{due}"\n')
    path = folder / "kpibot.toml"
    path.write_text("\n".join(lines))
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(config_path: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen([KPIBOT, "--config", str(config_path), "--log-format", "json", "serve", "--host",
                             "127.0.0.1", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def until(condition: Callable[[], bool], processes: list[subprocess.Popen], what: str, seconds: float = 120) -> None:
    """Wait for another process to reach a state: ask again every 0.2 s, waiting on the processes' exit."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        for process in processes:
            assert process.poll() is None, f"a kpibot serve exited early while waiting for {what}"
        with pytest.raises(subprocess.TimeoutExpired):
            processes[0].wait(timeout=0.2)


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def digest_jobs_accounted(port: int) -> float:
    """How many digest jobs this process has run, skipped (another process had them) or found done."""
    status, text = get(port, "/metrics")
    if status != 200:
        return 0
    return sum(sample.value for family in text_string_to_metric_families(text) if family.name == "kpibot_jobs"
               for sample in family.samples if sample.name == "kpibot_jobs_total"
               and sample.labels.get("job") == "digest")


def complete(database: Path, store: str) -> bool:
    day = (today().date() - timedelta(days=1)).isoformat()
    row = delivery(open_database(database), (store, "digest", day, channel_of(store)))
    return row is not None and row["status"] == "posted" and row["follow_up"] == 0


def stop(process: subprocess.Popen) -> tuple[float, str]:
    """SIGTERM; the seconds it took to exit, and what it logged."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    return time.monotonic() - sent, stderr


def test_two_serve_processes_at_digest_time_post_one_digest_per_store(live, tmp_path):
    database, slack, env = live
    path, ports = config(tmp_path, database, 3), [free_port(), free_port()]
    processes = [serve(path, env, port) for port in ports]
    try:
        until(lambda: all(digest_jobs_accounted(port) >= 3 for port in ports), processes,
              "both processes to run or skip the 3 digests")
        until(lambda: all(complete(database, store) for store in store_names(3)), processes, "the charts")
    finally:
        stopped = [stop(process) for process in processes]
    day = today().date() - timedelta(days=1)
    for store in store_names(3):
        [message] = digests_in(slack, store, day)
        assert charts_under(slack, message["ts"]) == 1
    assert [process.returncode for process in processes] == [0, 0]
    assert all(seconds <= 10 for seconds, _ in stopped)


def test_sigterm_finishes_the_job_in_hand_hands_back_its_leases_and_exits_within_10_s(live, tmp_path):
    database, slack, env = live
    slack.slow["files.completeUploadExternal"] = 1.5  # the digest's chart is in hand for 1.5 s
    port = free_port()
    process = serve(config(tmp_path, database, 1), env, port)
    try:
        until(lambda: get(port, "/healthz")[0] == 200, [process], "/healthz to answer 200")
        health = json.loads(get(port, "/healthz")[1])
        slack.wait_for("files.completeUploadExternal", timeout=120)  # the chart upload has begun
        assert not complete(database, "shop-0")
    finally:
        seconds, stderr = stop(process)
    print(f"SIGTERM to exit: {seconds:.2f} s")
    assert process.returncode == 0 and seconds <= 10, stderr[-3000:]
    assert complete(database, "shop-0")  # the job in hand finished: message, chart, record
    [message] = digests_in(slack, "shop-0", today().date() - timedelta(days=1))
    assert charts_under(slack, message["ts"]) == 1
    holder = health["holder"]
    assert holder.endswith(f":{process.pid}") and health["database"]["ok"] and health["scheduler"]["running"]
    held = [lease for lease in live_leases(open_database(database), datetime.now(UTC)) if lease["holder"] == holder]
    assert held == []  # handed back at once: no other process has to wait for them to run out

    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message", "store", "job", "request_id"} <= set(line) for line in lines)
    digest_lines = [line for line in lines if line["job"] == "digest"]
    assert digest_lines and all(line["store"] == "shop-0" and line["request_id"] for line in digest_lines)
    for secret in (TOKEN, SECRET, PROXY_PASSWORD):
        assert secret not in stderr


def test_the_leader_killed_mid_digest_loses_its_leases_within_a_minute_and_the_other_finishes_it(live, tmp_path):
    """Real time, real processes: A posts the digest and dies (kill -9) before Slack's answer reaches it.

    With ``takeover_seconds`` = 6 its leases run out 6 s after its last heartbeat (every 2 s), and the
    other process finishes the digest at its first sweep (every 4 s) after the 8 s claim: the bounds of
    the production test (60 s and 2 minutes at 45 s), scaled to the setting."""
    database, slack, env = live
    timing = Timing(timedelta(seconds=TAKEOVER))
    slack.slow["chat.postMessage"] = 600.0  # Slack has the message; A never hears back
    path, ports = config(tmp_path, database, 1, takeover=TAKEOVER), [free_port(), free_port()]
    processes = [serve(path, env, port) for port in ports]  # both catch up the digest: one takes it
    db = open_database(database)
    try:
        until(lambda: bool(digests_in(slack, "shop-0", today().date() - timedelta(days=1))) and any(
            digest_jobs_accounted(port) >= 1 for port in ports), processes,
            "one process's digest post, and the other to find the digest taken")
        until(lambda: all(get(port, "/healthz")[0] == 200 for port in ports), processes, "both /healthz")
        holders = [json.loads(get(port, "/healthz")[1])["holder"] for port in ports]
        [holder] = [lease["holder"] for lease in live_leases(db, datetime.now(UTC)) if lease["name"].startswith(
            "digest:")]  # the leader: it holds the digest's lease, stuck waiting for Slack's answer
        leader, other = processes if holders[0] == holder else processes[::-1]
        assert digest_jobs_accounted(ports[processes.index(other)]) >= 1  # the other found it taken
        leader.kill()  # SIGKILL: no finally, no lease handed back
        leader.wait(timeout=30)
        killed = time.monotonic()
        until(lambda: not [lease for lease in live_leases(db, datetime.now(UTC)) if lease["holder"] == holder],
              [other], "the dead leader's leases to run out", seconds=90)
        lease_free = timedelta(seconds=time.monotonic() - killed)
        until(lambda: complete(database, "shop-0"), [other], "the other to finish the digest", seconds=180)
        whole = timedelta(seconds=time.monotonic() - killed)
    finally:
        running = [process for process in processes if process.poll() is None]  # the other (both, on a failure)
        for process in processes:
            if process not in running:
                process.communicate(timeout=30)
        seconds, stderr = stop(running[0]) if running else (0.0, "")
        for process in running[1:]:
            process.kill()
            process.communicate(timeout=30)
    print(f"kill -9 of the leader: its leases free after {lease_free.total_seconds():.1f} s, the digest finished "
          f"after {whole.total_seconds():.1f} s")
    # renewed at most a heartbeat (give or take one) before the kill, held a whole lease from then on
    assert timing.lease - 2 * timing.heartbeat <= lease_free <= timing.lease + timing.heartbeat, stderr[-3000:]
    assert whole <= timing.claim + timing.sweep + 2 * timing.heartbeat, stderr[-3000:]  # 2 minutes at 45 s
    [message] = digests_in(slack, "shop-0", today().date() - timedelta(days=1))  # still one message
    assert charts_under(slack, message["ts"]) == 1
    assert leader.returncode == -signal.SIGKILL and other.returncode == 0 and seconds <= 10


def test_takeover_seconds_sets_every_interval_and_a_wrong_one_is_refused_in_one_line(tmp_path, capsys):
    default = Timing.of(Settings(database=tmp_path / "k.db"))  # the production defaults, unchanged
    assert (default.lease, default.heartbeat, default.sweep, default.claim, default.stale) == (
        timedelta(seconds=45), timedelta(seconds=15), timedelta(seconds=30), timedelta(seconds=60),
        timedelta(seconds=45))
    assert default.claim_renewal == 20.0
    short = Timing(timedelta(seconds=TAKEOVER))
    assert 60 / 45 * TAKEOVER == short.claim.total_seconds() and short.heartbeat * 3 == short.lease == short.stale

    now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    beat = now - 3.5 * short.heartbeat  # three heartbeats and a half missed at the short setting
    for timing, fresh in ((default, True), (short, False)):
        health = Health(database=lambda: None, heartbeat=lambda: beat, clock=lambda: now, timing=timing)
        healthy, report = health.report()
        assert healthy == fresh and report["scheduler"]["ok"] == fresh
    assert f"expected every {short.heartbeat.total_seconds():g} s" in report["scheduler"]["problem"]

    for wrong, shown in (("2", "2"), ("601", "601"), ('"45"', "'45'"), ("true", "True")):
        path = config(tmp_path, tmp_path / "kpibot.db", 1)
        path.write_text(path.read_text().replace("[kpibot]\n", f"[kpibot]\ntakeover_seconds = {wrong}\n"))
        assert main(["--config", str(path), "serve", "--port", "0"]) == 2
        assert capsys.readouterr().err.splitlines() == [
            "kpibot: kpibot.toml: kpibot.takeover_seconds must be a number of seconds between 3 and 600, such as 45, "
            f"got {shown}"]
