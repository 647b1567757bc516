"""A child process that runs one scheduler job and dies like kill -9 at a chosen step.

    python -m tests.support.delivery_child --db F --slack URL --now ISO --holder H --job JOB --kill-at STEP

``os._exit`` ends the process on the spot, without ``finally`` blocks, flushes or atexit
handlers, exactly as SIGKILL would. Steps are the delivery's checkpoints ("claimed",
"answered", "marked", "corrected"), "leased" (a digest job holding its lease, before it builds anything)
or "after" (once the job returned).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path

from tests.support.deliveries import STORE, shop_jobs, shop_settings

KILLED = 86  # the exit status that proves the child died at the chosen step


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("--db", "--slack", "--now", "--holder", "--job", "--kill-at"):
        parser.add_argument(name, required=True)
    parser.add_argument("--arg", default="")
    parser.add_argument("--kind", default="", help="die only inside a delivery of this kind")
    parser.add_argument("--nth", type=int, default=1, help="die at the nth time the step is reached")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now)
    seen = {"count": 0}

    def checkpoint(step: str, key: tuple[str, ...] = ()) -> None:
        if step == args.kill_at and (not args.kind or key[1] == args.kind):
            seen["count"] += 1
            if seen["count"] == args.nth:
                os._exit(KILLED)

    settings = shop_settings(args.db if "://" in args.db else Path(args.db))  # a file, or a PostgreSQL URL
    jobs = shop_jobs(settings, args.slack, lambda: now, args.holder, checkpoint)
    store = settings.store(STORE)
    if args.job == "digest":
        jobs.digest(STORE)
    elif args.job == "alert_check":
        jobs.alert_check(STORE)
    elif args.job == "notice":
        jobs.outbox.notice(store, args.arg)
    elif args.job == "recheck":
        jobs.recheck_provisional()
    elif args.job == "heartbeat":
        jobs.heartbeat()
    elif args.job == "reports":
        jobs.scheduled_reports()
    elif args.job == "manual_digest":  # what `kpibot digest --post` does, on this clock
        jobs.outbox.digest(store, date.fromisoformat(args.arg), deadline=None, manual=True)
    checkpoint("after")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
