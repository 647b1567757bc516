"""Incidents through the real Jobs, an injected clock and the fake Slack: one message per incident.

The planted demo shop gives each diagnosis rule the incident it explains; faults planted in
the clean demo shop (``tests/support/incidents.py``) give the resolution, relapse and budget
stories. Every expectation about the data (which KPIs moved, how many orders the shop took)
is read independently of the incident code: from the emulator's own rows or from the findings.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.composition import ThreadWarehouse
from bot.i18n import label
from bot.slack.app import build_app
from bot.slack.http import serve_in_thread
from connectors.demo.shop import PLANTED_ANOMALIES
from connectors.incidents_store import incident, incident_episodes, live_incidents
from connectors.orders.importer import import_file
from connectors.warehouse import open_database
from kpi.anomalies.detect import detect
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.settings import Settings
from schedules.findings import find_all, relative_findings
from tests.fakes.slack_api import fake_slack
from tests.support.deliveries import CHANNEL, ROME, STORE, Clock, shop_jobs, shop_settings
from tests.support.ga4 import AS_OF, demo_frames, demo_shop, synced_demo_db
from tests.support.incidents import copy_store, plant, replies, shown
from tests.support.slack import SECRET, event, post_signed, slash_command

OUTAGE = PLANTED_ANOMALIES[0].dates(AS_OF)[0]
DIAGNOSES = {"tracking_outage": "Il tag di acquisto di GA4 probabilmente ha smesso di funzionare",
             "mobile_checkout_bug": "Problema di checkout su mobile",
             "email_campaign": "Una campagna sta funzionando: le sessioni da Email",
             "bot_traffic": "Traffico bot o spam da Referral"}
QUIET = datetime(2026, 10, 6).date()  # a Tuesday of the clean demo shop with ordinary days around it


def world(tmp_path: Path, planted: bool, settings: Settings | None = None):
    synced_demo_db(tmp_path / "kpibot.db", planted=planted).close()
    settings = settings or shop_settings(tmp_path / "kpibot.db")
    slack = fake_slack()
    clock = Clock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
    return settings, slack, clock


@pytest.fixture
def planted_shop(tmp_path):
    settings, slack, clock = world(tmp_path, planted=True)
    with slack as running:
        running.clock = lambda: clock().timestamp()
        yield settings, running, clock, shop_jobs(settings, running.api_url, clock, "one")


@pytest.fixture
def clean_shop(tmp_path):
    settings, slack, clock = world(tmp_path, planted=False)
    with slack as running:
        running.clock = lambda: clock().timestamp()
        yield settings, running, clock, shop_jobs(settings, running.api_url, clock, "one")


def check(jobs, clock, judged, hour: int = 6, store: str = STORE):
    """The hourly alert check that judges ``judged`` (final three days later)."""
    clock.set(judged + timedelta(days=3), hour, 5)
    return jobs.alert_check(store)


def moved(db, store, *days) -> dict:
    """The KPIs the detector or a relative rule flags on each of ``days`` (read without the incident code)."""
    flagged = {day: {f.metric for f in relative_findings(db, store, day)} for day in days}
    as_of = max(days) + timedelta(days=3)
    for anomaly in detect(db, store, as_of, period=Period(min(days), max(days))):
        flagged.setdefault(anomaly.date, set()).add(anomaly.metric)
    return {day: flagged.get(day, set()) for day in days}


# -- one message, the right diagnosis -------------------------------------------------------------------------


def test_a_tracking_outage_arrives_as_one_message_with_the_tag_diagnosis(planted_shop):
    settings, slack, clock, jobs = planted_shop
    store = settings.store(STORE)
    found = find_all(jobs.warehouse(), store, OUTAGE + timedelta(days=3))
    anomalies = {f.metric for f in found if f.kind == "anomaly"}
    assert {"revenue", "orders", "cvr", "checkout_abandonment"} <= anomalies  # four alerts, before incidents
    check(jobs, clock, OUTAGE)
    [message] = shown(slack, CHANNEL)
    assert message["text"].startswith(":red_circle: demo-shop · *" + DIAGNOSES["tracking_outage"])
    for metric in {f.metric for f in found if f.kind in ("anomaly", "relative")}:
        assert f"*{label(BY_NAME[metric], 'it')}*" in message["text"]
    assert [a["action_id"] for a in message["blocks"][-1]["elements"]][0] == "incident_acknowledge"
    check(jobs, clock, OUTAGE, hour=7)  # the next hourly check: nothing new
    assert len(shown(slack, CHANNEL)) == 1 and not slack.of("chat.update")


def shop_orders_csv(path: Path, counts: dict[str, int]) -> Path:
    """A generic order export with ``counts[day]`` paid orders on each day."""
    lines = ["order_id,customer_id,created_at,total,currency,status"]
    for day, count in counts.items():
        lines += [f"{day}-{n},C{n},{day}T{9 + n % 12:02d}:00:00+01:00,80.00,EUR,paid" for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_with_the_shops_own_orders_the_tag_diagnosis_says_how_many_ga4_missed(planted_shop, tmp_path):
    settings, slack, clock, jobs = planted_shop
    taken = demo_shop().orders_taken  # what the shop itself took, from the emulator's model
    days = [d.strftime("%Y%m%d") for d in (OUTAGE - timedelta(days=1), OUTAGE)]
    csv = shop_orders_csv(tmp_path / "orders.csv", {f"{d[:4]}-{d[4:6]}-{d[6:]}": int(taken[d]) for d in days})
    import_file(jobs.warehouse(), csv, STORE, "Europe/Rome", "EUR")
    sessions = demo_frames()["sessions"]
    ga4 = int(sessions[sessions["date"] == OUTAGE.isoformat()]["orders"].sum())
    assert ga4 < 0.1 * taken[days[1]]  # the premise: GA4 saw almost none of them
    check(jobs, clock, OUTAGE)
    [message] = shown(slack, CHANNEL)
    assert f"il negozio ha ricevuto {int(taken[days[1]])} ordini, GA4 ne ha visti {ga4}" in message["text"]


def test_when_the_shop_took_no_orders_either_it_is_not_called_a_tag_problem(planted_shop, tmp_path):
    settings, slack, clock, jobs = planted_shop
    import_file(jobs.warehouse(), shop_orders_csv(tmp_path / "orders.csv", {OUTAGE.isoformat(): 4}), STORE,
                "Europe/Rome", "EUR")
    check(jobs, clock, OUTAGE)
    [message] = shown(slack, CHANNEL)
    assert "tag di acquisto" not in message["text"] and "Giornata insolita per" in message["text"]


@pytest.mark.parametrize("planted", PLANTED_ANOMALIES, ids=lambda p: p.name)
def test_each_planted_incident_is_one_message_with_the_diagnosis_that_explains_it(planted_shop, planted):
    settings, slack, clock, jobs = planted_shop
    days = sorted(planted.dates(AS_OF))
    for day in days:
        check(jobs, clock, day)
    db = jobs.warehouse()
    flagged = [day for day, metrics in moved(db, settings.store(STORE), *days).items() if metrics]
    assert flagged, planted.name  # the detector (or a relative rule) sees it
    [one] = [i for i in live_incidents(db, STORE) if i["opened_on"] <= days[-1].isoformat()
             and i["last_seen_on"] >= days[0].isoformat()]
    assert one["opened_on"] == flagged[0].isoformat() and one["last_seen_on"] == flagged[-1].isoformat()
    [message] = shown(slack, CHANNEL)
    assert DIAGNOSES[planted.name] in message["text"] and message["ts"] == one["ts"]


def test_kpi_alerts_and_app_home_list_the_open_incident_once_with_its_kpis(planted_shop):
    settings, slack, clock, jobs = planted_shop
    check(jobs, clock, OUTAGE)
    db = jobs.warehouse()
    [row] = live_incidents(db, STORE)
    kpis = [label(BY_NAME[e["metric"]], "it") for e in incident_episodes(db, row["id"])]
    slack.join("U1", CHANNEL)
    app = build_app(settings, ThreadWarehouse(settings.database), jobs.digests.client, SECRET,
                    lambda s: clock().astimezone(ROME).date())
    with serve_in_thread(app) as url:
        post_signed(f"{url}/slack/events", slash_command("avvisi", CHANNEL, slack.response_url("alerts")))
        answer = slack.wait_for("respond")[0].params["text"]
        post_signed(f"{url}/slack/events", event({"type": "app_home_opened", "user": "U1", "tab": "home"}),
                    content_type="application/json")
        view = json.dumps(slack.wait_for("views.publish")[0].params["view"], ensure_ascii=False)
    [line] = [line for line in answer.splitlines() if DIAGNOSES["tracking_outage"] in line]
    assert all(kpi in line for kpi in kpis) and "dal " in line  # one line: the diagnosis and every KPI
    assert answer.count(DIAGNOSES["tracking_outage"]) == 1 and view.count(DIAGNOSES["tracking_outage"]) == 1


# -- resolution: two normal days; a relapse edits the same message ------------------------------------------------


def test_a_kpi_hovering_at_its_threshold_keeps_one_incident_until_two_normal_days(clean_shop):
    settings, slack, clock, jobs = clean_shop
    db, store = jobs.warehouse(), settings.store(STORE)
    window = [QUIET + timedelta(days=k) for k in range(-1, 7)]
    assert not any(moved(db, store, *window).values())  # the premise: ordinary days
    plant(db, STORE, QUIET, "outage")
    plant(db, STORE, QUIET + timedelta(days=2), "outage")
    for offset in range(4):
        check(jobs, clock, QUIET + timedelta(days=offset))
        assert [i["state"] for i in live_incidents(db, STORE)] == ["open"], offset  # never closed in between
    assert not [u for u in slack.of("chat.update") if "risolto" in u.params["text"]]
    check(jobs, clock, QUIET + timedelta(days=4))  # the second normal day after the last flagged one
    [message] = shown(slack, CHANNEL)
    assert "risolto" in message["text"] and not live_incidents(db, STORE)
    assert len(replies(slack, CHANNEL, message["ts"])) == 1


def test_the_number_of_normal_days_before_resolving_is_the_stores_own(tmp_path):
    synced_demo_db(tmp_path / "kpibot.db", planted=False).close()
    base = shop_settings(tmp_path / "kpibot.db")
    settings = replace(base, stores=(replace(base.store(STORE), resolve_after_days=3),))
    with fake_slack() as slack:
        clock = Clock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
        slack.clock = lambda: clock().timestamp()
        jobs = shop_jobs(settings, slack.api_url, clock, "one")
        db = jobs.warehouse()
        plant(db, STORE, QUIET, "outage")
        for offset in range(3):  # the outage, then two normal days: not yet
            check(jobs, clock, QUIET + timedelta(days=offset))
        assert [i["state"] for i in live_incidents(db, STORE)] == ["open"]
        check(jobs, clock, QUIET + timedelta(days=3))  # the third normal day
        [message] = shown(slack, CHANNEL)
        assert not live_incidents(db, STORE) and "3 giorni normali di fila" in message["text"]


def test_a_relapse_within_a_week_updates_the_same_message(clean_shop):
    settings, slack, clock, jobs = clean_shop
    db = jobs.warehouse()
    plant(db, STORE, QUIET, "outage")
    plant(db, STORE, QUIET + timedelta(days=5), "outage")
    for offset in range(3):
        check(jobs, clock, QUIET + timedelta(days=offset))
    [first] = shown(slack, CHANNEL)
    assert "risolto" in first["text"]
    for offset in range(3, 6):
        check(jobs, clock, QUIET + timedelta(days=offset))
    posts = [c for c in slack.of("chat.postMessage") if "thread_ts" not in c.params]
    edits = [c for c in slack.of("chat.update") if c.params["ts"] == first["ts"]]
    assert len([p for p in posts if "tag di acquisto" in p.params["text"]]) == 1  # one chat.postMessage...
    assert ["risolto" in e.params["text"] for e in edits] == [True, False]  # ...then chat.update, twice
    assert "ricomparso" in edits[-1].params["text"] and "incident_acknowledge" in str(edits[-1].params["blocks"])
    [again] = shown(slack, CHANNEL)
    assert again["ts"] == first["ts"] and len(replies(slack, CHANNEL, first["ts"])) == 2  # resolved, came back
    [row] = live_incidents(db, STORE)
    assert row["relapses"] == 1 and row["ts"] == first["ts"]


def test_the_same_fault_after_more_than_a_week_is_a_new_message(clean_shop):
    settings, slack, clock, jobs = clean_shop
    db = jobs.warehouse()
    plant(db, STORE, QUIET, "outage")
    plant(db, STORE, QUIET + timedelta(days=10), "outage")  # resolved on day 2: eight days later
    for offset in (0, 1, 2, 10):
        check(jobs, clock, QUIET + timedelta(days=offset))
    assert len(shown(slack, CHANNEL)) == 2
    assert [i["relapses"] for i in live_incidents(db, STORE)] == [0]


# -- the daily budget -------------------------------------------------------------------------------------------


@pytest.fixture
def four_shops(tmp_path):
    """Five copies of the clean demo shop sharing one alert channel, at most one message a day."""
    synced_demo_db(tmp_path / "kpibot.db", planted=False).close()
    db = open_database(tmp_path / "kpibot.db")
    base = shop_settings(tmp_path / "kpibot.db").store(STORE)
    names = ("shop-a", "shop-b", "shop-c", "shop-d", "shop-e")
    for name in names:
        copy_store(db, STORE, name)
    settings = Settings(database=tmp_path / "kpibot.db",
                        stores=tuple(replace(base, name=name, max_alerts_per_day=1) for name in names))
    with fake_slack() as slack:
        clock = Clock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
        slack.clock = lambda: clock().timestamp()
        yield settings, slack, clock, shop_jobs(settings, slack.api_url, clock, "one"), db


def test_beyond_the_daily_budget_incidents_share_one_summary_and_criticals_always_pass(four_shops):
    settings, slack, clock, jobs, db = four_shops
    faults = {"shop-a": "outage", "shop-b": "outage", "shop-c": "mobile_checkout", "shop-d": "mobile_checkout",
              "shop-e": "mobile_checkout"}
    for name, fault in faults.items():
        plant(db, name, QUIET, fault)
    for name in ("shop-a", "shop-b", "shop-c", "shop-d"):
        check(jobs, clock, QUIET, store=name)
    severities = {name: [i["severity"] for i in live_incidents(db, name)] for name in faults if name != "shop-e"}
    assert severities == {"shop-a": ["critical"], "shop-b": ["critical"], "shop-c": ["warning"],
                          "shop-d": ["warning"]}  # the premise: two critical, two warnings
    posted = shown(slack, CHANNEL)  # the limit is 1, and shop-b still passes: it is critical
    assert [m["text"].split(" · ")[0] for m in posted] == [":red_circle: shop-a", ":red_circle: shop-b"]
    [summary] = shown(slack, CHANNEL, "incident_summary")
    assert "Altri 2 incidenti" in summary["text"] and "limite di 1" in summary["text"]
    assert "shop-c · Problema di checkout su mobile" in summary["text"] and "shop-d · Problema" in summary["text"]

    for name in ("shop-a", "shop-c"):  # the next hourly checks change nothing
        check(jobs, clock, QUIET, hour=7, store=name)
    assert len(shown(slack, CHANNEL)) == 2 and len(shown(slack, CHANNEL, "incident_summary")) == 1

    check(jobs, clock, QUIET, hour=9, store="shop-e")  # one more warning later that day joins the summary
    [summary] = shown(slack, CHANNEL, "incident_summary")
    assert "Altri 3 incidenti" in summary["text"] and "shop-e · Problema" in summary["text"]
    assert len(shown(slack, CHANNEL)) == 2
    assert all(incident(db, i["id"])["ts"] is None for i in live_incidents(db, "shop-e"))
