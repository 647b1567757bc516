"""What a log line is about: the store, the job and the request, carried in contextvars.

Set where the work starts (a scheduled job, a Slack request) and read by the log formatter
(``bot.ops.logs``), so every line a job or a request writes says whose it is, whatever module
wrote it. A thread pool does not carry contextvars by itself: ``carried`` wraps the work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import Any

STORE: ContextVar[str | None] = ContextVar("kpibot_store", default=None)
JOB: ContextVar[str | None] = ContextVar("kpibot_job", default=None)
REQUEST: ContextVar[str | None] = ContextVar("kpibot_request", default=None)
FIELDS = {"store": STORE, "job": JOB, "request_id": REQUEST}


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


@contextmanager
def about(**fields: str | None) -> Iterator[None]:
    """Lines logged inside the block carry ``fields`` (store, job, request_id)."""
    tokens = [(FIELDS[name], FIELDS[name].set(value)) for name, value in fields.items()]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def current() -> dict[str, str | None]:
    return {name: variable.get() for name, variable in FIELDS.items()}


def carried(work: Callable[..., Any]) -> Callable[..., Any]:
    """``work`` bound to the caller's context, to run in another thread with the same log fields."""
    context = copy_context()
    return lambda *args, **kwargs: context.run(work, *args, **kwargs)
