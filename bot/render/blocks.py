"""Block Kit building blocks (pure functions returning dicts) and Slack's size limits.

Every message reads fully as text too: a renderer builds its lines once and makes both the
text fallback and the blocks from them. Slack refuses a message over 50 blocks or about
12,000 characters of block text, a section over 3,000 characters, a header over 150 and a
button's text over 75: the builders here clip what one block holds, and ``line_sections``
and ``fit`` keep a whole message inside the rest, showing the first rows and "…and N more".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.i18n import t

SECTION_LIMIT = 2900  # Slack refuses a section text over 3,000 characters
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100  # a Home tab (or a modal) holds up to 100 blocks
MESSAGE_CHARS = 11_000  # of block text; Slack refuses about 12,000
FALLBACK_LIMIT = 3_900  # a message's text fallback: Slack advises at most 4,000 characters

Block = dict[str, Any]
More = Callable[[int], str]  # "…and N more" in the message's language


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT)}}


def plain(text: str, limit: int = BUTTON_LIMIT) -> dict[str, str]:
    return {"type": "plain_text", "text": clip(text, limit)}


def button(text: str, action_id: str, value: dict[str, Any] | str | None = None, url: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id}
    if isinstance(value, str):
        element["value"] = value
    elif value is not None:
        element["value"] = json.dumps(value, separators=(",", ":"))[:2000]
    if url:
        element["url"] = url
    return element


def actions(elements: Sequence[Block]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def text_blocks(text: str, more: More | None = None) -> list[Block]:
    """Long plain replies (help, list, alerts) as sections within one message's limits."""
    return line_sections(text.splitlines(), more or _count_only)


def line_sections(lines: Sequence[str], more: More, budget: int = MESSAGE_CHARS,
                  max_blocks: int = MESSAGE_BLOCKS - 1) -> list[Block]:
    """Whole lines packed into sections; what does not fit in ``budget`` characters and
    ``max_blocks`` sections is counted in a last "…and N more" line instead."""
    lines = [clip(line, SECTION_LIMIT - 40) for line in lines]
    chunks: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        room = used + len(line) + 1 <= budget - 80  # room left for the "…and N more" line
        if not room:
            return _sections(chunks) + [section(more(len(lines) - index))]
        if not chunks or len(chunks[-1]) + len(line) + 1 > SECTION_LIMIT - 40:
            if len(chunks) == max_blocks:
                return _sections(chunks) + [section(more(len(lines) - index))]
            chunks.append("")
        chunks[-1] += line + "\n"
        used += len(line) + 1
    return _sections(chunks)


def _sections(chunks: Iterable[str]) -> list[Block]:
    return [section(chunk.rstrip("\n")) for chunk in chunks if chunk.strip()]


def _count_only(n: int) -> str:
    return f"… (+{n})"


def more(language: str) -> More:
    """"…and N more" in ``language``."""
    return lambda n: t("more_rows", language, n=n)


def block_text(block: Any) -> int:
    """Characters of text in a block (or any part of one): what Slack counts against a message."""
    if isinstance(block, dict):
        own = len(block["text"]) if isinstance(block.get("text"), str) else 0
        return own + sum(block_text(value) for key, value in block.items() if key != "text" or not own)
    if isinstance(block, list):
        return sum(block_text(item) for item in block)
    return 0


def fit(blocks: Sequence[Block], more: More, max_blocks: int = MESSAGE_BLOCKS,
        budget: int = MESSAGE_CHARS) -> list[Block]:
    """The message's blocks within Slack's limits: content is dropped from the end (its buttons
    stay last) and a "…and N more" line says how many blocks were left out."""
    content = [b for b in blocks if b.get("type") != "actions"]
    buttons = [b for b in blocks if b.get("type") == "actions"][-1:]
    kept = list(content)
    while kept and (len(kept) + len(buttons) + (len(kept) < len(content)) > max_blocks
                    or block_text(kept + buttons) + 80 * (len(kept) < len(content)) > budget):
        kept.pop()
    if len(kept) < len(content):
        kept.append(context(more(len(content) - len(kept))))
    return kept + buttons


def fallback(text: str) -> str:
    """A message's text fallback, clipped to what Slack shows."""
    return clip(text, FALLBACK_LIMIT)
