"""`kpibot alerts`: evaluate targets and anomalies now; --post opens and resolves alert episodes."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpi.settings import StoreSettings
    from schedules.findings import Finding


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="the store (default: every store)")
    parser.add_argument("--post", action="store_true",
                        help="post new alerts and mark ended ones resolved in the alert channel")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")


def run(args: argparse.Namespace) -> int:
    import json

    from bot.cli.context import as_of_for, load_settings, open_warehouse, selected_stores
    from bot.render.alerts import findings_text
    from bot.render.json import findings_json
    from schedules.findings import find_all

    settings = load_settings(args)
    db = open_warehouse(settings, writing=args.post)
    for store in selected_stores(settings, args.store):
        findings = find_all(db, store, as_of_for(args, store))
        if args.post:
            print(post_alerts(settings, db, store, findings))
        elif args.json:
            print(json.dumps(findings_json(store.name, findings), ensure_ascii=False))
        else:
            print(findings_text(store, findings))
    return 0


def post_alerts(settings: Any, db: Any, store: StoreSettings, findings: Sequence[Finding]) -> str:
    """Open and resolve episodes, then post each new or ended one once (and any that never went out)."""
    import os
    from datetime import UTC, datetime

    from bot.cli.composition import command_outbox
    from schedules.episodes import reconcile, unposted_episodes

    result = reconcile(db, store, findings, datetime.now(UTC))
    outbox = command_outbox(settings, os.environ)
    outcomes = [outbox.alert(store, episode_id) for episode_id in unposted_episodes(db, store.name)]
    outcomes += [outbox.resolved(store, episode_id) for episode_id in result["resolved"]]
    failed = [o.error for o in outcomes if o is not None and o.status in ("failed", "gave_up")]
    summary = (f"{store.name}: {len(result['opened'])} new, {len(result['refreshed'])} still open, "
               f"{len(result['resolved'])} resolved")
    if failed:
        summary += f"; {len(failed)} message(s) not posted yet ({failed[0]}): `kpibot serve` retries them"
    return summary
