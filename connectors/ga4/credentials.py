"""Who GA4 will be read as: the service account named in the key file (never the key itself)."""

from __future__ import annotations

import json
from collections.abc import Mapping


def service_account_email(environ: Mapping[str, str]) -> str | None:
    """The ``client_email`` of the key file, to name in permission errors (never the key)."""
    path = environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            email = json.load(handle).get("client_email")
    except (OSError, ValueError):
        return None
    return email if isinstance(email, str) else None
