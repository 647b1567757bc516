"""`kpibot ask "TEXT"`: exactly what `/kpi TEXT` answers, as text or SPEC §6 JSON."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", metavar="TEXT", help='a query such as "aov last-30d vs ly by channel", or "help"')
    parser.add_argument("--store", help="the store to ask about (default: the only store, or store: in TEXT)")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON (SPEC §6)")


def run(args: argparse.Namespace) -> int:
    import json

    from bot.cli.context import as_of_for, load_settings, open_warehouse, single_store
    from bot.render.answers import answer_lines
    from bot.render.json import answer_json
    from bot.replies import command_text
    from kpi.query.parser import Command, parse
    from kpi.service import answer
    from schedules.targets import effective_store

    query = parse(args.text)
    settings = load_settings(args)
    store = single_store(settings, args.store or query.store)
    as_of = as_of_for(args, store)
    db = open_warehouse(settings)
    if isinstance(query, Command):
        print(command_text(db, store, query, as_of))
        return 0
    result = answer(db, effective_store(db, store), query, as_of)
    if args.json:
        print(json.dumps(answer_json(result), ensure_ascii=False))
    else:
        print("\n".join(answer_lines(result, store.language)))
    return 0
