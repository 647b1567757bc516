"""One incident, one message, over three years of the demo shop: the real alert check, day by day.

Syncs three years of the planted demo shop (Italian calendar, January sales) from the GA4
emulator, then runs the scheduler's own hourly alert check (``Jobs.alert_check``) once for
every judged day, with an injected clock, against the fake Slack Web API through slack_sdk.
It prints the incidents found, the messages posted (own messages, summaries, edits, thread
replies), each planted incident with the diagnosis its message carries, and the incidents
and incident days that no planted incident explains, per 100 judged days.
Usage: python benchmarks/eval_incidents.py [DAYS]  (default: the 3 years minus the warm-up)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.eval_nab import AS_OF, DEMO_DAYS, WARM_UP_DAYS, _synced_demo  # noqa: E402
from bot.cli.demo.store import demo_store  # noqa: E402
from connectors.demo.shop import PLANTED_ANOMALIES, PlantedAnomaly  # noqa: E402
from connectors.incidents_store import incident_episodes, incidents_between  # noqa: E402
from kpi.settings import Settings  # noqa: E402
from tests.fakes.slack_api import FakeSlack, fake_slack  # noqa: E402
from tests.support.deliveries import Clock, shop_jobs  # noqa: E402
from tests.support.incidents import kind_of  # noqa: E402

# The diagnosis each planted incident was written for (``connectors/demo/shop.py``).
EXPLAINED = {"tracking_outage": "tracking_tag", "mobile_checkout_bug": "device_checkout",
             "email_campaign": "campaign", "bot_traffic": "bot_traffic"}


@dataclass(frozen=True)
class Run:
    judged: list[date]
    incidents: list[dict[str, Any]]
    posts: Counter[str]  # delivery kind → top-level messages posted
    edits: int
    replies: int
    seconds: float


def run(db_path: Path, judged: list[date]) -> Run:
    store = demo_store()
    settings = Settings(database=db_path, stores=(store,))
    slack: FakeSlack
    with fake_slack() as slack:
        clock = Clock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
        slack.clock = lambda: clock().timestamp()
        jobs = shop_jobs(settings, slack.api_url, clock, "eval")
        started = time.perf_counter()
        for day in judged:  # the hourly check that first judges ``day`` (final three days later)
            clock.set(day + timedelta(days=3), 6, 5)
            jobs.alert_check(store.name)
        seconds = time.perf_counter() - started
        db = jobs.warehouse()
        incidents = [{**row, "metrics": sorted({e["metric"] for e in episodes}),
                      "kinds": sorted({e["kind"] for e in episodes})}
                     for row in incidents_between(db, store.name, judged[0], judged[-1])
                     for episodes in [incident_episodes(db, int(row["id"]))]]
        posts = Counter(str(kind_of({"metadata": c.params.get("metadata")})) for c in slack.of("chat.postMessage")
                        if "thread_ts" not in c.params)
        replies = sum(1 for c in slack.of("chat.postMessage") if "thread_ts" in c.params)
        return Run(judged, incidents, posts, len(slack.of("chat.update")), replies, seconds)


def explains(planted: PlantedAnomaly, row: dict[str, Any]) -> bool:
    days = planted.dates(AS_OF)
    return row["opened_on"] <= max(days).isoformat() and row["last_seen_on"] >= min(days).isoformat()


def report(result: Run) -> list[str]:
    rows = result.incidents
    lines = [f"Demo shop, 3 years, the alert check run for each of {len(result.judged)} judged days "
             f"({result.judged[0]} .. {result.judged[-1]}) in {result.seconds:.0f} s",
             f"  incidents: {len(rows)}; messages posted: {result.posts.get('incident', 0)} incident, "
             f"{result.posts.get('incident_summary', 0)} summary, {result.posts.get('alert', 0)} target alert; "
             f"{result.edits} edits, {result.replies} thread replies",
             f"  diagnoses: {dict(Counter(str(r['diagnosis']) for r in rows))}"]
    found = 0
    for planted in PLANTED_ANOMALIES:
        mine = [r for r in rows if explains(planted, r)]
        right = len(mine) == 1 and mine[0]["diagnosis"] == EXPLAINED[planted.name] and mine[0]["ts"]
        found += bool(right)
        lines.append(f"  {planted.name:20s} {len(mine)} incident(s), diagnosis "
                     f"{[r['diagnosis'] for r in mine]}, own message: {bool(mine and mine[0]['ts'])}")
    false = [r for r in rows if not any(explains(p, r) for p in PLANTED_ANOMALIES)]
    false_days = _days(false)
    per_100 = 100 / len(result.judged)
    by_detector = [r for r in false if "anomaly" in r["kinds"]]  # the rest: only relative rules fired
    detector_days = _days(by_detector)
    lines.append(f"  planted incidents found as one message with the right diagnosis: {found}/{len(PLANTED_ANOMALIES)}")
    lines.append(f"  incidents no planted incident explains: {len(false)} ({len(false) * per_100:.2f} per 100 days), "
                 f"covering {len(false_days)} days ({len(false_days) * per_100:.2f} false days per 100)")
    lines.append(f"    of which with a detector anomaly: {len(by_detector)} ({len(by_detector) * per_100:.2f} per 100 "
                 f"days), covering {len(detector_days)} days ({len(detector_days) * per_100:.2f} per 100); the other "
                 f"{len(false) - len(by_detector)} only from the relative rules (a KPI down 20% vs the same weekday)")
    lines += [f"    {r['opened_on']}..{r['last_seen_on']} {r['diagnosis']} {r['severity']} "
              f"{'+'.join(r['kinds'])}: {', '.join(r['metrics'])}" for r in false]
    return lines


def _days(rows: list[dict[str, Any]]) -> set[date]:
    """The days the incidents were open for, from the first flagged day to the last."""
    return {date.fromisoformat(r["opened_on"]) + timedelta(days=k) for r in rows
            for k in range((date.fromisoformat(r["last_seen_on"]) - date.fromisoformat(r["opened_on"])).days + 1)}


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else DEMO_DAYS - WARM_UP_DAYS - 2
    last = AS_OF - timedelta(days=3)
    judged = [last - timedelta(days=k) for k in range(days - 1, -1, -1)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        _synced_demo(path).close()
        print("\n".join(report(run(path, judged))))


if __name__ == "__main__":
    main()
