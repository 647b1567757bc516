"""The digest reads well as text alone, in Italian and in English."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.render.anomalies import anomaly_line
from bot.render.digest import digest_lines, digest_message
from kpi.anomalies.detect import Anomaly
from kpi.settings import StoreSettings
from schedules.digest import build_digest
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("digest") / "demo.db")


def revenue_change() -> float:
    raw = demo_frames()["sessions"]
    by_day = raw.groupby("date")["revenue"].sum()
    return by_day["2026-11-23"] / by_day["2026-11-16"] - 1


@pytest.mark.parametrize("language, title, formula, provisional", [
    ("it", "Riepilogo di demo-shop · 23 nov 2026", r"Fatturato ([+−][\d,]+)%: traffico ([+−][\d,]+)%, "
                                                   r"CvR ([+−][\d,]+)%, AOV ([+−][\d,]+)%",
     "dati di ieri ancora provvisori"),
    ("en", "demo-shop digest · 23 Nov 2026", r"Revenue ([+−][\d.]+)%: traffic ([+−][\d.]+)%, "
                                              r"CvR ([+−][\d.]+)%, AOV ([+−][\d.]+)%",
     "yesterday's data is still provisional"),
])
def test_digest_text_in_both_languages(db, language, title, formula, provisional):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language=language, digest_channel="C0X")
    lines = digest_lines(build_digest(db, store, AS_OF))
    text = "\n".join(lines)
    assert lines[0] == f"*{title}*" and provisional in lines[1]
    match = re.search(formula, text)
    assert match, text
    numbers = [float(part.replace("−", "-").replace(",", ".")) for part in match.groups()]
    assert math.isclose(numbers[0], round(revenue_change() * 100, 1), abs_tol=0.05)
    assert math.isclose(sum(numbers[1:]), numbers[0], abs_tol=0.15)  # the parts add up, up to display rounding
    blocks, fallback = digest_message(build_digest(db, store, AS_OF))
    assert fallback == text and len(blocks) < 50
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["kpi_by_channel", "kpi_by_device", "open_dashboard"]


def test_the_channels_behind_the_change_add_up_to_it(db):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="en")
    digest = build_digest(db, store, AS_OF)
    assert math.isclose(sum(row.contribution for row in digest.channels), revenue_change(), rel_tol=1e-9)
    assert "Channels behind the change: " + digest.channels[0].key in "\n".join(digest_lines(digest))


IMMACOLATA = date(2025, 12, 8)  # a Monday, in the demo's history


@pytest.mark.parametrize("language, name", [("it", "Immacolata Concezione"), ("en", "Immaculate Conception")])
def test_the_digest_names_the_holiday_that_explains_the_day(db, language, name):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language=language, country="IT")
    digest = build_digest(db, store, IMMACOLATA + timedelta(days=1))
    text = "\n".join(digest_lines(digest))
    assert digest.event == name and f":date: {name}:" in text
    blocks, _ = digest_message(digest)
    assert name in json.dumps(blocks, ensure_ascii=False)  # in the message itself, not only its text fallback
    week_later = "\n".join(digest_lines(build_digest(db, store, IMMACOLATA + timedelta(days=8))))
    assert name in week_later and f":date: {name}:" not in week_later  # now it only spoils the comparison
    ordinary = build_digest(db, store, IMMACOLATA + timedelta(days=3))
    assert ordinary.event is None and ":date:" not in "\n".join(digest_lines(ordinary))


def test_without_a_country_no_holiday_is_named(db):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="it")
    digest = build_digest(db, store, IMMACOLATA + timedelta(days=1))
    assert digest.event is None and "Immacolata" not in "\n".join(digest_lines(digest))


def test_an_anomaly_on_a_holiday_names_it():
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="it")
    anomaly = Anomaly(IMMACOLATA, "revenue", 4000.0, 9000.0, 7000.0, 11000.0, "warning", "Email", -5.0,
                      "Immacolata Concezione")
    assert anomaly_line(anomaly, store).endswith("· soprattutto Email · :date: Immacolata Concezione")
    assert "Immacolata" not in anomaly_line(replace(anomaly, event=None), store)
