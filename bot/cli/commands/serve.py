"""`kpibot serve`: the Slack app and the scheduler in one process."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=3000, help="HTTP port when not in Socket Mode (default: 3000)")
    parser.add_argument("--host", default="0.0.0.0", help="HTTP address to listen on (default: 0.0.0.0)")
    parser.add_argument("--no-scheduler", action="store_true", help="answer Slack only; run no scheduled jobs")


# Acks hop from the event loop to a thread and back; each hop waits for the interpreter lock,
# by default up to 5 ms while another thread computes. 1 ms keeps a burst's acks quick
# (bench_slack: 200 concurrent commands) at a small cost in throughput.
SWITCH_INTERVAL = 0.001


def run(args: argparse.Namespace) -> int:
    import logging
    import os
    import sys

    from bot.cli.composition import build_runtime
    from bot.slack.http import serve_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = build_runtime(args, os.environ)
    sys.setswitchinterval(SWITCH_INTERVAL)
    if not args.no_scheduler:
        runtime.start_scheduler()
    try:
        app_token = os.environ.get("SLACK_APP_TOKEN")
        if app_token:  # the scheduler (started above) runs in its own threads: a lost link never stops it
            from bot.slack.socket_mode import serve_socket_mode

            serve_socket_mode(runtime.app, app_token)
        else:
            logging.getLogger("kpibot").info("Slack: HTTP on %s:%d (POST /slack/events, GET /healthz)",
                                             args.host, args.port)
            serve_forever(runtime.app, args.host, args.port)
    finally:
        runtime.stop()
    return 0
