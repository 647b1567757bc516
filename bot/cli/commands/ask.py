"""`kpibot ask "TEXT"`: exactly what `/kpi TEXT` answers, as text or SPEC §6 JSON.

The text is the Slack reply's own text (``bot.replies.reply``), printed for a terminal: emoji
as emoji, bold as bold. A trailing ``public`` is accepted as in Slack (there is no channel to
post in, so the answer is just printed).
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", metavar="TEXT", help='a query such as "aov last-30d vs ly by channel", or "help"')
    parser.add_argument("--store", help="the store to ask about (default: the only store, or store: in TEXT)")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON (SPEC §6)")


def run(args: argparse.Namespace) -> int:
    import json

    from rich.console import Console

    from bot.cli.context import as_of_for, load_settings, open_warehouse, single_store
    from bot.render.json import answer_json
    from bot.render.terminal import print_slack_text
    from bot.replies import reply, split_public
    from kpi.query.parser import parse

    text, _public = split_public(args.text)
    query = parse(text)
    settings = load_settings(args)
    store = single_store(settings, args.store or query.store)
    answered = reply(open_warehouse(settings), store, query, text, as_of_for(args, store))
    if args.json and answered.answer is not None:
        print(json.dumps(answer_json(answered.answer), ensure_ascii=False))
    else:
        print_slack_text(Console(), answered.text)
    return 0
