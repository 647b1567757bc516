"""Slack over HTTP: a Starlette app served by uvicorn (POST /slack/events, GET /healthz).

Requests are sized and signature-checked here (``bot.slack.guard``) before Bolt sees them;
Bolt then acks in the request's thread and leaves the work to a pool (``bot.slack.work``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import parse_qsl

import uvicorn
from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.request.internals import build_context
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.slack.guard import MAX_BODY, Refused, check_declared_length, log_refused, read_capped, verify_signature
from bot.slack.work import IN_FLIGHT

BACKLOG = 2048  # uvicorn's own default: a burst of Slack requests must not overflow the accept queue


def signing_secret_of(bolt: App) -> str:
    """The secret the Bolt app was built with: the HTTP layer verifies with the same one."""
    return str(getattr(bolt, "_signing_secret", "") or "")


def knows_its_bot(bolt: App) -> bool:
    """Whether Bolt holds the bot's identity, so that a dispatch makes no network call.

    Bolt calls ``auth.test`` on its first request and keeps the answer. Until it has one, a
    dispatch may wait on Slack and runs in a thread; afterwards it runs on the event loop,
    where a burst of acks does not pay two thread switches each. If Bolt's internals ever
    change, this says False and every dispatch takes the thread: slower, never blocking.
    """
    return any(getattr(m, "auth_test_result", None) for m in getattr(bolt, "_middleware_list", ()))


def http_app(bolt: App, started: threading.Event | None = None, signing_secret: str | None = None,
             max_body: int = MAX_BODY, clock: Callable[[], float] = time.time) -> Starlette:
    secret = signing_secret if signing_secret is not None else signing_secret_of(bolt)
    if not secret:
        raise ValueError("the Slack HTTP endpoint needs the signing secret (SLACK_SIGNING_SECRET)")

    async def events(request: Request) -> Response:
        with IN_FLIGHT.acking_request():
            return await checked_and_dispatched(request)

    async def checked_and_dispatched(request: Request) -> Response:
        try:
            check_declared_length(request.headers, max_body)
            body = await read_capped(request.stream(), max_body)
            verify_signature(secret, request.headers, body, clock())
            text = body.decode("utf-8")
        except Refused as refused:
            log_refused(refused, request.client.host if request.client else "-", request.headers.get("user-agent"))
            return JSONResponse({"error": "invalid request"}, status_code=refused.status)
        except UnicodeDecodeError:
            return JSONResponse({"error": "invalid request"}, status_code=400)
        bolt_request = bolt_request_of(text, request.url.query, {**request.headers})
        if knows_its_bot(bolt):  # dispatch only acks and queues the work (bot.slack.work): well under 1 ms
            return to_starlette_response(bolt.dispatch(bolt_request))
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, bolt_request))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if started is not None:
            started.set()
        yield

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])], lifespan=lifespan)


def bolt_request_of(text: str, query: str, headers: dict[str, str | Sequence[str]]) -> BoltRequest:
    """Bolt's request for a verified body. Bolt reads any form body that merely contains the word
    "payload" (`/kpi payload`, a channel named payload-team) as an interactive one without its
    payload, and answers 404: such a slash command gets its own form fields back."""
    bolt_request = BoltRequest(body=text, query=query, headers=headers)
    if "payload" in text and not text.startswith("{"):
        form = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" not in form:
            bolt_request.body = form
            bolt_request.context = build_context(BoltContext({}), form)
    return bolt_request


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)  # connections queue from now on, even before uvicorn starts accepting
    return sock


def serve_forever(bolt: App, host: str, port: int) -> None:
    config = uvicorn.Config(http_app(bolt), host=host, port=port, log_level="warning", access_log=False)
    uvicorn.Server(config).run()


@contextmanager
def serve_in_thread(bolt: App, host: str = "127.0.0.1", port: int = 0, signing_secret: str | None = None,
                    max_body: int = MAX_BODY) -> Iterator[str]:
    """Serve in a background thread (tests, benchmarks); yields the base URL."""
    sock = bind(host, port)
    started = threading.Event()
    app = http_app(bolt, started, signing_secret=signing_secret, max_body=max_body)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
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
