"""Problems found in ``kpibot.toml``: collected with the file and key they concern, raised at once."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from bot.config.secrets import holds_secret
from connectors.redact import secret_kind


class ConfigError(Exception):
    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "invalid configuration"
        more = f" (and {len(problems) - 1} more problem(s): run 'kpibot check-config')" if len(problems) > 1 else ""
        super().__init__(first + more)


class Problems:
    """Every problem of one config file, each naming the file and the key, collected and raised at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, key: str, rule: str, got: Any) -> None:
        found = "" if got is None or holds_secret(got) else f", got {got!r}"  # never echo a secret
        self.items.append(f"{self.file}: {key} {rule}{found}")

    def unknown_keys(self, prefix: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        for key in table:
            if key in allowed or secret_kind(key):  # a secret-shaped key is reported by secrets_in
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(sorted(allowed))}"
            self.items.append(f"{self.file}: {prefix}{key} is not a known setting{hint}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)
