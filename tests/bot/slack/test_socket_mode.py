"""Socket Mode end to end: the app's own slack_sdk client against a real websocket server on 127.0.0.1.

The fake Web API (``tests/fakes/slack_api.py``) hands out links through ``apps.connections.open``;
the fake Socket Mode server (``tests/fakes/socket_mode.py``) says hello, pushes envelopes, records
acks with their arrival time, asks for refreshes and drops connections. Nothing is mocked: the app
connects, acks and answers exactly as it does in ``kpibot serve``.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli.composition import ThreadWarehouse, assemble
from bot.cli.main import main
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.socket_mode import LINKS, PING_INTERVAL, connected
from connectors.episodes_store import open_episode
from kpi.settings import Settings, StoreSettings
from tests.fakes.slack_api import FakeSlack, fake_slack
from tests.fakes.socket_mode import FakeSocketMode, fake_socket_mode
from tests.support.ga4 import AS_OF, synced_demo_db
from tests.support.slack import TOKEN, block_action_payload, event_payload, slash_command_payload

APP_TOKEN = "xapp-1-A0KPIBOT-test-app-token-not-real"  # a throwaway, used only in tests
CHANNEL = "C0SHOP"
MEMBER, NOBODY = "U1", "UNOBODY"
ALERT_ACTIONS = {"alert_acknowledge": "acknowledged", "alert_snooze_1d": "snoozed",
                 "alert_snooze_7d": "snoozed", "alert_expected": "expected"}
ANSWER_BUTTONS = {"kpi_by_channel": "Organic Search", "kpi_by_device": "mobile", "kpi_vs_ly": "2025"}
# Leaving `connected` waits for the readers; websocket-client's miss the close until their 10 s select ends
# (bot/slack/socket_mode.py), so `serve` waits up to 3 s. Tests don't: their readers end alone, as daemons.
QUICK_CLOSE = 0.1
# The module's links wake their readers every second: a refreshed link's replacement then waits for its old
# reader that long at most, not websocket-client's 10 s (LinkClient). serve keeps websocket-client's way.
PING_TIMEOUT = 1.0


def store() -> StoreSettings:
    return StoreSettings(name="demo-shop", ga4_property="100000001", language="it", channels=(CHANNEL,),
                         alert_channel=CHANNEL, digest_channel=CHANNEL, digest_time=time(8, 0))


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("socket-mode")
    synced_demo_db(folder / "kpibot.db").close()
    config = folder / "kpibot.toml"
    config.write_text('[kpibot]\ndatabase = "kpibot.db"\n[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n'
                      f'channels = ["{CHANNEL}"]\n')
    return Settings(database=folder / "kpibot.db", stores=(store(),)), config


@pytest.fixture(scope="module")
def link(shop):
    """The app connected over Socket Mode to the fakes, for the whole module."""
    settings, _ = shop
    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        slack.join(MEMBER, CHANNEL)
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(settings.database), client, "", lambda s: AS_OF, verify=False)
        with connected(app, APP_TOKEN, close_wait=QUICK_CLOSE, ping_timeout=PING_TIMEOUT) as handlers:
            socket.wait_for_open(LINKS)
            yield slack, socket, handlers
        socket.wait(lambda: not socket.open_links(), what="the app to close its links")


@pytest.fixture
def slack(link) -> FakeSlack:
    link[0].calls.clear()
    return link[0]


@pytest.fixture
def socket(link) -> FakeSocketMode:
    return link[1]


def answered(slack: FakeSlack, name: str) -> dict:
    """The answer posted to response URL ``name`` (waits for it; no sleep)."""
    with slack.arrived:
        assert slack.arrived.wait_for(lambda: any(c.path == f"/respond/{name}" for c in slack.calls), timeout=30)
    return next(c for c in slack.calls if c.path == f"/respond/{name}").params


def click(slack: FakeSlack, socket: FakeSocketMode, action: str, value: str, user: str, name: str) -> dict:
    envelope = socket.interactive(block_action_payload(action, value, CHANNEL, slack.response_url(name), user=user))
    assert socket.ack_seconds(envelope) < 3.0
    return answered(slack, name)


def test_a_kpi_command_is_acked_within_3_s_and_answered_like_kpibot_ask(shop, slack, socket, capsys):
    envelope = socket.slash_command(slash_command_payload("aov last-30d", CHANNEL, slack.response_url("aov")))
    assert socket.ack_seconds(envelope) < 3.0
    ack = socket.ack_of(envelope)
    assert ack is not None and ack.payload is None  # a bare ack: the answer goes to the response URL
    reply = answered(slack, "aov")
    assert reply["response_type"] == "ephemeral"
    assert ack.at < next(c.at for c in slack.calls if c.path == "/respond/aov")  # acked before answered
    _, config = shop
    assert main(["--config", str(config), "ask", "aov last-30d", "--json", "--as-of", AS_OF.isoformat()]) == 0
    value = json.loads(capsys.readouterr().out)["value"]
    euros, cents = divmod(round(value * 100), 100)
    assert f"{euros},{cents:02d}\xa0€" in reply["text"]  # the same number, in Italian format


@pytest.mark.parametrize("action", sorted(ANSWER_BUTTONS))
def test_answer_buttons_work_over_the_socket_for_a_member_only(slack, socket, action):
    value = json.dumps({"store": "demo-shop", "q": "fatturato last-7d"})
    reply = click(slack, socket, action, value, MEMBER, f"{action}-member")
    assert ANSWER_BUTTONS[action] in json.dumps(reply, ensure_ascii=False)
    refused = click(slack, socket, action, value, NOBODY, f"{action}-nobody")
    assert "Mi dispiace" in refused["text"] and not any(ch.isdigit() for ch in refused["text"])


def test_open_dashboard_publishes_app_home_for_a_member_only(slack, socket):
    value = json.dumps({"store": "demo-shop"})
    assert "Home" in click(slack, socket, "open_dashboard", value, MEMBER, "dash-member")["text"]
    view = slack.wait_for("views.publish")[0].params
    assert view["user_id"] == MEMBER and "demo-shop" in json.dumps(view["view"])
    assert "Mi dispiace" in click(slack, socket, "open_dashboard", value, NOBODY, "dash-nobody")["text"]
    assert len(slack.of("views.publish")) == 1  # nothing published for the non-member


@pytest.mark.parametrize("metric, action", zip(["sessions", "revenue", "orders", "cvr"], sorted(ALERT_ACTIONS),
                                               strict=True))
def test_alert_buttons_change_the_episode_for_a_member_and_nothing_for_anyone_else(shop, slack, socket,
                                                                                   metric, action):
    settings, _ = shop
    db = ThreadWarehouse(settings.database)()
    episode = open_episode(db, {
        "store": "demo-shop", "metric": metric, "kind": "anomaly", "opened_on": (AS_OF - timedelta(days=2)).isoformat(),
        "last_seen_on": (AS_OF - timedelta(days=1)).isoformat(), "value": 10.0, "expected": 20.0,
        "severity": "warning", "state": "open", "channel": CHANNEL, "updated_at": "2026-11-23T06:00:00+00:00"})
    assert episode is not None

    def state() -> tuple:
        return tuple(db.execute("SELECT state, updated_by FROM alert_episodes WHERE id = ?", [episode]).fetchone())

    refused = click(slack, socket, action, str(episode), NOBODY, f"{action}-nobody")
    assert "Mi dispiace" in refused["text"] and state() == ("open", None)
    reply = click(slack, socket, action, str(episode), MEMBER, f"{action}-member")
    assert state() == (ALERT_ACTIONS[action], MEMBER) and reply["replace_original"] is True


@pytest.mark.parametrize("user, sees", [(MEMBER, True), (NOBODY, False)])
def test_app_home_opened_over_the_socket_shows_a_member_their_store(slack, socket, user, sees):
    envelope = socket.event(event_payload({"type": "app_home_opened", "user": user, "tab": "home",
                                           "event_ts": "1700000000.1"}))
    assert socket.ack_seconds(envelope) < 3.0
    call = slack.wait_for("views.publish")[0].params
    text = json.dumps(call["view"], ensure_ascii=False)
    assert call["user_id"] == user and ("demo-shop" in text) is sees
    assert any(ch.isdigit() for ch in text) is sees  # a non-member sees no number at all


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_a_refresh_loses_no_envelope_and_the_link_is_replaced(slack, socket, reason):
    socket.wait_for_open(LINKS)
    hellos = len(socket.links)
    old = socket.disconnect(reason)
    during = socket.slash_command(slash_command_payload("help", CHANNEL, slack.response_url("during")))
    assert socket.ack_seconds(during) < 3.0 and socket.ack_of(during).link != old.number  # the other link
    assert answered(slack, "during")["text"]
    new = socket.wait_for_links(hellos + 1, timeout=4 * PING_INTERVAL)
    assert slack.of("apps.connections.open")  # the new link has a fresh one-time URL
    socket.close_link(old)  # Slack closes the old link soon after its disconnect
    socket.wait(lambda: not old.open, what="the old link to close")
    after = socket.slash_command(slash_command_payload("help", CHANNEL, slack.response_url("after")))
    assert socket.ack_seconds(after) < 3.0 and socket.ack_of(after).link == new.number
    assert answered(slack, "after")["text"]


def test_acks_never_wait_for_the_work_and_no_work_is_dropped(shop):
    """One worker, held busy: every envelope is still acked at once, and answered on release."""
    settings, _ = shop
    release = threading.Event()
    warehouse = ThreadWarehouse(settings.database)

    def held_warehouse():
        release.wait(timeout=60)  # the only worker blocks here until the test lets it go
        return warehouse()

    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, held_warehouse, client, "", lambda s: AS_OF, verify=False, workers=1)
        with connected(app, APP_TOKEN, close_wait=QUICK_CLOSE):
            socket.wait_for_open(LINKS)
            envelopes = [socket.slash_command(slash_command_payload("aov last-7d", CHANNEL,
                                                                    slack.response_url(f"s{i}"))) for i in range(12)]
            assert all(socket.ack_seconds(envelope) < 3.0 for envelope in envelopes)
            assert slack.of("respond") == []  # the work is queued behind the held worker, not lost
            release.set()
            answers = slack.wait_for("respond", 12, timeout=60)
    assert sorted(c.path for c in answers) == sorted(f"/respond/s{i}" for i in range(12))


def test_an_envelope_is_in_flight_until_acked_so_queued_work_gives_way():
    """The socket handler counts each envelope in the same gate the HTTP layer uses (bot.slack.work)."""
    from slack_bolt import App

    from bot.slack.work import IN_FLIGHT

    seen: list[int] = []
    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = App(client=client, token_verification_enabled=False, request_verification_enabled=False,
                  process_before_response=True)

        @app.command("/kpi")
        def probe(ack) -> None:
            seen.append(IN_FLIGHT.acking)  # work queued now waits while this is above zero
            ack()

        with connected(app, APP_TOKEN, links=1, close_wait=QUICK_CLOSE):
            socket.wait_for_open(1)
            socket.wait_for_ack(socket.slash_command(slash_command_payload("help", CHANNEL, slack.response_url())))
    with IN_FLIGHT.changed:  # the ack reaches the fake a moment before the handler counts it out
        assert IN_FLIGHT.changed.wait_for(lambda: IN_FLIGHT.acking == 0, timeout=10)
    assert seen and seen[0] >= 1


class Clock:
    def __init__(self, when: datetime) -> None:
        self.now = when

    def __call__(self) -> datetime:
        return self.now


def test_a_dropped_link_loses_no_scheduled_digest(shop):
    """The link drops and Slack refuses new ones; the digest still goes out once, then the app reconnects."""
    settings, _ = shop
    clock = Clock(datetime.combine(AS_OF, time(8, 5), ZoneInfo("Europe/Rome")).astimezone(UTC))
    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url}
        runtime = assemble(settings, environ, clock=clock, today=lambda s: AS_OF)
        with connected(runtime.app, APP_TOKEN, ping_interval=1.0, close_wait=QUICK_CLOSE):
            socket.wait_for_open(LINKS)
            socket.refusing = True  # Slack's edge is unreachable: no new link until it comes back
            socket.drop()
            socket.wait(lambda: socket.turned_away > 0 and not socket.open_links(), what="a reconnect turned away")
            runtime.start_scheduler()  # as `kpibot serve` does: catch-up queues the 08:00 digest now
            assert runtime.jobs.pool is not None and runtime.jobs.pool.wait_idle(120)
            runtime.stop()
            runtime.jobs.pool = None  # the sweep below runs at once, in this thread
            runtime.jobs.sweep()  # the scheduler's 30 s sweep, later: nothing is posted twice
            digests = [c for c in slack.of("chat.postMessage") if c.params.get("channel") == CHANNEL]
            assert len(digests) == 1 and "Riepilogo" in digests[0].params["text"]
            assert not socket.open_links()  # all of that happened with no link at all
            socket.refusing = False
            back = {link.number for link in socket.wait_for_open(LINKS, timeout=30)}
            envelope = socket.slash_command(slash_command_payload("help", CHANNEL, slack.response_url("back")))
            assert socket.ack_seconds(envelope) < 3.0 and socket.ack_of(envelope).link in back
            assert answered(slack, "back")["text"]


def test_the_app_token_opens_the_link_and_appears_nowhere_else(shop, caplog):
    caplog.set_level(logging.DEBUG)
    settings, _ = shop
    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(settings.database), client, "", lambda s: AS_OF, verify=False)
        with connected(app, APP_TOKEN, close_wait=QUICK_CLOSE):
            socket.wait_for_open(LINKS)
            envelope = socket.slash_command(slash_command_payload("help", CHANNEL, slack.response_url("t")))
            socket.wait_for_ack(envelope)
            answered(slack, "t")
    opens = slack.of("apps.connections.open")
    assert opens and all(c.headers["Authorization"] == f"Bearer {APP_TOKEN}" for c in opens)
    others = [c for c in slack.calls if c.method != "apps.connections.open"]
    assert others and not any(APP_TOKEN in c.raw or APP_TOKEN in json.dumps(c.headers) for c in others)
    assert APP_TOKEN not in caplog.text and TOKEN not in caplog.text
    assert not any(APP_TOKEN in message for message in socket.other_messages)


def test_a_refused_app_token_stops_serve_with_one_clear_sentence(shop, monkeypatch, capsys):
    _, config = shop
    with fake_slack() as slack, fake_socket_mode(slack):
        bot_token_by_mistake = "xoxb-pasted-in-the-wrong-place"
        for name, value in {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": bot_token_by_mistake,
                            "KPIBOT_SLACK_API_URL": slack.api_url}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
        switch_interval = sys.getswitchinterval()
        try:
            code = main(["--config", str(config), "serve", "--no-scheduler", "--port", "0"])
        finally:
            sys.setswitchinterval(switch_interval)  # serve tunes it for its own process
    error = capsys.readouterr().err  # serve's log lines, then the error's one sentence
    said = [line for line in error.splitlines() if line.startswith("kpibot:")]
    assert code == 2 and len(said) == 1 and "not_allowed_token_type" in said[0] and "connections:write" in said[0]
    assert bot_token_by_mistake not in error and "Traceback" not in error



def test_slack_out_of_reach_stops_serve_with_one_clear_sentence(shop, monkeypatch, capsys):
    import socket as sockets

    _, config = shop
    with sockets.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name, value in {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                        "KPIBOT_SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}.items():
        monkeypatch.setenv(name, value)
    switch_interval = sys.getswitchinterval()
    try:
        code = main(["--config", str(config), "serve", "--no-scheduler", "--port", "0"])
    finally:
        sys.setswitchinterval(switch_interval)
    error = capsys.readouterr().err  # serve's log lines, then the error's one sentence
    said = [line for line in error.splitlines() if line.startswith("kpibot:")]
    assert code == 1 and len(said) == 1 and "Socket Mode" in said[0] and "KPIBOT_SLACK_API_URL" in said[0]
    assert APP_TOKEN not in error and "Traceback" not in error

def test_slack_sdks_built_in_client_works_against_the_fake_unchanged():
    """The fake speaks Slack's format: slack_sdk's own client connects, reads hello, acks with a payload."""
    from slack_sdk import WebClient
    from slack_sdk.socket_mode.builtin import SocketModeClient
    from slack_sdk.socket_mode.response import SocketModeResponse
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        received: list[str] = []
        client = SocketModeClient(app_token=APP_TOKEN, web_client=WebClient(base_url=slack.api_url),
                                  on_message_listeners=[received.append], auto_reconnect_enabled=False)
        client.socket_mode_request_listeners.append(lambda sdk, request: sdk.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "ok"})))
        try:
            client.connect()
            first = socket.wait_for_links(1)
            envelope = socket.slash_command(slash_command_payload("help", CHANNEL, slack.response_url()))
            assert socket.wait_for_ack(envelope).payload == {"text": "ok"}
            # Slack ends the link; the client's own close would otherwise sit out its 3 s read timeout
            socket.close_link(first)
            socket.wait(lambda: not first.open, what="the link to close")
        finally:
            client.close()
        hello = json.loads(received[0])
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"]["app_id"] == socket.app_id and hello["debug_info"]["host"]
        with pytest.raises(InvalidStatus) as refused:  # a link URL works once, like Slack's
            connect(f"ws://127.0.0.1:{socket.port}/link/?ticket={first.ticket}")
        assert refused.value.response.status_code == 401


def test_kpibot_serve_in_socket_mode_answers_and_stops_cleanly(shop):
    """The real command: `kpibot serve` with SLACK_APP_TOKEN and no signing secret, stopped by SIGTERM."""
    import subprocess
    from pathlib import Path

    _, config = shop
    with fake_slack() as slack, fake_socket_mode(slack) as socket:
        env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
               "KPIBOT_SLACK_API_URL": slack.api_url, "KPIBOT_CONFIG": str(config)}
        kpibot = str(Path(sys.executable).with_name("kpibot"))
        process = subprocess.Popen([kpibot, "serve", "--no-scheduler", "--port", "0", "--as-of", AS_OF.isoformat()],
                                   env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            links = socket.wait_for_open(LINKS, timeout=60)
            envelope = socket.slash_command(slash_command_payload("aov last-30d", CHANNEL, slack.response_url("cli")))
            assert socket.ack_seconds(envelope) < 3.0 and "€" in answered(slack, "cli")["text"]
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0  # SIGTERM is a clean stop in Socket Mode too
        socket.wait(lambda: not any(link.open for link in links), what="serve to close its links")
    assert "Socket Mode" in stderr and APP_TOKEN not in stderr and TOKEN not in stderr
    assert all(c.headers["Authorization"] == f"Bearer {APP_TOKEN}" for c in slack.of("apps.connections.open"))
