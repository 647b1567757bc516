"""The delivery state machine's pieces: the migration of old rows, the claim rules, finding a message.

Finding runs the real ``SlackMessageFinder`` (slack_sdk) against the fake Slack's history over
HTTP; the claim rules run on a real SQLite file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.slack.client import build_slack_client
from bot.slack.finder import PAGE_SIZE, SlackMessageFinder
from connectors.delivery_store import claim_delivery, delivery, mark_failed, mark_posted, plan_delivery, stamp
from connectors.migrations import discover, migrate
from connectors.warehouse import open_database
from schedules.delivery import delivery_metadata, key_text
from tests.fakes.slack_api import fake_slack
from tests.support.engines import unmigrated
from tests.support.slack import TOKEN

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
KEY = ("shop", "digest", "2026-11-23", "C1")


@pytest.fixture
def db(location):
    """The delivery machinery's warehouse, on each engine."""
    return open_database(location)


def test_rows_written_before_the_upgrade_keep_their_meaning(tmp_path):
    old = unmigrated(tmp_path / "old.db")
    old.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for number, name, apply in discover():
        if number < 4:
            apply(old)
            old.execute("INSERT INTO _migrations VALUES (?, ?, 'then')", [number, name])
    claimed_at = (NOW - timedelta(hours=1)).isoformat()
    for day, status, ts in (("2026-11-20", "sent", "1.1"), ("2026-11-21", "claimed", None),
                            ("2026-11-22", "failed", None)):
        old.execute("INSERT INTO deliveries (store, kind, date, channel, status, ts, holder, claimed_at, provisional) "
                    "VALUES ('shop', 'digest', ?, 'C1', ?, ?, 'dead', ?, 0)", [day, status, ts, claimed_at])
    assert "m004_delivery_states" in migrate(old)
    rows = {r["date"]: r for r in old.query("SELECT * FROM deliveries")}
    assert rows["2026-11-20"]["status"] == "posted" and rows["2026-11-20"]["ts"] == "1.1"
    for day in ("2026-11-21", "2026-11-22"):  # tried once, so whoever takes them looks in Slack first
        assert rows[day]["attempts"] == 1 and rows[day]["first_attempt_at"] == claimed_at
        assert datetime.fromisoformat(rows[day]["deadline"]) == NOW + timedelta(hours=5)
        taken = claim_delivery(old, ("shop", "digest", day, "C1"), "new", NOW, NOW + timedelta(minutes=2), None)
        assert taken is not None and taken["attempts"] == 2


def test_a_claim_is_exclusive_until_it_runs_out(db):
    expires = NOW + timedelta(minutes=2)
    assert claim_delivery(db, KEY, "a", NOW, expires, None) is not None
    assert claim_delivery(db, KEY, "b", NOW + timedelta(seconds=119), expires, None) is None
    taken = claim_delivery(db, KEY, "b", expires, expires + timedelta(minutes=2), None)
    assert taken is not None and taken["holder"] == "b" and taken["attempts"] == 2


def test_a_failed_delivery_waits_for_its_retry_time_and_its_window(db):
    deadline = NOW + timedelta(minutes=10)
    plan_delivery(db, KEY, NOW, deadline)
    assert claim_delivery(db, KEY, "a", NOW, NOW + timedelta(minutes=2), None) is not None
    mark_failed(db, KEY, "a", "SlackApiError: internal_error", NOW + timedelta(minutes=5))
    assert claim_delivery(db, KEY, "a", NOW + timedelta(minutes=4), NOW, None) is None  # not yet
    assert claim_delivery(db, KEY, "a", NOW + timedelta(minutes=5), NOW, None) is not None
    mark_failed(db, KEY, "a", "SlackApiError: internal_error", NOW + timedelta(minutes=11))  # past the window
    assert claim_delivery(db, KEY, "a", NOW + timedelta(minutes=11), NOW, None) is None
    assert claim_delivery(db, KEY, "cli", NOW + timedelta(minutes=11), NOW, None, manual=True) is not None


def test_the_first_mark_wins(db):
    claim_delivery(db, KEY, "a", NOW, NOW + timedelta(minutes=2), None)
    assert mark_posted(db, KEY, "111.1", NOW, follow_up=False) == "111.1"
    assert mark_posted(db, KEY, "222.2", NOW, follow_up=False) == "111.1"
    assert delivery(db, KEY)["ts"] == "111.1" and delivery(db, KEY)["sent_at"] == stamp(NOW)


def test_times_sort_as_the_instants_they_name():
    zones = [datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC), datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
             datetime(2026, 3, 29, 4, 0, 0, 1, tzinfo=UTC).astimezone()]
    assert sorted(zones, key=stamp) == sorted(zones) and len({len(stamp(z)) for z in zones}) == 1


def test_the_finder_pages_through_history_and_matches_only_its_own_metadata():
    with fake_slack() as slack:
        slack.clock = lambda: NOW.timestamp()
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        ours = client.chat_postMessage(channel="C1", text="digest", metadata=delivery_metadata(KEY))["ts"]
        slack.log.channels["C1"].append({"type": "message", "ts": f"{NOW.timestamp():.0f}.900000", "user": "UOTHER",
                                         "bot_id": "BOTHER", "text": "a look-alike",
                                         "metadata": delivery_metadata(KEY)})  # same key, another app
        slack.clock = lambda: (NOW + timedelta(minutes=1)).timestamp()
        for number in range(PAGE_SIZE * 2 + 50):  # people talk after the digest: it is pages back
            slack.log.post({"channel": "C1", "text": f"chat {number}"}, slack.next_ts())
        finder = SlackMessageFinder(client)
        assert finder.find("C1", key_text(KEY), NOW - timedelta(minutes=10)) == ours
        pages = slack.of("conversations.history")
        assert len(pages) == 3 and "cursor" not in pages[0].params and pages[2].params["cursor"]
        assert all(p.params["include_all_metadata"] in ("1", "true") for p in pages)
        assert finder.find("C1", key_text(KEY), NOW + timedelta(seconds=30)) is None  # older than asked
        assert finder.find("C1", key_text(("shop", "digest", "2026-11-22", "C1")), NOW - timedelta(hours=1)) is None


def test_without_include_all_metadata_slack_keeps_only_the_event_type():
    with fake_slack() as slack:
        client = build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL": slack.api_url})
        client.chat_postMessage(channel="C1", text="digest", metadata=delivery_metadata(KEY))
        [bare] = client.conversations_history(channel="C1")["messages"]
        [full] = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert bare["metadata"] == {"event_type": "kpibot_delivery"}
    assert full["metadata"] == delivery_metadata(KEY) and full["bot_id"] == "BBOT"
