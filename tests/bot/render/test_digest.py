"""The digest reads well as text alone, in Italian and in English."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from datetime import date, timedelta
from functools import cache

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


@pytest.fixture(scope="module")
def digest_of(db):
    """``build_digest`` for a store and day, built once for every test that asks for the same (the renderers
    only read a digest)."""
    return cache(lambda store, as_of, now=None: build_digest(db, store, as_of, now=now))


@cache
def revenue_change() -> float:
    raw = demo_frames()["sessions"]
    by_day = raw.groupby("date")["revenue"].sum()
    return by_day["2026-11-23"] / by_day["2026-11-16"] - 1


NUMBER = r"([+−][\d.,]+)%"
FORMULA = {
    "it": rf"Fatturato {NUMBER} = traffico {NUMBER} × CvR {NUMBER} × AOV {NUMBER} "
          r"\(il traffico spiega il (−?\d+)%, il CvR il (−?\d+)%, l'AOV il (−?\d+)%\)",
    "en": rf"Revenue {NUMBER} = traffic {NUMBER} × CvR {NUMBER} × AOV {NUMBER} "
          r"\(traffic explains (−?\d+)%, CvR (−?\d+)%, AOV (−?\d+)%\)",
}
FACTOR_LINES = {"it": ("Sessioni", "Tasso di conversione", "Scontrino medio", "vs stesso giorno sett. scorsa"),
                "en": ("Sessions", "Conversion rate", "Average order value", "vs same weekday last week")}


def number(text: str) -> float:
    return float(text.replace("−", "-").replace(".", "").replace(",", ".")) if "," in text or text.count(".") > 1 \
        else float(text.replace("−", "-").replace(",", ""))


@pytest.mark.parametrize("language, title, provisional", [
    ("it", "Riepilogo di demo-shop · 23 nov 2026", "dati di ieri ancora provvisori"),
    ("en", "demo-shop digest · 23 Nov 2026", "yesterday's data is still provisional"),
])
def test_digest_text_in_both_languages(db, language, title, provisional):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language=language, digest_channel="C0X")
    digest = build_digest(db, store, AS_OF)
    lines = digest_lines(digest)
    text = "\n".join(lines)
    assert lines[0] == f"*{title}*" and provisional in lines[1]
    blocks, fallback = digest_message(digest)
    assert fallback == text and len(blocks) < 50
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["kpi_by_channel", "kpi_by_device", "open_dashboard"]


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_formula_line_shows_the_kpi_lines_own_changes(digest_of, language):
    """One number per fact: the formula's factors are the KPI lines' changes, they multiply to revenue's
    change (from the emulator's raw rows), and their shares add up to 100%."""
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language=language)
    text = "\n".join(digest_lines(digest_of(store, AS_OF)))
    match = re.search(FORMULA[language], text)
    assert match, text
    revenue, traffic, cvr, aov = match.groups()[:4]
    *labels, vs_week = FACTOR_LINES[language]
    for factor, name in zip((traffic, cvr, aov), labels, strict=True):
        line = re.search(rf"\*{name}\* .* · {vs_week} [↑↓→] {NUMBER}", text)
        assert line, f"no KPI line for {name} in:\n{text}"
        assert line.group(1) == factor, f"{name}: formula says {factor}%, its KPI line {line.group(1)}%"
    assert math.isclose(number(revenue), round(revenue_change() * 100, 1), abs_tol=0.05)
    product = math.prod(1 + number(f) / 100 for f in (traffic, cvr, aov))
    assert math.isclose(product, 1 + revenue_change(), abs_tol=0.002)  # three factors shown to 0.1%
    assert sum(int(share.replace("−", "-")) for share in match.groups()[4:]) == 100


def test_the_channels_behind_the_change_add_up_to_it(digest_of):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="en")
    digest = digest_of(store, AS_OF)
    assert math.isclose(sum(row.contribution for row in digest.channels), revenue_change(), rel_tol=1e-9)
    line = next(line for line in digest_lines(digest) if line.startswith("Channels behind the change"))
    change = f"{revenue_change() * 100:+.1f}%".replace("-", "−")
    assert line.startswith(f"Channels behind the change (points of the {change}): {digest.channels[0].key} ")
    points = [float(p.replace("−", "-")) for p in re.findall(r" ([+−][\d.]+)(?:,|$)", line)]
    expected = [round(row.contribution * 100, 1) for row in digest.channels[:3]]
    assert points == expected


@pytest.mark.parametrize("posted_on, header", [
    ("2026-11-10", "_dati definitivi · dati fino al 2026-11-09_"),  # 15 days ago: final now
    ("2026-11-23", "_i dati del 22 nov 2026 sono ancora provvisori in GA4 · dati fino al 2026-11-22_"),
    ("2026-11-24", "_dati di ieri ancora provvisori in GA4 · dati fino al 2026-11-23_"),
])
def test_a_back_dated_digest_describes_its_own_days_freshness(digest_of, posted_on, header):
    """`digest --date D` built on AS_OF: provisional means still being processed as of AS_OF, and the data
    reaches as far as it did on the digest's day, not as far as it does today."""
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="it")
    digest = digest_of(store, date.fromisoformat(posted_on), now=AS_OF)
    day = date.fromisoformat(posted_on) - timedelta(days=1)
    assert digest.provisional == ((AS_OF - day).days <= 2)
    assert digest.data_through == max(d for d in demo_frames()["sessions"]["date"] if d <= day.isoformat())
    assert digest_lines(digest)[1] == header


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
