"""Hostile Slack requests through real HTTP: forged interactions, App Home per person, oversized and
badly signed bodies, forged log lines (issue 10 items 5 and 6, issue 13 "App Home per person").

Two stores share one install: ``demo-shop`` (Italian, channel C0SHOP, the synced demo data) and
``other-shop`` (English, channel C0OTHER). The fake Slack Web API answers ``users.conversations``
from its ``members`` table, two channels per page, so pagination is always exercised.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import timedelta
from functools import cache

import pytest

from bot.cli.composition import ThreadWarehouse
from bot.config.loader import ConfigError, parse_settings
from bot.slack.access import Membership
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.http import serve_in_thread
from connectors.episodes_store import open_episode
from kpi.settings import Settings, StoreSettings
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db
from tests.support.slack import SECRET, TOKEN, block_action, event, post_signed, signature

SHOP, OTHER, NOWHERE = "C0SHOP", "C0OTHER", "C0NOWHERE"
MEMBERS = {"UMEMBER": [SHOP], "UOTHER": [OTHER], "UPAGE2": ["C0A", "C0B", SHOP], "UNOBODY": ["C0A"],
           "UCACHE": [SHOP]}
ADMIN = "UADMIN"
ALERT_ACTIONS = ("alert_acknowledge", "alert_snooze_1d", "alert_snooze_7d", "alert_expected")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults-slack")
    db = synced_demo_db(folder / "kpibot.db")
    episodes = {name: open_episode(db, {
        "store": name, "metric": "sessions", "kind": "anomaly", "opened_on": (AS_OF - timedelta(days=3)).isoformat(),
        "last_seen_on": (AS_OF - timedelta(days=1)).isoformat(), "value": 10.0, "expected": 20.0,
        "severity": "warning", "state": "open", "channel": channel, "updated_at": "2026-11-23T06:00:00+00:00"})
        for name, channel in (("demo-shop", SHOP), ("other-shop", OTHER))}
    db.close()
    stores = (StoreSettings(name="demo-shop", ga4_property="100000001", language="it", channels=(SHOP,),
                            alert_channel=SHOP),
              StoreSettings(name="other-shop", ga4_property="100000002", language="en", channels=(OTHER,),
                            alert_channel=OTHER))
    settings = Settings(database=folder / "kpibot.db", language="en", stores=stores, admins=(ADMIN,))
    clock = Clock()
    with fake_slack() as slack:
        slack.members.update({user: list(channels) for user, channels in MEMBERS.items()})
        slack.page_cap = 2
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(settings.database), client, SECRET, lambda store: AS_OF,
                        membership=Membership(client, clock=clock))
        with serve_in_thread(app) as url:
            yield {"slack": slack, "url": url, "events": f"{url}/slack/events", "settings": settings,
                   "episodes": episodes, "clock": clock, "warehouse": ThreadWarehouse(settings.database)}


@pytest.fixture
def slack(world):
    world["slack"].calls.clear()
    return world["slack"]


def dump(world) -> tuple[list, list]:
    db = world["warehouse"]()
    return (db.execute("SELECT * FROM alert_episodes ORDER BY id").fetchall(),
            db.execute("SELECT * FROM expected_days ORDER BY store, metric, date").fetchall())


def click(world, action: str, value: str, channel: str, user: str, name: str) -> dict:
    slack = world["slack"]
    status, _, seconds = post_signed(world["events"], block_action(action, value, channel,
                                                                   slack.response_url(name), user=user))
    assert status == 200 and seconds < 3
    with slack.arrived:
        assert slack.arrived.wait_for(lambda: any(c.path == f"/respond/{name}" for c in slack.calls), timeout=15)
    return next(c for c in slack.calls if c.path == f"/respond/{name}").params


def refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kpibot.access" and r.levelno >= logging.WARNING]


FORGERIES = {
    # a member of demo-shop's channel clicks, in that channel, a button naming other-shop's episode
    "another store's episode": ("other-shop", SHOP, "UMEMBER"),
    # a real member of other-shop, but the click comes from a channel that maps to no store
    "channel mapped to no store": ("other-shop", NOWHERE, "UOTHER"),
    # the right channel, but the user is in none of other-shop's channels
    "user not a member": ("other-shop", OTHER, "UNOBODY"),
    # even an admin acts on a store only from one of its own channels
    "admin from a foreign channel": ("other-shop", SHOP, ADMIN),
}


@pytest.mark.parametrize("action", ALERT_ACTIONS)
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_alert_buttons_are_refused_and_change_nothing(world, slack, caplog, action, forgery):
    caplog.set_level(logging.INFO)
    store, channel, user = FORGERIES[forgery]
    episode_id = world["episodes"][store]
    before = dump(world)
    reply = click(world, action, str(episode_id), channel, user, f"f-{action}-{forgery.split()[0]}")
    assert dump(world) == before  # the episode row and expected_days are untouched, for both stores
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "Sorry" in reply["text"] and "other-shop" not in reply["text"]  # other-shop's language, no name
    lines = refusals(caplog)
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert action in message and user in message and len(message) < 160 and "\n" not in message
    assert "respond" not in message and str(episode_id) not in message.replace(user, "")


def test_a_member_clicking_in_the_stores_channel_is_honoured(world, slack):
    episode_id = world["episodes"]["other-shop"]
    reply = click(world, "alert_snooze_1d", str(episode_id), OTHER, "UOTHER", "honoured")
    row = world["warehouse"]().execute("SELECT state, updated_by FROM alert_episodes WHERE id = ?",
                                       [episode_id]).fetchone()
    assert row == ("snoozed", "UOTHER") and reply["replace_original"] is True


def test_forged_answer_button_for_another_store_is_refused_without_numbers(world, slack, caplog):
    caplog.set_level(logging.INFO)
    value = json.dumps({"store": "other-shop", "q": "revenue last-7d"})
    reply = click(world, "kpi_by_channel", value, SHOP, "UMEMBER", "answer-forged")
    assert "Mi dispiace" not in reply["text"] and "Sorry" in reply["text"]  # other-shop is in English
    assert not any(ch.isdigit() for ch in reply["text"]) and len(refusals(caplog)) == 1


def test_a_store_smuggled_into_the_query_is_ignored(world, slack):
    value = json.dumps({"store": "demo-shop", "q": "revenue last-7d store:other-shop"})
    reply = click(world, "kpi_by_device", value, SHOP, "UMEMBER", "answer-smuggled")
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons and all(json.loads(e["value"])["store"] == "demo-shop" for e in buttons)


def test_open_dashboard_from_a_non_member_publishes_nothing(world, slack, caplog):
    caplog.set_level(logging.INFO)
    reply = click(world, "open_dashboard", json.dumps({"store": "demo-shop"}), SHOP, "UNOBODY", "dash")
    assert "Mi dispiace" in reply["text"]  # demo-shop's language
    assert slack.of("views.publish") == [] and len(refusals(caplog)) == 1


def home(world, user: str) -> dict:
    slack = world["slack"]
    before = len(slack.of("views.publish"))
    status, _, _ = post_signed(world["events"], event({"type": "app_home_opened", "user": user, "tab": "home"}),
                               content_type="application/json")
    assert status == 200
    call = slack.wait_for("views.publish", before + 1)[before]
    assert call.params["user_id"] == user
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


@cache
def yesterday_sessions() -> str:
    """Yesterday's sessions from the emulator's own rows, formatted the Italian way (1.234)."""
    frame = demo_frames()["sessions"]
    total = int(frame.loc[frame["date"] == (AS_OF - timedelta(days=1)).isoformat(), "sessions"].sum())
    return f"{total:,}".replace(",", ".")


def test_app_home_shows_a_member_their_store_with_numbers_and_nothing_else(world, slack):
    text = json.dumps(home(world, "UMEMBER"), ensure_ascii=False)
    assert "demo-shop" in text and yesterday_sessions() in text
    assert "other-shop" not in text


def test_app_home_for_a_non_member_has_no_numbers_and_no_store_name(world, slack):
    view = home(world, "UNOBODY")
    text = json.dumps(view, ensure_ascii=False)
    assert "demo-shop" not in text and "other-shop" not in text
    assert not any(ch.isdigit() for ch in text) and "admins" in text  # the explanation, in English (global)


def test_a_member_found_on_the_second_page_still_sees_the_store(world, slack):
    text = json.dumps(home(world, "UPAGE2"), ensure_ascii=False)
    assert "demo-shop" in text and yesterday_sessions() in text
    pages = [c.params for c in slack.of("users.conversations") if c.params.get("user") == "UPAGE2"]
    assert len(pages) == 2 and pages[1]["cursor"] and pages[0]["types"] == "public_channel,private_channel"


def test_an_admin_sees_every_store_without_asking_slack(world, slack):
    text = json.dumps(home(world, ADMIN), ensure_ascii=False)
    assert "demo-shop" in text and "other-shop" in text
    assert not [c for c in slack.of("users.conversations") if c.params.get("user") == ADMIN]


def test_membership_is_cached_for_a_few_minutes(world, slack):
    home(world, "UCACHE")
    home(world, "UCACHE")
    assert len([c for c in slack.of("users.conversations") if c.params.get("user") == "UCACHE"]) == 1
    world["clock"].now += 301  # past the five-minute cache: Slack is asked again
    home(world, "UCACHE")
    assert len([c for c in slack.of("users.conversations") if c.params.get("user") == "UCACHE"]) == 2


def test_slack_failing_to_list_channels_fails_closed(world, slack):
    slack.fail("users.conversations", status=500)
    text = json.dumps(home(world, "UFAILED"), ensure_ascii=False)
    assert "demo-shop" not in text and not any(ch.isdigit() for ch in text) and "try again" in text


def test_admins_must_be_slack_user_ids_and_are_not_echoed(tmp_path):
    data = {"kpibot": {"admins": ["U0GOOD", "xoxb-not-a-user"]},
            "stores": [{"name": "s", "ga4_property": "1"}]}
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, tmp_path / "kpibot.toml")
    assert "kpibot.admins" in str(raised.value) and "xoxb-not-a-user" not in str(raised.value)
    data["kpibot"]["admins"] = ["U0GOOD", "W0ENTERPRISE"]
    assert parse_settings(data, tmp_path / "kpibot.toml").admins == ("U0GOOD", "W0ENTERPRISE")


# ---- unauthenticated input: size, signature, headers, log lines ---------------------------------------------


def raw_request(world, head: str, body: bytes = b"", send_more: bytes = b"") -> tuple[int, float]:
    """Send raw bytes; (status, seconds until the status line). ``send_more`` may be cut off by the server."""
    port = int(world["url"].rsplit(":", 1)[1])
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("utf-8") + body)
        try:
            sock.sendall(send_more)
        except OSError:
            pass  # the server refused and closed before reading it all: that is the point
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1]), time.perf_counter() - started


def test_a_declared_64_mb_body_is_refused_before_it_is_read(world):
    head = ("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {64 * 1024 * 1024}\r\n\r\n")
    status, seconds = raw_request(world, head, b"payload=" + b"x" * 1000)
    # 1 kB of the 64 MB was sent: an answer at all proves the server did not wait to read the body
    assert status == 413 and seconds < 5


def test_a_chunked_body_over_the_limit_is_cut_off(world):
    head = ("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"y" * 64 * 1024)
    status, _ = raw_request(world, head, chunk * 17, send_more=chunk * 200)  # 1.06 MB, then 12.5 MB more
    assert status == 413


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc"},
    {"X-Slack-Request-Timestamp": "1e9"},
    {"X-Slack-Request-Timestamp": "-5"},
    {"X-Slack-Request-Timestamp": "9" * 40},
    {"X-Slack-Request-Timestamp": "\u0661\u0662\u0663"},  # Arabic-Indic digits: str.isdigit says yes
    {"X-Slack-Request-Timestamp": None},
    {"X-Slack-Signature": None},
    {"X-Slack-Signature": "v0=zz"},
    {"X-Slack-Signature": "v0=" + "é" * 64},
    {"X-Slack-Signature": "v1=" + "0" * 64},
    {"Content-Length": "12abc"},
], ids=lambda h: repr(h)[:40])
def test_malformed_headers_get_a_4xx_never_a_500(world, headers):
    body = b"command=%2Fkpi&text=help"
    stamp = str(int(time.time()))
    base = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(SECRET, stamp, body.decode()), "Content-Length": str(len(body))}
    merged = {k: v for k, v in (base | headers).items() if v is not None}
    head = "POST /slack/events HTTP/1.1\r\nHost: x\r\n" + "".join(f"{k}: {v}\r\n" for k, v in merged.items())
    status, _ = raw_request(world, head + "\r\n", body)
    assert status == (400 if "Content-Length" in headers else 401)


def test_invalid_signatures_with_1_mb_bodies_leave_only_short_lines(world, slack, caplog):
    caplog.set_level(logging.DEBUG)
    body = ("payload=" + "FORGED-BODY-7f3a" * (1_000_000 // 16))[:1_000_000]
    for _ in range(20):
        status, _, _ = post_signed(world["events"], body, secret="not-the-secret")
        assert status == 401
    lines = [r.getMessage() for r in caplog.records]
    assert len([m for m in lines if "refused a Slack request: signature mismatch" in m]) == 20
    assert sum(len(m) for m in lines) < 20 * 200 and "FORGED-BODY" not in caplog.text
    assert slack.calls == []


@pytest.mark.parametrize("user_agent", ["evil\x85refused a Slack request: ok\u2028forged", "x" * 5000,
                                        "ünïcödé\xa0\xad \\r\\n", "a\x0bb\x0cc\x1b[31mred"])
def test_forged_user_agents_cannot_forge_a_log_line(world, caplog, user_agent):
    caplog.set_level(logging.DEBUG)
    head = ("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            "X-Slack-Request-Timestamp: abc\r\nX-Slack-Signature: v0=1\r\n"
            f"User-Agent: {user_agent}\r\n\r\n")
    status, _ = raw_request(world, head, b"{}")
    messages = [r.getMessage() for r in caplog.records if r.name == "kpibot.http"]
    if status == 400:  # control characters: the HTTP parser refuses the request before the app sees it
        assert messages == [] and "\x1b" in user_agent
        return
    assert status == 401 and len(messages) == 1
    assert len(messages[0].splitlines()) == 1 and messages[0].isascii() and messages[0].isprintable()
    assert len(messages[0]) < 200 and messages[0].count("refused a Slack request") == 1
    assert "\\" not in messages[0]  # the sender's text stays on this one line, defanged


def test_a_raw_crlf_in_a_header_never_reaches_the_app(world, caplog):
    caplog.set_level(logging.DEBUG)
    head = ("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            "User-Agent: a\r\n\r\nrefused a Slack request: forged\r\n\r\n")
    status, _ = raw_request(world, head, b"{}")
    assert status in (400, 401)
    assert "forged" not in caplog.text


def rss_kb(pid: int) -> int:
    status = open(f"/proc/{pid}/status").read()
    return int(status.split("VmRSS:")[1].split()[0])


@pytest.fixture
def serve_process(tmp_path):
    """`kpibot serve` in its own process, so its memory can be read from /proc."""
    import subprocess
    import sys

    with fake_slack() as slack, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        config = tmp_path / "kpibot.toml"
        config.write_text('[kpibot]\ndatabase = "kpibot.db"\n[[stores]]\nname = "s"\nga4_property = "1"\n')
        env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
               "KPIBOT_SLACK_API_URL": slack.api_url, "KPIBOT_CONFIG": str(config)}
        kpibot = str(__import__("pathlib").Path(sys.executable).with_name("kpibot"))
        process = subprocess.Popen([kpibot, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:  # the process is up when its port accepts; wait on its exit meanwhile
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline and process.poll() is None, "kpibot serve did not start"
                    with pytest.raises(subprocess.TimeoutExpired):
                        process.wait(timeout=0.2)
            yield process, port
        finally:
            process.terminate()
            process.wait(timeout=20)


def stream_64_mb(port: int, chunked: bool) -> int | None:
    """Send a 64 MB unsigned body, generated piece by piece; the status, or None if cut off unanswered."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {64 * 1024 * 1024}"
    piece = b"z" * (1024 * 1024)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST /slack/events HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n".encode())
        try:
            for _ in range(64):
                sock.sendall(b"100000\r\n" + piece + b"\r\n" if chunked else piece)
        except OSError:
            pass  # refused and closed mid-body
        try:
            line = sock.makefile("rb").readline()
        except OSError:
            return None
    return int(line.split()[1]) if line else None


def test_eight_64_mb_unsigned_bodies_do_not_grow_the_servers_memory(serve_process):
    process, port = serve_process
    assert stream_64_mb(port, chunked=False) == 413  # warms up every code path once
    before = rss_kb(process.pid)
    statuses = [stream_64_mb(port, chunked) for chunked in (False, True) * 4]
    grown_mb = (rss_kb(process.pid) - before) / 1024
    assert set(statuses) <= {413, None} and 413 in statuses
    assert grown_mb < 16, f"serve grew by {grown_mb:.0f} MB"  # the issue saw 700 MB for these 512 MB
    assert process.poll() is None
