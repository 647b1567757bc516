"""`kpibot digest`: build the morning digest; print it, or post it with --post."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.main import iso_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="the store (default: every store)")
    parser.add_argument("--date", type=iso_date, metavar="DATE",
                        help="build the digest for the day before DATE (default: yesterday in the store's timezone)")
    parser.add_argument("--post", action="store_true", help="post it to the store's digest channel (once per day)")
    parser.add_argument("--json", action="store_true", help="print the digest's figures as JSON")
    parser.add_argument("--lang", choices=("it", "en"),
                        help="print it in this language (default: the store's; --post posts in the store's)")


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import replace

    from rich.console import Console

    from bot.cli.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.render.digest import digest_lines
    from bot.render.json import digest_json
    from bot.render.terminal import print_slack_text
    from schedules.digest import build_digest

    settings = load_settings(args)
    db = open_warehouse(settings, writing=args.post)
    for store in selected_stores(settings, args.store):
        if args.lang:
            store = replace(store, language=args.lang)
        today = as_of_for(args, store)
        digest = build_digest(db, store, args.date or today, now=today)
        if args.post:
            print(post_digest(settings, digest))
        elif args.json:
            print(json.dumps(digest_json(digest), ensure_ascii=False))
        else:
            print_slack_text(Console(), "\n".join(digest_lines(digest)))
    return 0


class DigestNotPosted(Exception):
    exit_code = 1


OUTCOMES = {
    "posted": "{store}: digest for {day} posted to {channel} (message ts {ts})",
    "recovered": "{store}: the digest for {day} was already in {channel} (message ts {ts}), posted by a run that was "
                 "interrupted before it could record it; recorded now, not posted again",
    "already": "{store}: the digest for {day} was already posted (message ts {ts}); not sent again",
    "busy": "{store}: the digest for {day} is being posted by another kpibot process right now; if it does not "
            "appear, run this again in 2 minutes",
}


def post_digest(settings: Any, digest: Any) -> str:
    """Post once: recovers a run that died mid-post (looks in Slack first) instead of saying it was posted."""
    import os

    from bot.cli.composition import command_outbox

    store = digest.store
    if not store.digest_channel:
        return f"{store.name}: no digest_channel is configured; nothing posted"
    outcome = command_outbox(settings, os.environ).digest(store, digest.day, deadline=None, manual=True)
    words = OUTCOMES.get(outcome.status)
    if words is None:
        raise DigestNotPosted(f"{store.name}: could not post the digest for {digest.day} ({outcome.error}); "
                              "check that Slack is reachable and the bot is in the channel, then run this again")
    return words.format(store=store.name, day=digest.day, channel=store.digest_channel, ts=outcome.ts)
