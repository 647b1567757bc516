"""`kpibot serve`: the Slack app and the scheduler in one process, with /metrics and /healthz.

SIGTERM (or SIGINT) stops it within 10 s: the Slack side stops taking requests, the job pool
takes no new job and gives the jobs in hand a few seconds, then every lease is handed back.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=3000,
                        help="HTTP port: Slack's requests (unless in Socket Mode), /metrics and /healthz "
                        "(default: 3000)")
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
    import threading

    from bot.cli.composition import build_runtime
    from bot.ops.http import serve_ops_in_thread
    from bot.slack.http import serve_forever
    from bot.slack.socket_mode import serve_socket_mode, stopped_by_signals

    log = logging.getLogger("kpibot")
    runtime = build_runtime(args, os.environ)
    sys.setswitchinterval(SWITCH_INTERVAL)
    stop = threading.Event()
    # Ours from here on: uvicorn takes the signals while it runs, and passes them on to this handler
    # once it has stopped, so the process reaches runtime.stop() instead of dying on the spot.
    with stopped_by_signals(stop):
        if not args.no_scheduler:
            runtime.start_scheduler()
        try:
            app_token = os.environ.get("SLACK_APP_TOKEN")
            if app_token:  # the scheduler (started above) runs in its own threads: a lost link never stops it
                log.info("/metrics and /healthz on %s:%d", args.host, args.port)
                with serve_ops_in_thread(runtime.ops, args.host, args.port):
                    serve_socket_mode(runtime.app, app_token, stop)
            else:
                log.info("Slack: HTTP on %s:%d (POST /slack/events, GET /metrics, GET /healthz)", args.host,
                         args.port)
                if not stop.is_set():  # a SIGTERM during start-up: stop without serving
                    serve_forever(runtime.app, args.host, args.port, runtime.ops, stop)
        finally:
            log.info("stopping: finishing the jobs in hand, then handing back every lease")
            runtime.stop()
    log.info("stopped")
    return 0
