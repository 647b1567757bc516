"""Slack over HTTP: a Starlette app served by uvicorn (POST /slack/events, GET /healthz)."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def http_app(bolt: App, started: threading.Event | None = None) -> Starlette:
    async def events(request: Request) -> Response:
        body = await request.body()
        # Bolt's dispatch blocks until the listener acks; run it off the event loop so one
        # slow request never delays another's acknowledgement.
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if started is not None:
            started.set()
        yield

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])], lifespan=lifespan)


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections queue from now on, even before uvicorn starts accepting
    return sock


def serve_forever(bolt: App, host: str, port: int) -> None:
    config = uvicorn.Config(http_app(bolt), host=host, port=port, log_level="warning", access_log=False)
    uvicorn.Server(config).run()


@contextmanager
def serve_in_thread(bolt: App, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a background thread (tests, benchmarks); yields the base URL."""
    sock = bind(host, port)
    started = threading.Event()
    server = uvicorn.Server(uvicorn.Config(http_app(bolt, started), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    if not started.wait(timeout=20):
        raise RuntimeError("the Slack HTTP server did not start within 20 s")
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
