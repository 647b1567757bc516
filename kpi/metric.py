"""What a KPI is: a formula over stored sums, as data.

A KPI is ``numerator`` (over ``denominator`` for a ratio), then an optional
``transform``. Ratios are always ratios of sums over the whole period, never
averages of daily ratios.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sum:
    """Σ ``measure`` from ``source``, optionally only where a dimension equals a value."""

    measure: str
    source: str = "sessions"  # sessions | users | ads (GA4 reports), orders, or a marketing source
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    label_en: str
    label_it: str
    aliases: tuple[str, ...]
    numerator: Sum
    denominator: Sum | None = None
    transform: str = "none"  # none | one_minus (1 - n/d) | minus_one (n/d - 1)
    unit: str = "count"  # currency | count | ratio | multiple
    direction: str = "up"  # up: higher is better | down: lower is better
    source: str = "GA4"
    formula: str = ""

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def sources(self) -> frozenset[str]:
        parts = [self.numerator] + ([self.denominator] if self.denominator else [])
        return frozenset(part.source for part in parts)


def sum_of(measure: str, source: str = "sessions", **where: str) -> Sum:
    return Sum(measure, source, tuple(sorted(where.items())))
