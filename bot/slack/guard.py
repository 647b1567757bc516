"""What `POST /slack/events` checks before a request reaches Bolt: its size, then its signature.

Until the signature is verified the request is anybody's, so nothing in it is trusted,
kept or logged: a body over the limit is refused before it is read (its declared length,
then the bytes actually streamed, for chunked bodies), a malformed header is a 401 like
any other bad signature, and a refusal is logged as one short line naming the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import AsyncIterator, Mapping

from bot.slack.access import loggable

log = logging.getLogger("kpibot.http")

MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; 1 MB leaves room and bounds memory per request
MAX_AGE = 5 * 60  # seconds: Slack's replay window
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only (str.isdigit also accepts other scripts' digits)
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
LENGTH = re.compile(r"[0-9]{1,19}")


class Refused(Exception):
    """A request refused before Bolt sees it: ``status`` for the answer, ``reason`` for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_declared_length(headers: Mapping[str, str], limit: int = MAX_BODY) -> None:
    declared = headers.get("content-length")
    if declared is None:
        return
    if not LENGTH.fullmatch(declared):
        raise Refused(400, "malformed Content-Length")
    if int(declared) > limit:
        raise Refused(413, "body over the size limit (declared)")


async def read_capped(chunks: AsyncIterator[bytes], limit: int = MAX_BODY) -> bytes:
    """The body, read until it ends or passes ``limit`` (then refused: chunked bodies declare no length)."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise Refused(413, "body over the size limit (streamed)")
    return bytes(body)


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> None:
    """Slack's v0 signature over ``v0:timestamp:body``, within five minutes of ``now``."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if timestamp is None:
        raise Refused(401, "missing timestamp")
    if not TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "malformed timestamp")
    if abs(now - int(timestamp)) > MAX_AGE:
        raise Refused(401, "timestamp outside the 5-minute window")
    if signature is None:
        raise Refused(401, "missing signature")
    if not SIGNATURE.fullmatch(signature):
        raise Refused(401, "malformed signature")
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(f"v0={digest}", signature):
        raise Refused(401, "signature mismatch")


def log_refused(refused: Refused, client: str, user_agent: str | None) -> None:
    """One short line: the reason (ours), the peer address (the socket's), a defanged user agent."""
    log.warning("refused a Slack request: %s (from %s, user agent %s)", refused.reason, loggable(client, 45),
                loggable(user_agent or "-", 60))
