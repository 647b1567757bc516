"""`kpibot digest`: build the morning digest; print it, or post it with --post."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli import iso_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="the store (default: every store)")
    parser.add_argument("--date", type=iso_date, metavar="DATE",
                        help="build the digest for the day before DATE (default: yesterday in the store's timezone)")
    parser.add_argument("--post", action="store_true", help="post it to the store's digest channel (once per day)")
    parser.add_argument("--json", action="store_true", help="print the digest's figures as JSON")


def run(args: argparse.Namespace) -> int:
    import json

    from rich.console import Console

    from bot.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.digest_text import digest_lines
    from bot.terminal import print_slack_text
    from schedules.digest import build_digest

    settings = load_settings(args)
    db = open_warehouse(settings, writing=args.post)
    for store in selected_stores(settings, args.store):
        as_of = args.date or as_of_for(args, store)
        digest = build_digest(db, store, as_of)
        if args.post:
            print(post_digest(settings, db, digest))
        elif args.json:
            print(json.dumps(digest_json(digest), ensure_ascii=False))
        else:
            print_slack_text(Console(), "\n".join(digest_lines(digest)))
    return 0


def post_digest(settings: Any, db: Any, digest: Any) -> str:
    import os
    import socket
    from datetime import UTC, datetime

    from bot.digest_poster import SlackDigestPoster
    from bot.slack_client import build_slack_client
    from schedules.delivery import deliver_once

    store = digest.store
    if not store.digest_channel:
        return f"{store.name}: no digest_channel is configured; nothing posted"
    poster = SlackDigestPoster(build_slack_client(os.environ))
    key = (store.name, "digest", digest.day.isoformat(), store.digest_channel)
    sent = deliver_once(db, key, f"cli:{socket.gethostname()}:{os.getpid()}", datetime.now(UTC),
                        lambda: poster.post(digest))
    if sent is None:
        return f"{store.name}: the digest for {digest.day} was already posted; not sent again"
    return f"{store.name}: digest for {digest.day} posted to {store.digest_channel}"


def digest_json(digest: Any) -> dict[str, Any]:
    split = digest.split
    return {
        "store": digest.store.name, "date": digest.day.isoformat(), "provisional": digest.provisional,
        "data_through": digest.data_through,
        "revenue_change": {"change": split.change, "contributions": split.contributions,
                           "log_parts": split.log_parts},
        "kpis": [vars(line) for line in digest.kpis],
        "targets": [{"metric": c.metric, "value": c.value, **c.status.to_json()} for c in digest.targets],
        "anomalies": [a.to_json() for a in digest.anomalies],
    }
