"""Charts show what their answer says, in the store's language (read from the SVG's own text)."""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from bot.cli.demo.store import demo_store
from bot.render.charts import answer_chart, digest_chart
from kpi.answer import BarSeries, ChartSeries
from kpi.charts import chart_series
from kpi.query.parser import parse
from kpi.service import answer
from schedules.digest import build_digest
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db

STORE = demo_store()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("charts") / "demo.db", orders=True)


def words(svg: bytes) -> str:
    """Every piece of text in a chart (SVG with its fonts kept as text)."""
    return " | ".join(html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode()))


def series_for(db, text: str, language: str = "it"):
    store = replace(STORE, language=language)
    return chart_series(db, store, answer(db, store, parse(text), AS_OF)), store


def test_a_split_by_channel_draws_one_line_per_channel(db):
    series, store = series_for(db, "revenue last-7d by channel")
    assert isinstance(series, ChartSeries) and series.by == "channel"
    raw = demo_frames()["sessions"]
    week = raw[(raw.date >= "2026-11-17") & (raw.date <= "2026-11-23")]
    daily = week.groupby(["channel", "date"]).revenue.sum()
    assert {key for key, _ in series.lines} == set(week.channel)
    for key, values in series.lines:
        expected = [daily[key].get(day.isoformat(), math.nan) for day in series.days]
        assert all(math.isclose(v, e, rel_tol=1e-9) for v, e in zip(values, expected, strict=True)), key
    text = words(answer_chart(series, store, image_format="svg"))
    assert "Fatturato per canale · 17 nov – 23 nov 2026" in text and "Giorno" in text
    assert all(key in text for key, _ in series.lines)  # each line is named in the legend


@pytest.mark.parametrize("text", ["repurchase_rate ytd", "tasso-riacquisto last-30d", "ltv 2026-01", "customers mtd"])
def test_a_kpi_counted_over_a_period_gets_no_daily_chart(db, text):
    series, _ = series_for(db, text)
    assert series is None  # a daily repurchase rate sits near 0% under a period's 25%: no such chart


def test_an_order_kpi_split_by_segment_is_a_period_bar_chart(db):
    series, store = series_for(db, "tasso-riacquisto ytd by segment")
    assert isinstance(series, BarSeries)
    result = answer(db, store, parse("tasso-riacquisto ytd by segment"), AS_OF)
    assert series.rows == result.breakdown  # the bars are the answer's own numbers
    text = words(answer_chart(series, store, image_format="svg"))
    assert "Tasso di riacquisto per segmento · 1 gen – 23 nov 2026" in text and "Segmento RFM" in text


@pytest.mark.parametrize("language, target, day, title", [
    ("it", "Obiettivo ≥ 60,00\xa0€", "Giorno", "Scontrino medio · 25 ott – 23 nov 2026"),
    ("en", "Target ≥ €60.00", "Day", "Average order value · 25 Oct – 23 Nov 2026"),
])
def test_the_target_is_named_as_the_target_and_axes_are_labelled(db, language, target, day, title):
    series, store = series_for(db, "aov last-30d", language)
    assert series.band == (60.0, None)
    text = words(answer_chart(series, store, image_format="svg"))
    assert target in text and day in text and title in text
    name = "Scontrino medio" if language == "it" else "Average order value"
    assert f" | {name} | " in f" | {text} | "  # the y axis is labelled with the KPI


def test_the_digest_chart_speaks_the_stores_language(db):
    digest = build_digest(db, STORE, AS_OF)
    text = words(digest_chart(digest, image_format="svg"))
    assert "Fatturato, ultimi 30 giorni" in text and "anno scorso" in text and "Giorno" in text
    assert len(digest.chart_revenue) == 30 and pd.notna(digest.chart_revenue[-1])


def test_png_is_still_the_default(db):
    series, store = series_for(db, "aov last-30d")
    assert answer_chart(series, store)[:8] == b"\x89PNG\r\n\x1a\n"
    assert date(2026, 10, 25) == series.days[0]
