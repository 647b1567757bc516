"""Where the warehouse lives: a file path (SQLite) or a ``postgresql://`` URL (PostgreSQL).

A value with any other scheme (``mysql://``, ``sqlite:///x.db``, ``http://``) is refused rather
than taken as a relative file name; a URL is only ever shown with its password masked.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from connectors.redact import mask_url

Location = Path | str  # a file path, or a postgresql:// URL
SCHEMES = ("postgresql", "postgres")  # libpq takes both
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):")


def is_postgres_url(location: Location | None) -> bool:
    return isinstance(location, str) and location.split("://", 1)[0].lower() in SCHEMES and "://" in location


def location_problem(value: str) -> str | None:
    """Why ``value`` names no warehouse (a sentence ending that can follow the key's name), or None."""
    if is_postgres_url(value):
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            return "is a postgresql:// URL that cannot be read (check its host and port)"
        return None
    scheme = _SCHEME.match(value)
    if scheme and (len(scheme.group("scheme")) > 1 or "://" in value):  # one letter: a Windows drive (C:\...)
        return ("must be a file path such as \"kpibot.db\" or a postgresql:// URL such as "
                "\"postgresql://kpibot@db.example.com:5432/kpibot\"")
    return None


def shown(location: Location | None) -> str:
    """The location as any message may show it: a URL's password masked."""
    if location is None:
        return "(in memory)"
    return mask_url(str(location)) if is_postgres_url(location) else str(location)
