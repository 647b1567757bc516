"""GET /metrics scraped before and after a sync and a digest: the counters move by what really happened.

The runtime is the one `serve` assembles (its GA4 client, Slack client, jobs and metrics),
against the GA4 emulator and the fake Slack; the expected moves are counted on the other side
of the wire (the emulator's requests and quota tokens, the fake Slack's calls), never taken
from kpibot's own counters. No secret of the environment shows in any metric or log line.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.cli.composition import assemble
from bot.ops.http import serve_ops_in_thread
from bot.ops.logs import configure_logging
from connectors.delivery_store import delivery
from kpi.settings import Settings, StoreSettings
from tests.fakes.slack_api import fake_slack
from tests.support.ga4 import AS_OF, PROPERTY, STORE, demo_shop, emulator, synced_demo_db
from tests.support.slack import SECRET, TOKEN

PROXY_PASSWORD = "pw-" + "Hq3vB8nR5tWy1Kz6"  # in KPIBOT_GA4_ENDPOINT: must never be shown
Samples = Counter[tuple[str, tuple[tuple[str, str], ...]]]


def scrape(port: int) -> tuple[str, Samples]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    samples: Samples = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] += sample.value
    return text, samples


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after[key] - before[key]


def test_metrics_move_with_a_sync_and_a_digest_and_hold_no_secret(tmp_path, capsys):
    synced_demo_db(tmp_path / "kpibot.db", AS_OF, 60).close()
    store = StoreSettings(name=STORE, ga4_property=PROPERTY, channels=("C1",), digest_channel="C1",
                          alert_channel="C1")
    settings = Settings(database=tmp_path / "kpibot.db", stores=(store,))
    now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 in Rome on AS_OF
    root = logging.getLogger()
    with fake_slack() as slack, emulator(demo_shop(AS_OF, 60)) as (ga4, _):
        environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "KPIBOT_SLACK_API_URL": slack.api_url,
                   "KPIBOT_GA4_ENDPOINT": ga4.url.replace("http://", f"http://kpibot:{PROXY_PASSWORD}@")}
        runtime = assemble(settings, environ, clock=lambda: now)
        handlers, level = list(root.handlers), root.level
        configure_logging("json", logging.INFO, environ)
        try:
            with serve_ops_in_thread(runtime.ops, "127.0.0.1", 0) as port:
                runtime.jobs.heartbeat()
                _, before = scrape(port)
                tokens_before = ga4.state.tokens_used
                jobs = runtime.jobs
                assert jobs.pool is not None
                jobs.submit("sync", jobs.sync_and_check, STORE)  # as the triggers of `serve` do
                assert jobs.pool.wait_idle(120)
                jobs.submit("digest", jobs.digest, STORE)
                assert jobs.pool.wait_idle(120)
                text, after = scrape(port)
        finally:
            for handler in [h for h in root.handlers if h not in handlers]:
                root.removeHandler(handler)
            root.setLevel(level)
            assert runtime.jobs.pool is not None
            runtime.jobs.pool.stop(0)
        requests, tokens = ga4.state.traffic.requests[PROPERTY], ga4.state.tokens_used - tokens_before
        slack_calls = Counter(call.method for call in slack.calls)
    logged = capsys.readouterr().err

    row = delivery(runtime.jobs.warehouse(), (STORE, "digest", str(AS_OF - timedelta(days=1)), "C1"))
    assert row is not None and row["status"] == "posted"
    assert moved(before, after, "kpibot_sync_runs_total", source="ga4", outcome="ok") == 1
    assert moved(before, after, "kpibot_sync_duration_seconds_count", source="ga4") == 1
    assert requests > 0 and moved(before, after, "kpibot_ga4_requests_total", property=PROPERTY) == requests
    assert tokens > 0 and moved(before, after, "kpibot_ga4_quota_tokens_total", property=PROPERTY) == tokens
    for method in ("chat.postMessage", "files.completeUploadExternal", "conversations.history"):
        assert moved(before, after, "kpibot_slack_calls_total", method=method) == slack_calls[method], method
    assert moved(before, after, "kpibot_deliveries_total", kind="digest", status="posted") == 1
    assert moved(before, after, "kpibot_jobs_total", job="sync", outcome="ran") == 1
    assert moved(before, after, "kpibot_jobs_total", job="digest", outcome="ran") == 1
    assert after[("kpibot_leases_held", (("holder", runtime.jobs.holder), ("job", "alive")))] == 1
    assert after[("kpibot_scheduler_heartbeat_timestamp_seconds", ())] == now.timestamp()
    assert "kpibot_alert_episodes_open" in text

    lines = [json.loads(line) for line in logged.splitlines()]  # every line one JSON object, the progress too
    for job in ("sync", "digest"):
        about = [line for line in lines if line["job"] == job]
        assert about and all(line["store"] == STORE and line["request_id"] for line in about)
    for secret in (TOKEN, SECRET, PROXY_PASSWORD):
        assert secret not in text and secret not in logged
