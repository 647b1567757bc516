"""Renderers are pure functions: tested on their output."""

from __future__ import annotations

import struct
from datetime import date

from bot.render.answers import answer_message
from bot.render.blocks import (
    MESSAGE_BLOCKS,
    SECTION_LIMIT,
    actions,
    block_text,
    button,
    fit,
    more,
    section,
    text_blocks,
)
from bot.render.charts import kpi_chart
from bot.render.formatting import format_change, format_value, mood_emoji
from kpi.answer import Answer, BreakdownRow, Comparison, Period, TargetStatus

PERIOD = Period(date(2026, 10, 25), date(2026, 11, 23))


def answer(metric="aov", value=1234.56, compare=1000.0, rows=None) -> Answer:
    unit = {"aov": "currency", "cvr": "ratio", "bounce_rate": "ratio"}[metric]
    change = (value - compare) / compare
    return Answer("demo-shop", metric, PERIOD, value, unit, "EUR",
                  Comparison(Period(date(2026, 9, 25), date(2026, 10, 24)), compare, change),
                  tuple(rows) if rows else None, TargetStatus(60.0, None, "ok"))


def test_locale_number_formats():
    assert format_value(1234.56, "currency", "EUR", "it") == "1.234,56\xa0€"
    assert format_value(1234.56, "currency", "EUR", "en") == "€1,234.56"
    assert format_value(0.0213, "ratio", "EUR", "it") == "2,13%"
    assert format_value(0.0213, "ratio", "EUR", "en") == "2.13%"
    assert format_change(-0.124, "it") == "−12,4%" and format_change(None, "en") == "n/a"


def test_italian_answer_blocks_use_italian_labels_and_formats():
    blocks, text = answer_message(answer(), "it", "aov last-30d")
    assert text.startswith("*Scontrino medio*") and "1.234,56\xa0€" in text and "+23,5%" in text
    assert blocks[-1]["type"] == "actions"
    labels = [e["text"]["text"] for e in blocks[-1]["elements"]]
    assert labels == ["Per canale", "Per dispositivo", "vs anno scorso"]


def test_colour_follows_the_kpis_good_direction():
    up_good, _ = answer_message(answer("cvr", 0.03, 0.02), "en", "cvr")
    up_bad, _ = answer_message(answer("bounce_rate", 0.6, 0.4), "en", "bounce_rate")
    assert ":large_green_circle:" in up_good[0]["text"]["text"]
    assert ":red_circle:" in up_bad[0]["text"]["text"]
    assert mood_emoji(-0.2, "down") == ":large_green_circle:"


def test_breakdowns_are_aligned_text_tables():
    rows = [BreakdownRow("Organic Search", 15460.92), BreakdownRow("Email", 7082.1), BreakdownRow("SMS", 12.0)]
    blocks, _ = answer_message(answer(rows=rows), "it", "aov")
    table = blocks[1]["text"]["text"].strip("`").splitlines()
    assert len({len(line) for line in table}) == 1  # every row as wide: aligned columns
    assert all(len(line) < 45 for line in table)  # narrow enough for a phone


def test_limits_hold_for_huge_replies():
    lines = [f"{i:04d} " + "x" * 195 for i in range(2000)]
    blocks = text_blocks("\n".join(lines), more("it"))
    assert len(blocks) <= MESSAGE_BLOCKS and block_text(blocks) <= 12_000
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks)
    shown = [line for b in blocks[:-1] for line in b["text"]["text"].splitlines()]
    assert shown == lines[:len(shown)]  # whole lines, in order, none cut
    assert blocks[-1]["text"]["text"] == f"…e altri {len(lines) - len(shown)}"


def test_fit_drops_content_from_the_end_keeps_the_buttons_and_counts_what_it_dropped():
    content = [section(f"{i} " + "y" * 2000) for i in range(60)]
    buttons = actions([button("Ok", "ok", "1")])
    fitted = fit([*content, buttons], more("en"))
    assert len(fitted) <= MESSAGE_BLOCKS and block_text(fitted) <= 12_000 and fitted[-1] == buttons
    kept = len(fitted) - 2
    assert fitted[:kept] == content[:kept] and fitted[-2]["elements"][0]["text"] == f"…and {60 - kept} more"
    rows = [BreakdownRow(f"campaign-{i:03d}-with-a-very-long-name", float(i)) for i in range(400)]
    blocks, _ = answer_message(answer(rows=rows), "en", "aov")
    assert len(blocks) <= MESSAGE_BLOCKS and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)


def test_chart_is_a_png_with_the_requested_size():
    days = [date(2026, 11, d) for d in range(1, 31)]
    png = kpi_chart("Fatturato", days, [float(d) for d in range(30)], [float(30 - d) for d in range(30)], "ly",
                    band=(5.0, 20.0), marked=[days[3]], unit="currency", language="it")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (880, 352)
