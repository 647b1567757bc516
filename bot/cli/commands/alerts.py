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
        today = as_of_for(args, store)
        findings = find_all(db, store, today)
        if args.post:
            print(post_alerts(settings, db, store, findings, today))
        elif args.json:
            print(json.dumps(findings_json(store.name, findings), ensure_ascii=False))
        else:
            print(findings_text(store, findings))
    return 0


def post_alerts(settings: Any, db: Any, store: StoreSettings, findings: Sequence[Finding], today: Any) -> str:
    """Open, extend and resolve incidents and episodes, then post each new, changed or ended one once."""
    import os
    from datetime import UTC, datetime

    from bot.cli.composition import command_outbox
    from schedules.alerting import check_alerts

    check = check_alerts(db, store, today, datetime.now(UTC), command_outbox(settings, os.environ), findings)
    incidents, episodes = check.incidents, check.episodes
    summary = (f"{store.name}: {len(incidents['opened'])} new incident(s), "
               f"{len(incidents['updated']) + len(incidents['refreshed'])} still open, "
               f"{len(incidents['relapsed'])} back, {len(incidents['resolved'])} resolved; "
               f"targets: {len(episodes['opened'])} new, {len(episodes['refreshed'])} still open, "
               f"{len(episodes['resolved'])} resolved")
    if check.failures:
        summary += (f"; {len(check.failures)} message(s) not posted yet ({check.failures[0]}): "
                    "`kpibot serve` retries them")
    return summary
