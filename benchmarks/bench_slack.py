"""`/kpi` latency against a running `kpibot serve` and the fake Slack Web API, on 3 years of demo data.

Over HTTP: 100 sequential and 20 concurrent signed commands, then a burst of 200 at the same
instant. Over Socket Mode (the same `kpibot serve` with SLACK_APP_TOKEN, linked to the fake
Socket Mode server): 100 sequential and 20 concurrent envelopes, then a burst of 200. Prints ack
and answer latency p50, p95 and max. Over HTTP the ack is the response; over Socket Mode it is the
ack message arriving at the fake server, timed from the envelope leaving it. Targets: every ack
under 3 s, ack p95 under 100 ms (300 ms for the burst of 200), answer p95 under 500 ms (sequential).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_kpi import AS_OF, build  # noqa: E402
from tests.fakes.slack_api import FakeSlack, fake_slack  # noqa: E402
from tests.fakes.socket_mode import FakeSocketMode, fake_socket_mode  # noqa: E402
from tests.support.slack import (  # noqa: E402
    SECRET,
    TOKEN,
    post_signed,
    signature,
    slash_command,
    slash_command_payload,
)

APP_TOKEN = "xapp-1-A0KPIBOT-bench-not-real"

QUERIES = ["aov last-30d", "revenue last-7d by channel", "cvr yesterday vs ly", "sessions mtd by device",
           "email_revenue_share last-90d", "roas last-month by channel", "revenue ytd vs ly", "targets"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)  # a benchmark waiting for a separate process to come up
    raise RuntimeError("kpibot serve did not become healthy in 30 s")


def one(slack: FakeSlack, events: str, index: int) -> tuple[float, float]:
    name = f"q{index}"
    started = time.perf_counter()
    status, _, ack = post_signed(events, slash_command(QUERIES[index % len(QUERIES)], "C0SHOP",
                                                       slack.response_url(name)))
    assert status == 200
    with slack.arrived:
        slack.arrived.wait_for(lambda: any(c.path == f"/respond/{name}" for c in slack.calls), timeout=30)
    return ack, time.perf_counter() - started


async def timed_post(port: int, body: str) -> tuple[float, float, int]:
    """POST a signed command over a fresh connection; (started, seconds to the ack, status)."""
    stamp = str(int(time.time()))
    request = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
               f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: {signature(SECRET, stamp, body)}\r\n"
               f"\r\n{body}").encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    acked = time.perf_counter() - started
    writer.close()
    return started, acked, int(status_line.split()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux), to tell the server's cost from the machine's load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def burst(slack: FakeSlack, port: int, server_pid: int, count: int,
          prefix: str) -> tuple[list[tuple[float, float]], float]:
    """``count`` signed commands sent at once, as Slack would from many users.

    Returns (ack, answer) seconds for each, and the server's CPU seconds until the last ack.

    One asyncio client sends them all, so the measuring side holds no thread per request
    that would compete with the fake Slack (in this process) for the interpreter lock.
    """
    names = [f"{prefix}{i}" for i in range(count)]
    bodies = [slash_command(QUERIES[i % len(QUERIES)], "C0SHOP", slack.response_url(name))
              for i, name in enumerate(names)]

    async def send_all() -> list[tuple[float, float, int]]:
        return await asyncio.gather(*(timed_post(port, body) for body in bodies))

    cpu_before = cpu_seconds(server_pid)
    sent = dict(zip(names, asyncio.run(send_all()), strict=True))
    ack_cpu = cpu_seconds(server_pid) - cpu_before
    assert all(status == 200 for _, _, status in sent.values())
    paths = {f"/respond/{name}": name for name in names}
    with slack.arrived:
        slack.arrived.wait_for(lambda: len({c.path for c in slack.calls} & paths.keys()) == count, timeout=300)
    answered = {paths[c.path]: c.at for c in slack.calls if c.path in paths}
    return [(sent[name][1], answered[name] - sent[name][0]) for name in names], ack_cpu


def report(label: str, timings: list[tuple[float, float]]) -> None:
    for kind, values in (("ack", [a for a, _ in timings]), ("answer", [b for _, b in timings])):
        ms = sorted(v * 1000 for v in values)
        p95 = statistics.quantiles(ms, n=20)[-1]
        print(f"  {label:10s} {kind:6s} p50 {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms")


def answered_at(slack: FakeSlack, names: list[str], timeout: float = 300) -> dict[str, float]:
    """When each response URL was called (waits for all of them)."""
    paths = {f"/respond/{name}": name for name in names}
    with slack.arrived:
        slack.arrived.wait_for(lambda: len({c.path for c in slack.calls} & paths.keys()) == len(names), timeout=timeout)
    return {paths[c.path]: c.at for c in slack.calls if c.path in paths}


def over_socket(slack: FakeSlack, socket: FakeSocketMode, names: list[str]) -> list[tuple[float, float]]:
    """Push one envelope per name at once; (ack, answer) seconds for each, from the envelope leaving."""
    envelopes = [socket.slash_command(slash_command_payload(QUERIES[i % len(QUERIES)], "C0SHOP",
                                                            slack.response_url(name)))
                 for i, name in enumerate(names)]
    acks = [socket.ack_seconds(envelope) for envelope in envelopes]
    answered = answered_at(slack, names)
    sent = [socket.envelopes[envelope].sent_at for envelope in envelopes]
    return [(ack, answered[name] - started) for ack, name, started in zip(acks, names, sent, strict=True)]


def setup(folder: Path, slack: FakeSlack) -> tuple[dict[str, str], list[str]]:
    database = build(folder)
    config = folder / "kpibot.toml"
    config.write_text(f'[kpibot]\ndatabase = "{database.name}"\n[[stores]]\nname = "demo-shop"\n'
                      'ga4_property = "100000001"\nchannels = ["C0SHOP"]\n')
    env = os.environ | {"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url, "KPIBOT_CONFIG": str(config)}
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("SLACK_SIGNING_SECRET", None)
    return env, [str(Path(sys.executable).with_name("kpibot")), "serve", "--no-scheduler", "--as-of", AS_OF.isoformat()]


def http_runs(slack: FakeSlack, env: dict[str, str], command: list[str]) -> dict[str, list[tuple[float, float]]]:
    port = free_port()
    server = subprocess.Popen([*command, "--port", str(port), "--host", "127.0.0.1"],
                              env=env | {"SLACK_SIGNING_SECRET": SECRET}, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz")
        events = f"http://127.0.0.1:{port}/slack/events"
        sequential = [one(slack, events, i) for i in range(100)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            concurrent = list(pool.map(lambda i: one(slack, events, 1000 + i), range(20)))
        flood, ack_cpu = burst(slack, port, server.pid, 200, "b")
    finally:
        server.terminate()
        server.wait(timeout=20)
    print("bench_slack: kpibot serve (HTTP, uvicorn) with the fake Slack Web API, 3 years of demo data")
    report("sequential", sequential)
    report("concurrent", concurrent)
    report("burst 200", flood)
    print(f"  burst 200: the server spent {ack_cpu * 1000:.0f} ms of CPU until the last ack "
          f"({ack_cpu / len(flood) * 1000:.2f} ms per ack); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    return {"sequential": sequential, "concurrent": concurrent, "burst": flood}


def socket_runs(slack: FakeSlack, env: dict[str, str], command: list[str]) -> dict[str, list[tuple[float, float]]]:
    with fake_socket_mode(slack) as socket:
        server = subprocess.Popen(command, env=env | {"SLACK_APP_TOKEN": APP_TOKEN}, stderr=subprocess.DEVNULL)
        try:
            socket.wait_for_open(2, timeout=60)
            sequential = [over_socket(slack, socket, [f"s{i}"])[0] for i in range(100)]
            with ThreadPoolExecutor(max_workers=20) as pool:
                concurrent = list(pool.map(lambda i: over_socket(slack, socket, [f"sc{i}"])[0], range(20)))
            flood = over_socket(slack, socket, [f"sb{i}" for i in range(200)])
        finally:
            server.terminate()
            server.wait(timeout=20)
    print("bench_slack: kpibot serve (Socket Mode, 2 links) with the fake Socket Mode server and Web API")
    report("sequential", sequential)
    report("concurrent", concurrent)
    report("burst 200", flood)
    return {"sequential": sequential, "concurrent": concurrent, "burst": flood}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, fake_slack() as slack:
        env, command = setup(Path(folder), slack)
        runs = [http_runs(slack, env, command), socket_runs(slack, env, command)]
    worst = max(a for run in runs for timings in run.values() for a, _ in timings)
    print(f"  every ack under 3 s: {'yes' if worst < 3 else 'NO'} (slowest {worst * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
