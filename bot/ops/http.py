"""`GET /metrics` (Prometheus text format) and `GET /healthz`, over HTTP in both Slack modes.

Over HTTP they sit beside `POST /slack/events`; in Socket Mode, where nothing else listens, a
small server of their own answers on ``--port`` (``serve_ops_in_thread``). `/healthz` answers
503 when the database cannot be read (a fresh connection each time, see
``connectors.ops.probes``) or when the scheduler has not renewed its leases for
three heartbeats (``Timing.stale``: 45 s, its heartbeat running every 15 s, unless
``[kpibot] takeover_seconds`` says otherwise), so an orchestrator restarts a process that can no
longer do its scheduled work.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uvicorn
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from schedules.leasing import DEFAULT_TIMING, Timing


@dataclass
class Health:
    database: Callable[[], str | None]  # the problem reading the warehouse, or None
    heartbeat: Callable[[], datetime | None] | None  # the scheduler's last heartbeat; None: no scheduler here
    clock: Callable[[], datetime]
    holder: str = ""
    timing: Timing = DEFAULT_TIMING  # the scheduler's heartbeat interval, and when it is stale

    def report(self) -> tuple[bool, dict[str, Any]]:
        problem = self.database()
        database = {"ok": problem is None, **({"problem": problem} if problem else {})}
        scheduler = self._scheduler()
        healthy = database["ok"] and scheduler["ok"]
        return bool(healthy), {"ok": healthy, "holder": self.holder, "database": database, "scheduler": scheduler}

    def _scheduler(self) -> dict[str, Any]:
        if self.heartbeat is None:
            return {"ok": True, "running": False}
        beat = self.heartbeat()
        if beat is None:
            return {"ok": False, "running": True, "problem": "the scheduler has not renewed its leases yet"}
        age = (self.clock() - beat).total_seconds()
        fresh = age <= self.timing.stale.total_seconds()
        said = {} if fresh else {"problem": f"no heartbeat for {age:.0f} s (expected every "
                                            f"{self.timing.heartbeat.total_seconds():g} s)"}
        return {"ok": fresh, "running": True, "last_heartbeat": beat.isoformat(), "seconds_ago": round(age, 1),
                **said}


def ops_routes(health: Health, registry: CollectorRegistry | None = None) -> list[Route]:
    """`/metrics`: the process's own counters, then what ``registry`` reads from the database."""

    async def metrics(request: Request) -> Response:
        body = await run_in_threadpool(exposition, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    async def healthz(request: Request) -> Response:
        healthy, report = await run_in_threadpool(health.report)
        return JSONResponse(report, status_code=200 if healthy else 503)

    return [Route("/metrics", metrics, methods=["GET"]), Route("/healthz", healthz, methods=["GET"])]


def exposition(registry: CollectorRegistry | None) -> bytes:
    shared = generate_latest(REGISTRY)
    return shared + generate_latest(registry) if registry is not None else shared


def no_health(clock: Callable[[], datetime]) -> Health:
    """What `/healthz` says where nothing is wired (tests of the Slack edge alone): always fine."""
    return Health(database=lambda: None, heartbeat=None, clock=clock)


class PortUnavailable(Exception):
    exit_code = 1


def listening(host: str, port: int, backlog: int = 128) -> socket.socket:
    """A socket bound and listening on ``host:port`` (port 0: any free one), or one sentence saying why not."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PortUnavailable(f"cannot listen on {host}:{port} ({error.strerror or error}): choose another --port, "
                              "or stop what listens there") from None
    sock.listen(backlog)
    return sock


@contextmanager
def serve_ops_in_thread(routes: list[Route], host: str, port: int) -> Iterator[int]:
    """/metrics and /healthz on their own port (Socket Mode) while the block runs; yields the port."""
    sock = listening(host, port)
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes), log_level="warning", access_log=False,
                                           log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kpibot-ops-http", daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()

