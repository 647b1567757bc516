"""Block Kit building blocks (pure functions returning dicts) and Slack's size limits.

Every message reads fully as text too: a renderer builds its lines once and makes both the
text fallback and the blocks from them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

SECTION_LIMIT = 2900  # Slack refuses a section text over 3,000 characters
HEADER_LIMIT = 150
MESSAGE_BLOCKS = 50

Block = dict[str, Any]


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:HEADER_LIMIT]}}


def button(text: str, action_id: str, value: dict[str, Any] | str | None = None, url: str | None = None) -> Block:
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id}
    if isinstance(value, str):
        element["value"] = value
    elif value is not None:
        element["value"] = json.dumps(value, separators=(",", ":"))[:2000]
    if url:
        element["url"] = url
    return element


def actions(elements: Sequence[Block]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def text_blocks(text: str) -> list[Block]:
    """Long plain replies (help, list) split into sections that respect Slack's limits."""
    blocks: list[Block] = []
    chunk = ""
    for line in text.splitlines():
        if len(chunk) + len(line) + 1 > SECTION_LIMIT:
            blocks.append(section(chunk))
            chunk = ""
        chunk += line + "\n"
    if chunk.strip():
        blocks.append(section(chunk))
    return blocks[:MESSAGE_BLOCKS]
