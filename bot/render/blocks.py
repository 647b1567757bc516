"""Answers as Block Kit (pure functions returning dicts), with a text fallback.

Text stays primary: every message reads fully without its blocks or chart. Limits: a
section's text under 3,000 characters, a message under 50 blocks.
"""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import format_period, label
from bot.render.answer_text import breakdown_table, target_line
from bot.render.formatting import format_change, format_value, mood_emoji
from kpi.answer import Answer
from kpi.catalogue import BY_NAME

SECTION_LIMIT = 2900
MESSAGE_BLOCKS = 50
BUTTONS = {"it": {"channel": "Per canale", "device": "Per dispositivo", "ly": "vs anno scorso"},
           "en": {"channel": "By channel", "device": "By device", "ly": "vs last year"}}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def button(text: str, action_id: str, value: dict[str, Any] | None = None, url: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id}
    if value is not None:
        element["value"] = json.dumps(value, separators=(",", ":"))[:2000]
    if url:
        element["url"] = url
    return element


def answer_blocks(answer: Answer, language: str, query_text: str) -> tuple[list[dict[str, Any]], str]:
    """Blocks and the plain-text fallback for one answer."""
    metric = BY_NAME[answer.metric]
    value = format_value(answer.value, answer.unit, answer.currency, language)
    headline = f"*{label(metric, language)}* · {format_period(answer.period, language)}\n*{value}*"
    lines = [headline]
    if answer.compare is not None:
        before = format_value(answer.compare.value, answer.unit, answer.currency, language)
        lines.append(f"{mood_emoji(answer.compare.change, metric.direction)} "
                     f"{format_change(answer.compare.change, language)} vs {before} "
                     f"({format_period(answer.compare.period, language)})")
    if answer.target is not None:
        lines.append(target_line(answer.target, answer.unit, answer.currency, language))
    blocks = [section("\n".join(lines))]
    if answer.breakdown:
        table = "\n".join(breakdown_table(answer.breakdown[:25], answer.unit, answer.currency, language))
        blocks.append(section(f"```{table}```"))
    if answer.caveats:
        blocks.append(context(" · ".join(c.text(language) for c in answer.caveats)))
    blocks.append(answer_buttons(answer, language, query_text))
    return blocks[:MESSAGE_BLOCKS], "\n".join(lines)


def answer_buttons(answer: Answer, language: str, query_text: str) -> dict[str, Any]:
    labels = BUTTONS.get(language, BUTTONS["en"])
    base = {"store": answer.store, "q": query_text, "as_of": None}
    return {"type": "actions", "elements": [
        button(labels["channel"], "kpi_by_channel", base),
        button(labels["device"], "kpi_by_device", base),
        button(labels["ly"], "kpi_vs_ly", base),
    ]}


def text_blocks(text: str) -> list[dict[str, Any]]:
    """Long plain replies (help, list) split into sections that respect Slack's limits."""
    blocks: list[dict[str, Any]] = []
    chunk = ""
    for line in text.splitlines():
        if len(chunk) + len(line) + 1 > SECTION_LIMIT:
            blocks.append(section(chunk))
            chunk = ""
        chunk += line + "\n"
    if chunk.strip():
        blocks.append(section(chunk))
    return blocks[:MESSAGE_BLOCKS]
