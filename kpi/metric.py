"""What a KPI is: a formula over stored sums, as data.

A KPI is ``numerator`` (over ``denominator`` for a ratio), then an optional ``transform``.
Each part is a formula: a ``Sum`` of one stored measure; a ``Total`` of several, added key by
key (one figure from several sources: ad cost over every platform); ``FirstOf`` several, the
first whose sources hold data for the store (shop revenue, else GA4's); or an ``EntrySum``,
each flow's entry message (not additive, so it has its own reading). Ratios are always
ratios of sums over the whole period, never averages of daily ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

STORE_CURRENCY = "{store.currency}"  # a `where` value that stands for the store's own currency


@dataclass(frozen=True)
class Sum:
    """Σ ``measure`` from ``source``, optionally only where a dimension equals a value."""

    measure: str
    source: str = "sessions"  # sessions | users | ads (GA4 reports), orders, or a marketing source
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EntrySum:
    """Σ over flows of ``measure`` of each flow's entry message: its message with the most recipients.

    Later messages of a flow go to a subset of those who got the first, so summing every
    message's recipients would count one abandoned cart several times.
    """

    measure: str
    source: str
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Total:
    """The parts added key by key: one figure read from several sources."""

    parts: tuple[Formula, ...]


@dataclass(frozen=True)
class FirstOf:
    """The first part whose every source holds data for the store (the last one otherwise)."""

    parts: tuple[Formula, ...]


Formula = Sum | EntrySum | Total | FirstOf
Leaf = Sum | EntrySum


@dataclass(frozen=True)
class Metric:
    name: str
    label_en: str
    label_it: str
    aliases: tuple[str, ...]
    numerator: Formula
    denominator: Formula | None = None
    transform: str = "none"  # none | one_minus (1 - n/d) | minus_one (n/d - 1)
    unit: str = "count"  # currency | count | ratio | multiple | average (a mean count: items per order)
    direction: str = "up"  # up: higher is better | down: lower is better
    source: str = "GA4"
    formula: str = ""

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def parts(self) -> tuple[Formula, ...]:
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    @property
    def sources(self) -> frozenset[str]:
        """Every source the formula may read, each alternative of a ``FirstOf`` included."""
        return frozenset(leaf.source for part in self.parts for leaf in leaves(part))


def leaves(formula: Formula) -> tuple[Leaf, ...]:
    """The sums a formula is made of, every alternative included."""
    if isinstance(formula, Total | FirstOf):
        return tuple(leaf for part in formula.parts for leaf in leaves(part))
    return (formula,)


def sum_of(measure: str, source: str = "sessions", **where: str) -> Sum:
    return Sum(measure, source, tuple(sorted(where.items())))


def entry_of(measure: str, source: str, **where: str) -> EntrySum:
    return EntrySum(measure, source, tuple(sorted(where.items())))
