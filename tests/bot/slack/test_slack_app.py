"""The Slack app over real HTTP on 127.0.0.1, with a fake Slack Web API behind base_url."""

from __future__ import annotations

import json
import logging
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.cli.composition import ThreadWarehouse
from bot.cli.main import main
from bot.i18n import t
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.http import serve_in_thread
from kpi.query.parser import parse
from kpi.settings import Settings, StoreSettings, Target
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import AS_OF, synced_demo_db
from tests.support.paths import ROOT
from tests.support.slack import SECRET, TOKEN, block_action, event, post_signed, slash_command

CHANNEL, OTHER = "C0SHOP", "C0ELSE"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slack")
    synced_demo_db(folder / "demo.db").close()
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="it", channels=(CHANNEL,),
                          alert_channel=CHANNEL, digest_channel=CHANNEL, targets=(Target("aov", min=60.0),))
    config = folder / "kpibot.toml"
    config.write_text('[kpibot]\ndatabase = "demo.db"\n[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n'
                      f'channels = ["{CHANNEL}"]\n[stores.targets]\naov = {{ min = 60.0 }}\n')
    return Settings(database=folder / "demo.db", stores=(store,)), config


@pytest.fixture(scope="module")
def running(shop):
    settings_, _ = shop
    with fake_slack() as slack:
        slack.join("U1", CHANNEL)  # the person clicking buttons and opening App Home is in the shop's channel
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings_, ThreadWarehouse(settings_.database), client, SECRET, lambda store: AS_OF)
        with serve_in_thread(app) as url:
            yield slack, f"{url}/slack/events"


@pytest.fixture
def slack(running):
    fake, _ = running
    fake.calls.clear()
    return fake


@pytest.fixture
def events_url(running):
    return running[1]


def command(events_url, slack, text, channel=CHANNEL, name="r"):
    status, body, seconds = post_signed(events_url, slash_command(text, channel, slack.response_url(name)))
    return status, seconds


def test_ack_is_fast_and_the_answer_matches_kpibot_ask(shop, slack, events_url, capsys):
    status, seconds = command(events_url, slack, "aov last-30d")
    assert status == 200 and seconds < 3.0
    reply = slack.wait_for("respond")[0].params
    assert reply["response_type"] == "ephemeral"
    _, config = shop
    assert main(["--config", str(config), "ask", "aov last-30d", "--json", "--as-of", AS_OF.isoformat()]) == 0
    value = json.loads(capsys.readouterr().out)["value"]
    euros, cents = divmod(round(value * 100), 100)
    assert f"{euros},{cents:02d}\xa0€" in reply["text"]  # the same number, in Italian format


EMOJI = {":large_green_circle:": "🟢", ":red_circle:": "🔴", ":white_circle:": "⚪", ":large_orange_circle:": "🟠"}


def as_terminal(slack_text: str) -> str:
    """What a terminal shows of Slack's mrkdwn, written out here by hand: emoji as emoji, no bold stars,
    no code fences or backticks (rich prints them as styles, which a pipe does not carry)."""
    lines = [line for line in slack_text.splitlines() if line.strip() != "```"]
    text = "\n".join(lines).replace("`", "")
    text = re.sub(r"\*([^*\n]+)\*", r"\1", text)
    for code, symbol in EMOJI.items():
        text = text.replace(code, symbol)
    return text + "\n"


@pytest.mark.parametrize("text", ["scontrino medio ultimi 30 giorni", "fatturato ultimi 7 giorni per canale public",
                                  "roas last-30d by channel", "clienti ieri", "aiuto",
                                  "anomalie fatturato ultimi 30 giorni", "cvr ieri vs anno scorso"])
def test_kpibot_ask_prints_exactly_what_slack_answers(shop, slack, events_url, capsys, text):
    """`kpibot ask` is `/kpi`: the same lines as the Slack reply's text, echo of the short form included."""
    command(events_url, slack, text)
    reply = slack.wait_for("respond")[0].params
    _, config = shop
    assert main(["--config", str(config), "ask", text, "--as-of", AS_OF.isoformat()]) == 0
    printed = capsys.readouterr().out
    assert printed == as_terminal(reply["text"])
    assert ":" + "red_circle:" not in printed and "```" not in printed
    if not text.startswith("aiuto"):
        ran = parse(text.removesuffix(" public")).canonical()
        assert printed.rstrip().endswith(f"Eseguito come {ran}")  # the short form it ran, so people learn it
        assert f"Eseguito come `{ran}`" in json.dumps(reply["blocks"], ensure_ascii=False)


def test_public_word_answers_in_the_channel_and_uploads_a_chart(slack, events_url):
    command(events_url, slack, "fatturato last-30d public")
    assert slack.wait_for("respond")[0].params["response_type"] == "in_channel"
    slack.wait_for("files.completeUploadExternal")
    assert slack.of("files.getUploadURLExternal")[0].params["filename"] == "revenue.png"


def test_chart_upload_failure_degrades_to_the_text_answer(slack, events_url):
    slack.fail("files.getUploadURLExternal", status=500)
    command(events_url, slack, "fatturato last-30d public")
    assert "Fatturato" in slack.wait_for("respond")[0].params["text"]
    slack.wait_for("files.getUploadURLExternal")
    assert not slack.of("files.completeUploadExternal")


@pytest.mark.parametrize("tamper", ["signature", "stale"])
def test_bad_signature_or_stale_timestamp_get_401_and_no_slack_call(slack, events_url, tamper):
    import time

    body = slash_command("aov last-30d", CHANNEL, slack.response_url())
    if tamper == "signature":
        status, _, _ = post_signed(events_url, body, secret="wrong-secret")
    else:
        status, _, _ = post_signed(events_url, body, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    assert slack.calls == []


def test_a_channel_outside_the_store_list_is_refused_without_numbers(slack, events_url):
    command(events_url, slack, "revenue last-30d", channel=OTHER)
    reply = slack.wait_for("respond")[0].params
    assert reply["response_type"] == "ephemeral" and "kpibot.toml" in reply["text"]
    assert not any(ch.isdigit() for ch in reply["text"].replace(OTHER, ""))


def test_store_not_visible_from_the_channel_is_refused(slack, events_url):
    command(events_url, slack, "revenue last-30d store:other-shop")
    assert "other-shop" in slack.wait_for("respond")[0].params["text"]


def test_errors_are_ephemeral_with_a_suggestion(slack, events_url):
    command(events_url, slack, "scontrino-medo last-30d public")
    reply = slack.wait_for("respond")[0].params
    assert reply["response_type"] == "ephemeral" and "scontrino-medio" in reply["text"]


@pytest.mark.parametrize("text", ["help", "list", "targets", "status", "alerts", "anomalies last-30d", "digest", ""])
def test_every_command_gets_a_reply(slack, events_url, text):
    command(events_url, slack, text)
    reply = slack.wait_for("respond")[0].params
    assert reply["text"] and "Traceback" not in reply["text"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
@example("payload")  # Bolt took a form body containing the word for an interactive one: 404, no reply
def test_any_text_gets_an_ack_and_a_reply_without_traceback(running, text):
    slack, events_url = running
    name = f"h{len(slack.calls)}"
    status, _, _ = post_signed(events_url, slash_command(text, CHANNEL, slack.response_url(name)))
    assert status == 200
    with slack.arrived:
        assert slack.arrived.wait_for(lambda: any(c.path == f"/respond/{name}" for c in slack.calls), timeout=15)
    reply = next(c for c in slack.calls if c.path == f"/respond/{name}").params
    assert reply["text"] and "Traceback" not in json.dumps(reply)


@pytest.mark.parametrize("action, expect", [("kpi_by_channel", "Organic Search"), ("kpi_by_device", "mobile"),
                                            ("kpi_vs_ly", "2025")])
def test_answer_buttons_do_what_they_say(slack, events_url, action, expect):
    value = json.dumps({"store": "demo-shop", "q": "fatturato last-7d"})
    status, _, _ = post_signed(events_url, block_action(action, value, CHANNEL, slack.response_url()))
    assert status == 200
    reply = slack.wait_for("respond")[0].params
    assert expect in json.dumps(reply, ensure_ascii=False)


def buttons_of(reply):
    (row,) = [b for b in reply["blocks"] if b["type"] == "actions"]
    return {e["action_id"]: e for e in row["elements"]}


def test_buttons_rebuild_the_query_from_its_short_form(slack, events_url):
    """An Italian question split per canale, then clicked By device: the button's query is the short form
    it ran, so the click swaps the split instead of stacking a second one."""
    command(events_url, slack, "fatturato ultimi 7 giorni per canale", name="asked")
    buttons = buttons_of(slack.wait_for("respond")[0].params)
    assert json.loads(buttons["kpi_by_device"]["value"])["q"] == "revenue last-7d by channel"
    slack.calls.clear()
    post_signed(events_url, block_action("kpi_by_device", buttons["kpi_by_device"]["value"], CHANNEL,
                                         slack.response_url("clicked")))
    clicked = slack.wait_for("respond")[0].params
    assert "mobile" in clicked["text"]
    assert "Eseguito come `revenue last-7d by device store:demo-shop`" in clicked["text"]


@pytest.mark.parametrize("text, offered", [
    ("clienti ultimi 30 giorni", ["kpi_vs_ly"]),  # order KPIs have no channel or device to split by
    ("roas ultimi 30 giorni", ["kpi_by_channel", "kpi_vs_ly"]),  # ad cost has channels, not devices
    ("fatturato ultimi 30 giorni", ["kpi_by_channel", "kpi_by_device", "kpi_vs_ly"]),
])
def test_buttons_are_offered_only_where_they_work(slack, events_url, text, offered):
    command(events_url, slack, text)
    buttons = buttons_of(slack.wait_for("respond")[0].params)
    assert list(buttons) == offered
    for action, button in buttons.items():  # and each one offered answers, with no error
        slack.calls.clear()
        post_signed(events_url, block_action(action, button["value"], CHANNEL, slack.response_url("b")))
        assert "Non ho capito" not in slack.wait_for("respond")[0].params["text"]


def test_anomalies_of_an_order_kpi_say_what_is_watched_in_italian(slack, events_url):
    command(events_url, slack, "anomalie clienti")
    text = slack.wait_for("respond")[0].params["text"]
    assert "Il rilevatore di anomalie giudica i KPI giorno per giorno" in text and "cvr" in text
    assert "Qualcosa è andato storto" not in text


def test_open_dashboard_answers_in_the_stores_language(slack, events_url):
    value = json.dumps({"store": "demo-shop"})
    post_signed(events_url, block_action("open_dashboard", value, CHANNEL, slack.response_url("dash")))
    text = slack.wait_for("respond")[0].params["text"]
    assert text == t("dashboard_opened", "it") and text != t("dashboard_opened", "en")
    assert "aggiornata" in text
    slack.wait_for("views.publish")


def test_app_home_publishes(slack, events_url):
    status, _, _ = post_signed(events_url, event({"type": "app_home_opened", "user": "U1", "tab": "home"}),
                               content_type="application/json")
    assert status == 200
    view = slack.wait_for("views.publish")[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home" and len(view["blocks"]) < 100
    assert "demo-shop" in json.dumps(view)


def test_rate_limited_calls_are_retried_once_through(shop):
    waits: list[float] = []
    with fake_slack() as slack:
        slack.fail("chat.postMessage", 429, times=2)
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url},
                                    sleep=waits.append)
        response = client.chat_postMessage(channel=CHANNEL, text="hello")
    assert response["ok"] and len(slack.of("chat.postMessage")) == 3  # two refusals, then one delivered
    assert len(waits) == 2 and all(0 <= wait < 1 for wait in waits)  # the fake's Retry-After: 0, plus jitter


def test_no_secret_appears_in_any_call_or_log(slack, events_url, caplog):
    caplog.set_level(logging.DEBUG)
    command(events_url, slack, "revenue last-7d by channel public")
    slack.wait_for("respond")
    slack.wait_for("files.completeUploadExternal")
    for call in slack.calls:
        assert SECRET not in call.raw and TOKEN not in call.raw
        headers = {k: v for k, v in call.headers.items() if k.lower() != "authorization"}
        assert TOKEN not in json.dumps(headers) and SECRET not in json.dumps(headers)
    assert TOKEN not in caplog.text and SECRET not in caplog.text


def test_health_check(events_url):
    import urllib.request

    with urllib.request.urlopen(events_url.replace("/slack/events", "/healthz"), timeout=5) as response:
        report = json.loads(response.read())  # the Slack edge alone: no database or scheduler wired to it
    assert report["ok"] is True and report["database"]["ok"] and report["scheduler"] == {"ok": True, "running": False}


def test_manifest_path_exists():
    assert (ROOT / "manifest.yml").exists()


def test_fifty_concurrent_commands_are_all_acked_within_3_s_and_all_answered(running):
    from concurrent.futures import ThreadPoolExecutor

    slack, events_url = running
    queries = ["aov last-30d", "revenue last-7d by channel", "cvr yesterday vs ly", "help", "sessions mtd"]
    names = [f"c50-{i}" for i in range(50)]

    def send(index: int) -> tuple[int, float]:
        status, _, seconds = post_signed(events_url, slash_command(queries[index % len(queries)], CHANNEL,
                                                                   slack.response_url(names[index])))
        return status, seconds

    with ThreadPoolExecutor(max_workers=50) as pool:
        acks = list(pool.map(send, range(50)))
    assert all(status == 200 for status, _ in acks) and max(seconds for _, seconds in acks) < 3.0
    wanted = {f"/respond/{name}" for name in names}
    with slack.arrived:
        assert slack.arrived.wait_for(lambda: wanted <= {c.path for c in slack.calls}, timeout=60)
    answers = [c.params for c in slack.calls if c.path in wanted]
    assert len(answers) == 50 and all(a["text"] and "Traceback" not in a["text"] for a in answers)


def test_a_saturated_pool_delays_answers_but_never_acks_and_drops_nothing(shop):
    """One worker, held busy: every ack still returns at once, and every answer follows on release."""
    import threading

    settings_, _ = shop
    release = threading.Event()
    warehouse = ThreadWarehouse(settings_.database)

    def held_warehouse():
        release.wait(timeout=60)  # the only worker blocks here until the test lets it go
        return warehouse()

    with fake_slack() as slack:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings_, held_warehouse, client, SECRET, lambda store: AS_OF, workers=1)
        with serve_in_thread(app) as url:
            acks = [post_signed(f"{url}/slack/events", slash_command("aov last-7d", CHANNEL,
                                                                     slack.response_url(f"s{i}"))) for i in range(12)]
            assert all(status == 200 and seconds < 3.0 for status, _, seconds in acks)
            assert slack.of("respond") == []  # the work is queued behind the held worker, not lost
            release.set()
            answers = slack.wait_for("respond", 12, timeout=60)
    assert sorted(c.path for c in answers) == sorted(f"/respond/s{i}" for i in range(12))


def test_after_its_first_request_bolt_dispatches_on_the_event_loop(shop):
    """The fast ack path relies on Bolt keeping auth.test's answer; a Bolt upgrade must not lose it silently."""
    from bot.slack.http import knows_its_bot

    settings_, _ = shop
    with fake_slack() as slack:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings_, ThreadWarehouse(settings_.database), client, SECRET, lambda store: AS_OF)
        assert not knows_its_bot(app)
        with serve_in_thread(app) as url:
            assert post_signed(f"{url}/slack/events", slash_command("help", CHANNEL, slack.response_url()))[0] == 200
            slack.wait_for("respond")
        assert knows_its_bot(app) and len(slack.of("auth.test")) == 1


def test_queued_work_gives_way_to_requests_being_acked_but_not_for_ever():
    import threading

    from bot.slack.work import ACK_PRIORITY, QUIET, AckFirst

    now = [0.0]
    gate = AckFirst(clock=lambda: now[0])
    started = [threading.Event(), threading.Event()]

    def job(index: int) -> None:
        gate.give_way(queued_at=0.0)
        started[index].set()

    with gate.acking_request():
        first = threading.Thread(target=job, args=(0,))
        first.start()
        assert not started[0].wait(timeout=0.2)  # a request is mid-ack: the job waits
    now[0] = QUIET * 2  # the burst is over
    assert started[0].wait(timeout=5)
    # The job waits as long as the fake clock says is left (real seconds): queue it 0.25 s before its priority
    # ends, so that wait ends soon, and it finds the clock moved on.
    now[0] = ACK_PRIORITY - 0.25
    with gate.acking_request():  # a request that never ends...
        threading.Thread(target=job, args=(1,)).start()
        assert not started[1].wait(timeout=0.2)
        now[0] = ACK_PRIORITY + 0.1  # ...holds the job back no longer than ACK_PRIORITY
        assert started[1].wait(timeout=5)
