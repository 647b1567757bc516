"""Finding secrets pasted into ``kpibot.toml``, to name their key and kind, never their value."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connectors.redact import secret_kind

SECRETS_HINT = ("secrets never go in the file: remove it (and revoke it if the file was shared), then set "
                "SLACK_BOT_TOKEN / SLACK_APP_TOKEN / SLACK_SIGNING_SECRET / GOOGLE_APPLICATION_CREDENTIALS "
                "(or, for a database URL with a password, KPIBOT_DATABASE_URL) in the environment")


def secrets_in(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, kind) for every secret-shaped key or text value, at any depth of the file."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            kind = secret_kind(str(key))
            if kind:  # the key itself is the secret: say where it sits, not what it is
                yield f"a key under {path or 'the top level'}", kind
                continue
            yield from secrets_in(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from secrets_in(item, f"{path}[{index}]")
    elif isinstance(value, str) and (kind := secret_kind(value)):
        yield path, kind


def holds_secret(value: Any) -> bool:
    """Whether a value (or anything inside it) must not be quoted back in a message."""
    return next(secrets_in(value), None) is not None
