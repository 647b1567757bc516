"""What a query that cannot be read tells its user, as data: a code, its parameters, a fix.

``QueryError`` carries a machine-readable ``code`` and ``params``, a "did you mean"
``suggestion`` and one ``example``, in the ``language`` the user's words were in. The bot
words it (``bot.i18n.query_error_text``) in the store's language, the CLI in English.
"""

from __future__ import annotations

from collections.abc import Mapping

EXAMPLE = "aov last-30d vs ly by channel"


class QueryError(ValueError):
    """A query that cannot be read: the problem as a code, a "did you mean" and one example."""

    exit_code = 2

    def __init__(self, code: str, params: Mapping[str, object] | None = None, *, suggestion: str | None = None,
                 example: str = EXAMPLE, language: str = "en") -> None:
        self.code = code
        self.params = {key: value[:60] if isinstance(value, str) else value for key, value in (params or {}).items()}
        self.suggestion = suggestion
        self.example = example
        self.language = language  # the language of the user's words: the suggestion and example use it
        super().__init__(code)
