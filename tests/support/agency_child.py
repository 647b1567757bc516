"""A process that runs every store's digest job, as a `kpibot serve` whose triggers just fired.

    python -m tests.support.agency_child --db F --stores N --slack URL --now ISO --holder H
        [--workers W] [--kill-at STEP --kill-store S]

With ``--workers`` the jobs go through a pool of that many workers (as in ``serve``); without,
one after another. ``--kill-at`` ends the process with ``os._exit`` (as SIGKILL would: no
``finally``, no flush) when the digest of ``--kill-store`` reaches that step: "leased" (the
job holds its lease, nothing built yet), "claimed", "answered" (Slack has the message, the
record does not) or "marked" (recorded, the chart not yet in its thread). It prints, as JSON,
the stores whose digest this process posted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from schedules.pool import JobPool
from tests.support.agency import agency_jobs, agency_settings
from tests.support.delivery_child import KILLED


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("--db", "--slack", "--now", "--holder"):
        parser.add_argument(name, required=True)
    parser.add_argument("--stores", type=int, required=True)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--kill-at", default="")
    parser.add_argument("--kill-store", default="")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now)

    def checkpoint(step: str, key: tuple[str, ...]) -> None:
        if step == args.kill_at and key[0] == args.kill_store and key[1] == "digest":
            os._exit(KILLED)

    settings = agency_settings(args.db if "://" in args.db else Path(args.db), args.stores)
    pool = JobPool(args.workers) if args.workers else None
    jobs = agency_jobs(settings, args.slack, lambda: now, args.holder, checkpoint, pool=pool)
    posted: list[str] = []

    def digest(store: str) -> None:
        if jobs.digest(store) is not None:
            posted.append(store)

    for store in settings.stores:
        jobs.submit("digest", digest, store.name)
    if pool is not None:
        assert pool.wait_idle(240)
    print(json.dumps(sorted(posted)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
