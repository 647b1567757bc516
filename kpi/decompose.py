"""Splitting a revenue change into traffic, conversion-rate and AOV parts.

Revenue = Sessions × (Orders / Sessions) × (Revenue / Orders), so
ln(R1/R0) = ln(S1/S0) + ln(C1/C0) + ln(A1/A0) exactly. The log shares are allocated to
the relative revenue change, so the three percentage contributions add up to it exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kpi.compute import Totals


@dataclass(frozen=True)
class Decomposition:
    revenue_before: float
    revenue_after: float
    change: float | None  # relative revenue change, R1/R0 - 1
    log_parts: dict[str, float] | None  # traffic, cvr, aov: ln ratios, summing to ln(R1/R0)
    contributions: dict[str, float] | None  # traffic, cvr, aov: shares of ``change``, summing to it
    defined: bool = True  # False when a zero makes the split undefined (say so in a caveat)


def decompose_revenue_change(before: Totals, after: Totals) -> Decomposition:
    change = after.revenue / before.revenue - 1 if before.revenue else None
    factors = (before.sessions, before.orders, before.revenue, after.sessions, after.orders, after.revenue)
    if any(value <= 0 for value in factors):
        return Decomposition(before.revenue, after.revenue, change, None, None, defined=False)
    logs = {
        "traffic": math.log(after.sessions / before.sessions),
        "cvr": math.log((after.orders / after.sessions) / (before.orders / before.sessions)),
        "aov": math.log((after.revenue / after.orders) / (before.revenue / before.orders)),
    }
    assert change is not None
    return Decomposition(before.revenue, after.revenue, change, logs, _allocate(logs, change))


def _allocate(logs: dict[str, float], change: float) -> dict[str, float]:
    total = sum(logs.values())
    if abs(total) < 1e-12:
        # no net change: each part's own log is its contribution, and they cancel out
        return dict(logs)
    return {part: change * value / total for part, value in logs.items()}


@dataclass(frozen=True)
class ChannelContribution:
    key: str
    contribution: float  # (R1_k - R0_k) / R0_total: the channel's share of the total change
    split: Decomposition  # the channel's own traffic/CvR/AOV split


def decompose_by_channel(before: dict[str, Totals], after: dict[str, Totals]) -> list[ChannelContribution]:
    """Which channel explains the change: contributions add up to the total revenue change."""
    total_before = sum(t.revenue for t in before.values())
    empty = Totals(0.0, 0.0, 0.0)
    rows = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key, empty), after.get(key, empty)
        share = (a.revenue - b.revenue) / total_before if total_before else 0.0
        rows.append(ChannelContribution(key, share, decompose_revenue_change(b, a)))
    return sorted(rows, key=lambda row: -abs(row.contribution))
