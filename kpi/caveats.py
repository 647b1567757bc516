"""Caveats attached to answers: a code and its parameters, worded by the bot in the store's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# provisional, thresholded, other_row, sampled, missing_days, no_data, zero_denominator,
# zero_revenue_split, default_target, young_cohort, compare_gap, no_orders, blended_total, compare_uncovered,
# other_currency, product_lines
# (bot/i18n.py: caveat_<code>)


@dataclass(frozen=True)
class Caveat:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))
