"""Log lines for people (``text``) or for log shippers (``json``: one object per line), secrets never.

Every line says what it is about: the store, the job and the request id, read from the context
the work runs in (``connectors.ops.context``), null when it is about none. A filter on the one
handler masks what a secret could hide in, whatever module logged it: the values of the
environment's secret variables, URL passwords and secret query values, and any word shaped like
a token or key (``connectors.redact``), in the message and in a traceback alike.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TextIO

from connectors.ops.context import current
from connectors.redact import redact_text

FORMATS = ("text", "json")
SECRET_NAMES = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|DATABASE_URL", re.IGNORECASE)
QUIET = {"apscheduler": logging.WARNING, "uvicorn.access": logging.WARNING}  # a line per trigger is noise


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """The values of variables named like a secret (SLACK_BOT_TOKEN, SHOPIFY_TOKEN_X, ...), longest first."""
    return sorted({value for name, value in environ.items() if SECRET_NAMES.search(name) and len(value) >= 8},
                  key=len, reverse=True)


class Redacting(logging.Filter):
    """Rewrites each record's message (and traceback) with every secret masked."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        super().__init__()
        self.known = list(known)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), self.known)
        record.args = None
        if record.exc_info:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info), self.known)
            record.exc_info = None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, store, job, request_id (and error)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            **current(),
        }
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


class ContextText(logging.Formatter):
    """The text format, with the store, job and request id that are set appended as ``key=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        about = " ".join(f"{name}={value}" for name, value in current().items() if value)
        text = super().format(record)
        return f"{text} [{about}]" if about else text


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is written (a test may have swapped it since)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(log_format: str, level: int, environ: Mapping[str, str]) -> None:
    """kpibot's one handler on the root logger (replacing the one set before), in ``log_format``, with the
    secrets of ``environ`` masked. Other handlers (a test's capture) are left alone."""
    handler = StderrHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else ContextText())
    handler.addFilter(Redacting(secret_values(environ)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
