"""Every message kind fits Slack's limits for a big store: 40 channels, 200 campaigns, 60 open alerts (issue 13).

The store's GA4 rows are synced through the real client from the emulator; every message is
rendered by the code that posts it, in both languages, then parsed with slack_sdk's own Block
Kit models (``Block.parse`` / ``View``, whose ``to_dict`` checks each block's limits) and
measured against the limits Slack enforces on a whole message.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.i18n import t
from bot.render.blocks import block_text
from bot.render.notices import notice_text
from bot.render.reports import reports_message
from bot.render.targets import targets_modal
from bot.replies import reply
from bot.slack.access import Access
from bot.slack.client import ChannelPacer, build_slack_client
from bot.slack.home import home_for
from bot.slack.posters import SlackAlertPoster, SlackDigestPoster, SlackReportPoster
from bot.slack.replies import SlackReplies
from connectors.demo.shop import DemoShop
from connectors.episodes_store import open_episode
from connectors.ga4.client import build_client
from connectors.ga4.emulator.server import serve_emulator
from connectors.ga4.sync import sync_store
from connectors.team_settings.reports import active_reports, add_report
from connectors.team_settings.targets import save_overrides
from connectors.warehouse import Warehouse, open_database
from kpi.catalogue import CATALOGUE
from kpi.query.parser import parse
from kpi.settings import RelativeRule, Settings, StoreSettings, Target
from schedules.digest import build_digest
from schedules.episodes import find_episode, live
from schedules.failures import Notice
from schedules.reports import ScheduledReport
from schedules.targets import target_settings
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import no_sleep_retry
from tests.support.slack import TOKEN

AS_OF = datetime(2026, 11, 24).date()
DAYS = 70
STORE = "agenzia-cliente-con-un-nome-lungo-per-davvero"
CHANNEL = "C0BIG"
CHANNELS = [f"Partner {i:02d} — affiliazione Italia e resto d'Europa" for i in range(40)]
CAMPAIGNS = [f"BF26 retargeting lookalike 1% IT #{i:03d} — catalogo completo" for i in range(200)]
ADMIN = "UADMIN"
MESSAGE_BLOCKS, VIEW_BLOCKS, BLOCK_CHARACTERS, FALLBACK = 50, 100, 12_000, 4_000


def big_shop() -> DemoShop:
    """GA4-shaped rows: 40 channels of sessions, 200 campaigns of ad spend, every day for 70 days."""
    rng = np.random.default_rng(13)
    days = [(AS_OF - timedelta(days=d)).strftime("%Y%m%d") for d in range(DAYS, 0, -1)]
    sessions = pd.DataFrame([{"date": day, "sessionDefaultChannelGroup": channel, "deviceCategory": "mobile",
                              "newVsReturning": "new", "sessions": int(rng.integers(50, 500)),
                              "engagedSessions": 40, "ecommercePurchases": int(rng.integers(1, 12)),
                              "purchaseRevenue": float(rng.integers(100, 2000)), "addToCarts": 30, "checkouts": 20,
                              "keyEvents": 5} for day in days for channel in CHANNELS])
    users = pd.DataFrame([{"date": day, "totalUsers": 9000, "newUsers": 4000, "activeUsers": 8500} for day in days])
    ads = pd.DataFrame([{"date": day, "sessionDefaultChannelGroup": "Paid Social", "sessionCampaignName": campaign,
                         "advertiserAdCost": float(rng.integers(5, 90)), "advertiserAdClicks": int(rng.integers(5, 80)),
                         "advertiserAdImpressions": 1000} for day in days[-35:] for campaign in CAMPAIGNS])
    return DemoShop(sessions=sessions, users=users, ads=ads)


def every_target() -> tuple[Target, ...]:
    return tuple(Target(m.name, min=0.01 if m.unit == "ratio" else 1.0, max=0.99 if m.unit == "ratio" else None)
                 for m in CATALOGUE)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "kpibot.db"
    db = open_database(path)
    with serve_emulator(big_shop()) as running:
        sync_store(db, build_client({"KPIBOT_GA4_ENDPOINT": running.url}), STORE, "100000009",
                   AS_OF - timedelta(days=DAYS), AS_OF - timedelta(days=1),
                   clock=lambda: datetime(2026, 11, 24, 6, tzinfo=UTC), retry=no_sleep_retry())
    rules = tuple(RelativeRule(m, 0.2, 30.0, "orders") for m in ("revenue", "orders", "sessions", "aov"))
    store = StoreSettings(name=STORE, ga4_property="100000009", channels=(CHANNEL,), digest_channel=CHANNEL,
                          alert_channel=CHANNEL, targets=every_target(), alert_rules=rules)
    others = tuple(StoreSettings(name=f"cliente-{i:02d}-{'x' * 30}", ga4_property="1", channels=(f"C0C{i:02d}",))
                   for i in range(30))
    settings = Settings(database=path, stores=(store, *others), admins=(ADMIN,))
    overrides = {m.name: {"min_value": 0.02 if m.unit == "ratio" else 2.0, "max_value": None, "period": None}
                 for m in CATALOGUE[::2]}
    save_overrides(db, STORE, overrides, None, True, "U0SOMEONEWITHALONGID", "2026-11-24T09:30:00+00:00")
    opened = open_alerts(db, store)
    for index in range(25):
        add_report(db, {"store": STORE, "channel": CHANNEL, "query": f"ad_cost last-30d by campaign vs ly {'x' * 150}",
                        "weekday": index % 7, "at_time": "09:00", "created_by": "U0SOMEONEWITHALONGID",
                        "created_at": "2026-11-20T09:00:00+00:00"}, 25)
    yield {"db": db, "settings": settings, "store": store, "episodes": opened}


def open_alerts(db: Warehouse, store: StoreSettings) -> list[int]:
    """60 live episodes, each with a long contributor (a campaign name)."""
    pairs = [(m.name, kind) for m in CATALOGUE for kind in ("anomaly", "target", "relative")][:60]
    ids = []
    for index, (metric, kind) in enumerate(pairs):
        ids.append(open_episode(db, {
            "store": store.name, "metric": metric, "kind": kind, "opened_on": "2026-11-01",
            "last_seen_on": "2026-11-22", "value": 1234.5, "expected": 2345.6, "severity": "critical",
            "contributor": CAMPAIGNS[index], "detail": "below", "state": "open", "channel": CHANNEL,
            "updated_at": "2026-11-24T06:00:00+00:00"}))
    assert len(live(db, store.name)) == 60
    return ids


def check_message(blocks: list[dict[str, Any]], text: str, limit: int = MESSAGE_BLOCKS) -> None:
    """slack_sdk parses every block and checks its own limits; then the whole message's."""
    assert 0 < len(blocks) <= limit
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block["type"]
        parsed.to_dict()  # raises SlackObjectFormationError past a block's limits
        check_texts(block)
    assert block_text(blocks) <= BLOCK_CHARACTERS
    assert text.strip() and len(text) <= FALLBACK


def check_texts(block: dict[str, Any]) -> None:
    """The limits slack_sdk's models leave unchecked: context texts, every button's text."""
    if block["type"] == "context":
        assert len(block["elements"]) <= 10 and all(len(e.get("text", "")) <= 3000 for e in block["elements"])
    buttons = [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]
    assert all(len(b["text"]["text"]) <= 75 for b in buttons if b.get("type") == "button")


def check_view(view: dict[str, Any]) -> None:
    View(**view).to_dict()
    assert len(view["blocks"]) <= VIEW_BLOCKS
    for block in view["blocks"]:
        check_texts(block)


LANGUAGES = ("it", "en")


def in_language(world, language: str) -> StoreSettings:
    return replace(world["store"], language=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("text", ["revenue last-30d by channel", "ad_cost last-30d by campaign",
                                  "sessions last-30d by channel vs ly", "help", "list", "targets", "status",
                                  "alerts", "anomalies last-60d", "digest"])
def test_every_reply_fits(world, language, text):
    answered = reply(world["db"], in_language(world, language), parse(text), text, AS_OF)
    check_message(answered.blocks, answered.text)
    if "by" in text:  # the largest rows first, then how many more there are
        shown = json.dumps(answered.blocks, ensure_ascii=False)
        assert t("more_table_rows", language, n=(40 if "channel" in text else 200) - 25) in shown


@pytest.fixture(scope="module")
def posted(world):
    """What the posters send: the real SlackDigestPoster, SlackAlertPoster and SlackReportPoster, to the fake."""
    with fake_slack() as slack:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        pacer = ChannelPacer(sleep=lambda seconds: None)
        replies = SlackReplies(world["settings"], lambda: world["db"], lambda store: AS_OF)
        yield slack, (SlackDigestPoster(client, pacer), SlackAlertPoster(client, pacer),
                      SlackReportPoster(client, replies, lambda: world["db"], pacer))


def sent(call) -> tuple[list[dict[str, Any]], str]:
    blocks = call.params.get("blocks") or "[]"
    return (json.loads(blocks) if isinstance(blocks, str) else blocks), call.params["text"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_and_its_correction_fit(world, posted, language):
    slack, (digests, _, _) = posted
    digest = build_digest(world["db"], in_language(world, language), AS_OF)
    digests.post(digest, {})
    digests.correct(digest, "1700000000.000001", {"revenue": 1.0, "orders": 2.0, "sessions": 3.0})
    check_message(*sent(slack.of("chat.postMessage")[-1]))
    check_message(*sent(slack.of("chat.update")[-1]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_alerts_live_and_resolved_and_notices_fit(world, posted, language):
    slack, (_, alerts, _) = posted
    store = in_language(world, language)
    for episode_id in world["episodes"][:3]:
        episode = find_episode(world["db"], episode_id)
        alerts.post(store, episode, {})
        check_message(*sent(slack.of("chat.postMessage")[-1]))
        alerts.resolve(store, replace(episode, state="resolved", ts="1700000000.000001"), {})
        check_message(*sent(slack.of("chat.update")[-1]))
        assert 0 < len(slack.of("chat.postMessage")[-1].params["text"]) <= FALLBACK  # the reply in its thread
    for kind in ("sync", "digest"):
        for error in ("E" * 5000, None):
            alerts.notice(store, notice_text(store, Notice(kind, store.name, 99, error)), {})
            assert 0 < len(slack.of("chat.postMessage")[-1].params["text"]) <= FALLBACK


def test_app_home_for_an_admin_of_31_stores_fits(world):
    class Everyone:
        def channels(self, user: str) -> frozenset[str]:
            return frozenset()

    access = Access(world["settings"], Everyone())  # type: ignore[arg-type]
    view = home_for(world["settings"], access, ADMIN, lambda: world["db"], lambda store: AS_OF)
    check_view(view)
    shown = json.dumps(view, ensure_ascii=False)
    assert STORE in shown and "cliente-29" not in shown  # the first stores whole, then "…and N more"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_targets_modal_fits(world, language):
    view = targets_modal(target_settings(world["db"], in_language(world, language)), language, CHANNEL)
    check_view(view)
    assert json.dumps(view, ensure_ascii=False).count('"type": "input"') > 30


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_schedules_list_and_a_scheduled_report_fit(world, posted, language):
    slack, (_, _, reports_poster) = posted
    reports = [ScheduledReport.from_row(row) for row in active_reports(world["db"])]
    assert len(reports) == 25
    check_message(*reports_message(reports, language, t("report_cancelled", language, id=99)))
    reports_poster.post(in_language(world, language), reports[0], AS_OF, {})
    check_message(*sent(slack.of("chat.postMessage")[-1]))
