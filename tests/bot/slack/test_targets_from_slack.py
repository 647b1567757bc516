"""Targets and alert rules set from Slack, through signed HTTP and the fake Slack Web API (issue 13).

Two stores share one install: ``demo-shop`` (Italian, channel C0SHOP, the synced demo data,
``aov`` min 60 and ``cvr`` min 0.015 in its file) and ``other-shop`` (English, channel C0OTHER).
``UADMIN`` is in ``[kpibot] admins``; ``UMEMBER`` is only a member of C0SHOP.
"""

from __future__ import annotations

import json
import logging
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.models.views import View

from bot.cli.composition import ThreadWarehouse
from bot.cli.main import main
from bot.config.loader import ConfigError, parse_settings
from bot.render.targets import CALLBACK, EDIT_ACTION
from bot.slack.access import Membership
from bot.slack.app import build_app
from bot.slack.client import build_slack_client
from bot.slack.http import serve_in_thread
from connectors.team_settings.targets import save_overrides, target_overrides
from kpi.settings import StoreSettings, Target
from schedules.targets import effective_store, target_settings
from tests.fakes.slack_api import fake_slack
from tests.support.engines import ENGINES
from tests.support.ga4 import AS_OF, synced_demo_location
from tests.support.slack import (
    SECRET,
    TOKEN,
    block_action,
    command_reply,
    number_state,
    post_signed,
    select_state,
    values_of_view,
    view_submission,
)

SHOP, OTHER = "C0SHOP", "C0OTHER"
ADMIN, MEMBER = "UADMIN", "UMEMBER"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
CONFIG = f"""[kpibot]
database = "kpibot.db"
language = "en"
admins = ["{ADMIN}"]

[[stores]]
name = "demo-shop"
ga4_property = "100000001"
language = "it"
channels = ["{SHOP}"]
alert_channel = "{SHOP}"
"""
FILE_TARGETS = """[stores.targets]
aov = { min = 60.0 }
cvr = { min = 0.015 }
"""
OTHER_STORE = f"""
[[stores]]
name = "other-shop"
ga4_property = "100000002"
language = "en"
channels = ["{OTHER}"]
"""


@pytest.fixture(scope="module", params=ENGINES)
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("targets-slack")
    with synced_demo_location(request.param, folder) as location, pytest.MonkeyPatch.context() as env:
        if not isinstance(location, Path):  # the CLI commands below find PostgreSQL as a user's would
            env.setenv("KPIBOT_DATABASE_URL", location)
        yield from _world(folder, location)


def _world(folder, location):
    config = folder / "kpibot.toml"
    config.write_text(CONFIG + FILE_TARGETS + OTHER_STORE)
    database = None if isinstance(location, Path) else location  # PostgreSQL: as KPIBOT_DATABASE_URL would
    settings = parse_settings(tomllib.loads(config.read_text()), config, database)
    with fake_slack() as slack:
        slack.members.update({MEMBER: [SHOP]})
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        app = build_app(settings, ThreadWarehouse(settings.database), client, SECRET, lambda store: AS_OF,
                        membership=Membership(client), clock=lambda: NOW)
        with serve_in_thread(app) as url:
            yield {"slack": slack, "events": f"{url}/slack/events", "settings": settings, "config": config,
                   "warehouse": ThreadWarehouse(settings.database)}


@pytest.fixture
def slack(world):
    """A clean slate: no call recorded, nothing set from Slack."""
    db = world["warehouse"]()
    for store in world["settings"].stores:
        metrics = {row["metric"]: None for row in target_overrides(db, store.name)}
        save_overrides(db, store.name, metrics, None, False, "reset", NOW.isoformat())
    world["slack"].calls.clear()
    return world["slack"]


def command(world, text: str, user: str, channel: str = SHOP) -> dict:
    return command_reply(world["slack"], world["events"], text, user, channel)


def click_edit(world, user: str, channel: str = SHOP, store: str = "demo-shop") -> None:
    slack = world["slack"]
    body = block_action(EDIT_ACTION, json.dumps({"store": store}), channel, slack.response_url(), user)
    assert post_signed(world["events"], body)[0] == 200


def open_form(world) -> dict:
    click_edit(world, ADMIN)
    call = world["slack"].wait_for("views.open")[-1]
    assert call.params["trigger_id"] == "1.2.3"  # the click's own trigger, used at once
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit(world, values: dict, user: str = ADMIN, metadata: dict | None = None) -> tuple[int, dict]:
    private = json.dumps({"store": "demo-shop", "channel": SHOP} if metadata is None else metadata)
    status, body, seconds = post_signed(world["events"], view_submission(values, private, user))
    assert seconds < 3.0
    return status, (json.loads(body) if body.strip() else {})


def table(world) -> list:
    db = world["warehouse"]()
    return [db.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall()
            for name in ("target_overrides", "alert_rule_sets", "alert_rules")]


def test_targets_say_where_each_comes_from_and_only_admins_get_the_edit_button(world, slack):
    for user, editable in ((ADMIN, True), (MEMBER, False)):
        reply = command(world, "targets", user)
        text = json.dumps(reply, ensure_ascii=False)
        assert "Scontrino medio" in text and "da kpibot.toml" in text  # the file's targets, in Italian
        assert "predefinito di kpibot" in text  # email_revenue_share, kpibot's default
        assert "Fatturato in calo di oltre il 20%" in text  # the two default relative rules
        assert (EDIT_ACTION in text) is editable


def test_the_edit_button_opens_a_valid_modal_with_the_values_in_force(world, slack):
    view = open_form(world)
    View(**view).validate_json()  # slack_sdk's own model: nothing over a Block Kit limit
    assert view["callback_id"] == CALLBACK and len(view["blocks"]) <= 100
    values = values_of_view(view)
    assert values["t|aov|min"]["value"]["value"] == "60" and values["t|cvr|min"]["value"]["value"] == "0.015"
    assert values["r|0|metric"]["value"]["selected_option"]["value"] == "revenue"
    assert json.loads(view["private_metadata"]) == {"store": "demo-shop", "channel": SHOP}


def test_an_unchanged_form_changes_nothing(world, slack):
    status, answer = submit(world, values_of_view(open_form(world)))
    assert status == 200 and answer == {}  # the modal closes
    assert table(world) == [[], [], []]


def test_a_saved_form_wins_over_the_file_and_says_who_set_it(world, slack, capsys):
    values = values_of_view(open_form(world))
    values["t|aov|min"] = number_state("70")
    values["t|new|metric"], values["t|new|max"] = select_state("bounce_rate"), number_state("0.6")
    values["r|0|drop"], values["r|0|volume"], values["r|0|volume_metric"] = (
        number_state("0.3"), number_state("30"), select_state("orders"))
    status, answer = submit(world, values)
    assert status == 200 and answer == {}
    db = world["warehouse"]()
    store = world["settings"].store("demo-shop")
    effective = effective_store(db, store)
    assert effective.target_for("aov") == Target("aov", min=70.0)
    assert effective.target_for("bounce_rate") == Target("bounce_rate", max=0.6)
    assert effective.target_for("cvr") == Target("cvr", min=0.015)  # untouched: still the file's
    assert (effective.relative_rules[0].drop, effective.relative_rules[0].min_volume,
            effective.relative_rules[0].volume_of) == (0.3, 30.0, "orders")
    rows = {row["metric"]: row for row in target_overrides(db, "demo-shop")}
    assert set(rows) == {"aov", "bounce_rate"} and rows["aov"]["set_by"] == ADMIN
    assert rows["aov"]["set_at"] == NOW.isoformat(timespec="seconds")
    note = slack.wait_for("chat.postEphemeral")[0].params
    assert note["user"] == ADMIN and note["channel"] == SHOP and "demo-shop" in note["text"]

    reply = json.dumps(command(world, "targets", MEMBER), ensure_ascii=False)
    assert f"impostato da Slack da <@{ADMIN}> il 24 nov 2026 09:30 UTC" in reply
    assert "in kpibot.toml: 60,00\\u00a0€" in reply or "in kpibot.toml: 60,00\xa0€" in reply

    args = ["--config", str(world["config"])]
    assert main([*args, "ask", "aov last-30d", "--json", "--as-of", AS_OF.isoformat(), "--store", "demo-shop"]) == 0
    assert json.loads(capsys.readouterr().out)["target"]["min"] == 70.0  # the CLI answers with Slack's target too
    assert main([*args, "check-config"]) == 0
    shown = capsys.readouterr().out
    assert f"set from Slack by <@{ADMIN}>" in shown and "kpibot.toml says €60.00" in shown


def test_a_value_equal_to_the_file_hands_the_target_back_to_the_file(world, slack):
    values = values_of_view(open_form(world))
    values["t|aov|min"] = number_state("75")
    submit(world, values)
    assert [r["metric"] for r in target_overrides(world["warehouse"](), "demo-shop")] == ["aov"]
    values["t|aov|min"] = number_state("60")
    submit(world, values)
    assert target_overrides(world["warehouse"](), "demo-shop") == []


def test_emptying_both_bounds_switches_a_target_off_even_a_default(world, slack):
    values = values_of_view(open_form(world))
    values["t|email_revenue_share|min"] = values["t|email_revenue_share|max"] = number_state(None)
    submit(world, values)
    db = world["warehouse"]()
    store = effective_store(db, world["settings"].store("demo-shop"))
    assert store.target_for("email_revenue_share") is None
    entry = next(e for e in target_settings(db, world["settings"].store("demo-shop")).targets
                 if e.metric == "email_revenue_share")
    assert entry.target is None and entry.origin.source == "slack" and entry.origin.set_by == ADMIN


def config_problem(metric: str, side: str, value: object) -> str:
    """What kpibot.toml is told for the same value: the sentence after the file and the key."""
    data = tomllib.loads(CONFIG)
    data["stores"][0]["targets"] = {metric: {side: value}}
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, Path("kpibot.toml"))
    return raised.value.problems[0].split(f"targets.{metric}.{side} ", 1)[1]


@pytest.mark.parametrize("metric, typed, italian", [
    ("cvr", "2.5", "deve essere una frazione tra 0 e 1 (scrivi 0.025 per 2.5%), trovato 2.5"),
    ("aov", "abc", "deve essere un numero, trovato 'abc'")])
def test_bad_values_are_shown_under_their_inputs_in_the_words_of_the_config_file(world, slack, metric, typed,
                                                                                 italian):
    values = values_of_view(open_form(world))
    values[f"t|{metric}|min"] = number_state(typed)
    before = table(world)
    status, answer = submit(world, values)
    assert status == 200 and answer == {"response_action": "errors", "errors": {f"t|{metric}|min": italian}}
    assert table(world) == before  # nothing saved
    # an English store is told exactly what the file is told for the same value
    _, english = submit(world, {f"t|{metric}|min": number_state(typed)}, metadata={"store": "other-shop",
                                                                                   "channel": OTHER})
    assert english["errors"][f"t|{metric}|min"] == config_problem(metric, "min", float(typed) if metric == "cvr"
                                                                   else typed)


def test_min_above_max_and_a_bad_rule_are_refused_field_by_field(world, slack):
    values = values_of_view(open_form(world))
    values["t|aov|max"] = number_state("50")  # below the min of 60
    values["r|1|drop"] = number_state("1.5")
    values["r|new|metric"] = select_state("sessions")  # a new rule without its drop
    _, answer = submit(world, values)
    assert set(answer["errors"]) == {"t|aov|max", "r|1|drop", "r|new|drop"}
    assert answer["errors"]["t|aov|max"] == "ha il minimo più alto del massimo"
    assert table(world) == [[], [], []]


FORGED_SUBMISSIONS = {
    "a member who is not an admin": (MEMBER, {"store": "demo-shop", "channel": SHOP}),
    "an admin naming another store's channel": (ADMIN, {"store": "other-shop", "channel": SHOP}),
    "an admin naming a store that does not exist": (ADMIN, {"store": "nope", "channel": SHOP}),
    "no metadata at all": (ADMIN, {}),
}


@pytest.mark.parametrize("forgery", sorted(FORGED_SUBMISSIONS))
def test_forged_submissions_are_refused_politely_change_nothing_and_leave_one_line(world, slack, caplog, forgery):
    caplog.set_level(logging.INFO)
    user, metadata = FORGED_SUBMISSIONS[forgery]
    values = {"t|aov|min": number_state("1"), "r|0|metric": select_state("revenue"), "r|0|drop": number_state("0.9")}
    status, answer = submit(world, values, user, metadata)
    assert status == 200 and answer["response_action"] == "update"
    View(**answer["view"]).validate_json()
    assert "submit" not in answer["view"]  # the refusal cannot be submitted again
    assert table(world) == [[], [], []]
    lines = [r.getMessage() for r in caplog.records if r.name == "kpibot.access"]
    assert len(lines) == 1 and "view_submission" in lines[0] and len(lines[0]) < 160


def test_a_non_admin_clicking_edit_is_refused_and_no_modal_opens(world, slack, caplog):
    caplog.set_level(logging.INFO)
    click_edit(world, MEMBER)
    reply = slack.wait_for("respond")[0].params
    assert reply["response_type"] == "ephemeral" and "amministratori" in reply["text"]
    assert slack.of("views.open") == []
    assert len([r for r in caplog.records if r.name == "kpibot.access"]) == 1


def test_an_admin_clicking_edit_in_a_channel_of_another_store_is_refused(world, slack):
    click_edit(world, ADMIN, channel=OTHER, store="demo-shop")
    assert "Mi dispiace" in slack.wait_for("respond")[0].params["text"]  # demo-shop's language
    assert slack.of("views.open") == []


def test_export_round_trips_through_the_config_file(world, slack, capsys):
    values = values_of_view(open_form(world))
    values["t|aov|min"], values["t|aov|period"] = number_state("1500.5"), select_state("month")
    values["t|email_revenue_share|min"] = values["t|email_revenue_share|max"] = number_state(None)
    values["r|1|drop"] = number_state(None)  # the orders rule removed
    values["r|0|volume"], values["r|0|volume_metric"] = number_state("30"), select_state("orders")
    submit(world, values)
    db = world["warehouse"]()
    before = target_settings(db, world["settings"].store("demo-shop"))
    assert main(["--config", str(world["config"]), "targets", "--export", "--store", "demo-shop"]) == 0
    exported = capsys.readouterr().out
    assert f"set from Slack by {ADMIN}" in exported
    rewritten = world["config"].with_name("exported.toml")
    rewritten.write_text(CONFIG + exported + OTHER_STORE)
    reread = parse_settings(tomllib.loads(rewritten.read_text()), rewritten).store("demo-shop")
    assert effective_store(db, reread).targets and all(  # the file alone now says what Slack set
        reread.target_for(m) == before.store.target_for(m) for m in ("aov", "cvr", "email_revenue_share"))
    assert reread.relative_rules == before.rules


def test_the_config_file_takes_alert_rules_and_refuses_bad_ones_with_their_key():
    data = tomllib.loads(CONFIG + '\n[[stores.alert_rules]]\nmetric = "revenue"\ndrop = 0.25\nmin_volume = 30\n'
                         'volume_metric = "orders"\n')
    store = parse_settings(data, Path("kpibot.toml")).store("demo-shop")
    assert [(r.metric, r.drop, r.min_volume, r.volume_of) for r in store.relative_rules] == [
        ("revenue", 0.25, 30.0, "orders")]
    data["stores"][0]["alert_rules"] = [{"metric": "revenu", "drop": 20, "min_volume": -1}]
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, Path("kpibot.toml"))
    problems = "\n".join(raised.value.problems)
    assert "stores[0] (demo-shop).alert_rules[0].metric must be a KPI name; did you mean revenue?" in problems
    assert "alert_rules[0].drop must be a fraction between 0 and 1, such as 0.20 for a 20% drop, got 20" in problems
    assert "alert_rules[0].min_volume must be a number of 0 or more, got -1" in problems


def test_a_store_with_nothing_set_from_slack_is_the_files_and_composing_twice_changes_nothing(world, slack):
    store = StoreSettings(name="nowhere", ga4_property="1", targets=(Target("aov", min=1.0),))
    db = world["warehouse"]()
    assert effective_store(db, store) == store
    values = values_of_view(open_form(world))
    values["t|aov|min"], values["r|0|drop"] = number_state("80"), number_state("0.5")
    submit(world, values)
    once = effective_store(db, world["settings"].store("demo-shop"))
    assert effective_store(db, once) == once and once.target_for("aov") == Target("aov", min=80.0)
