"""manifest.yml matches the registered Bolt listeners, both ways (SPEC §9).

Bolt answers 404 to a request no listener handles, so dispatching what the manifest
declares (and what our messages render as buttons) proves a handler exists; counting the
listeners proves nothing is registered that the manifest does not declare.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import yaml
from slack_bolt import BoltRequest

from bot.cli.composition import ThreadWarehouse
from bot.render.alerts import BUTTONS as ALERT_BUTTONS
from bot.render.alerts.incidents import BUTTONS as INCIDENT_BUTTONS
from bot.render.reports import CANCEL_ACTION
from bot.render.targets import CALLBACK, EDIT_ACTION
from bot.slack.app import ANSWER_ACTIONS, build_app
from bot.slack.client import build_slack_client
from kpi.settings import Settings
from tests.fakes.slack_api import fake_slack
from tests.support.paths import ROOT
from tests.support.slack import block_action, event

MANIFEST = ROOT / "manifest.yml"
REQUIRED_SCOPES = {"commands", "chat:write", "files:write", "app_mentions:read", "channels:read", "groups:read",
                   "channels:history", "groups:history",  # membership checks; finding a delivery after a crash
                   "users:read"}  # a person's Slack language (users.info include_locale)
RENDERED_ACTIONS = {*ANSWER_ACTIONS, "open_dashboard", *(a for _, a in (*ALERT_BUTTONS, *INCIDENT_BUTTONS)),
                    EDIT_ACTION, CANCEL_ACTION}
VIEWS = {CALLBACK}  # the targets modal's view_submission
# one listener answers any other alert_… action (a crafted snooze length) with a polite no
REFUSERS = 1


@pytest.fixture(scope="module")
def manifest():
    return yaml.safe_load(MANIFEST.read_text())


@pytest.fixture(scope="module")
def slack():
    with fake_slack() as fake:
        yield fake


@pytest.fixture(scope="module")
def app(tmp_path_factory, slack):
    client = build_slack_client({"SLACK_BOT_TOKEN": "xoxb-x", "KPIBOT_SLACK_API_URL": slack.api_url})
    settings = Settings(database=tmp_path_factory.mktemp("m") / "x.db")
    app = build_app(settings, ThreadWarehouse(settings.database), client, "s", lambda store: None, verify=False)
    yield app
    app.listener_runner.listener_executor.shutdown(wait=True)  # the queued work ends while the fake still answers


@pytest.fixture(scope="module")
def url(slack):
    """The response URL: the fake's, so the work each ack queues ends at once (at a URL that refuses,
    slack_sdk retries each answer after a backoff, and the process waited seconds for those at exit)."""
    return slack.response_url()


def status(app, body: str, content_type: str = "application/x-www-form-urlencoded") -> int:
    headers = {"content-type": [content_type], "x-slack-request-timestamp": [str(int(time.time()))]}
    return app.dispatch(BoltRequest(body=body, headers=headers)).status


def command(name: str, url: str) -> str:
    return urlencode({"command": name, "text": "help", "channel_id": "C0X", "user_id": "U1", "team_id": "T1",
                      "response_url": url})


def test_scopes_and_settings(manifest):
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == REQUIRED_SCOPES
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_declared_commands_and_events_have_handlers(manifest, app, url):
    for declared in manifest["features"]["slash_commands"]:
        assert status(app, command(declared["command"], url)) == 200
    for name in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert status(app, event({"type": name, "user": "U1", "tab": "messages"}), "application/json") == 200
    assert status(app, command("/undeclared", url)) == 404
    assert status(app, event({"type": "reaction_added", "user": "U1"}), "application/json") == 404


def test_every_rendered_button_has_a_handler(app, url):
    for action in RENDERED_ACTIONS:
        value = "1" if action.startswith(("alert_", "incident_", "report_")) else json.dumps({"q": "help"})
        assert status(app, block_action(action, value, "C0X", url)) == 200, action
    assert status(app, block_action("not_ours", "1", "C0X", url)) == 404
    assert status(app, block_action("alert_snooze_10000d", "1", "C0X", url)) == 200  # refused


def test_the_targets_modal_has_a_submission_handler(app):
    payload = {"type": "view_submission", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
               "view": {"id": "V1", "type": "modal", "callback_id": CALLBACK, "private_metadata": "{}",
                        "state": {"values": {}}}}
    assert status(app, urlencode({"payload": json.dumps(payload)})) == 200


def test_nothing_is_registered_that_the_manifest_does_not_declare(manifest, app):
    declared = len(manifest["features"]["slash_commands"]) + len(manifest["settings"]["event_subscriptions"]
                                                                 ["bot_events"])
    assert len(app._listeners) == declared + len(RENDERED_ACTIONS) + len(VIEWS) + REFUSERS
