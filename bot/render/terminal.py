"""Slack-flavoured text for a terminal: bold and italics through rich, emoji codes as symbols."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape

EMOJI = {":large_green_circle:": "🟢", ":red_circle:": "🔴", ":white_circle:": "⚪",
         ":large_orange_circle:": "🟠", ":warning:": "⚠️", ":white_check_mark:": "✅", ":pencil2:": "✏️",
         ":bar_chart:": "📊", ":information_source:": "ℹ️"}
BOLD = re.compile(r"\*([^*\n]+)\*")
ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
CODE = re.compile(r"`([^`\n]+)`")


def to_rich(text: str) -> str:
    text = escape(text)
    for code, symbol in EMOJI.items():
        text = text.replace(code, symbol)
    text = BOLD.sub(r"[bold]\1[/bold]", text)
    text = ITALIC.sub(r"[italic]\1[/italic]", text)
    return CODE.sub(r"[cyan]\1[/cyan]", text)


def print_slack_text(console: Console, text: str) -> None:
    """Slack's mrkdwn on a terminal: code fences dropped (their lines printed as they are), lines never
    wrapped by rich (the terminal wraps, and piped output stays one line per line)."""
    code = False
    for line in text.splitlines():
        if line.strip() == "```":
            code = not code
            continue
        console.print(escape(line) if code else to_rich(line), highlight=False, soft_wrap=True)
