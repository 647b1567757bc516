"""Splitting a revenue change into its traffic, conversion-rate and AOV factors (SPEC §8 item 2).

Revenue = Sessions × (Orders / Sessions) × (Revenue / Orders), so each factor's own change
multiplies exactly to the revenue change: (1 + ΔR) = (1 + ΔS)(1 + ΔCvR)(1 + ΔAOV). The factor
changes are the same numbers as the KPI lines beside them (sessions, CvR and AOV vs the same
day), never rescaled. How much of the change each factor explains is its log share:
ln(1 + ΔS) / ln(1 + ΔR), and the three shares add up to exactly 1 (a share is negative when a
factor pulled the other way, and above 1 when the others pulled back).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kpi.compute import Totals, relative_change

FACTORS = ("traffic", "cvr", "aov")
# Below this |ln(R1/R0)| revenue did not move: there is no change for the factors to share.
NO_CHANGE = 1e-9


@dataclass(frozen=True)
class Decomposition:
    revenue_before: float | None
    revenue_after: float
    change: float | None  # relative revenue change, R1/R0 - 1 (None without a comparison)
    factors: dict[str, float] | None  # traffic, cvr, aov: each factor's own relative change
    shares: dict[str, float] | None  # traffic, cvr, aov: log shares of the change, adding up to 1
    log_parts: dict[str, float] | None  # traffic, cvr, aov: ln ratios, summing to ln(R1/R0)
    defined: bool = True  # False when a zero (or no comparison day) makes the split undefined


def decompose_revenue_change(before: Totals | None, after: Totals) -> Decomposition:
    if before is None:
        return Decomposition(None, after.revenue, None, None, None, None, defined=False)
    change = relative_change(after.revenue, before.revenue)
    factors = (before.sessions, before.orders, before.revenue, after.sessions, after.orders, after.revenue)
    if any(value <= 0 for value in factors):
        return Decomposition(before.revenue, after.revenue, change, None, None, None, defined=False)
    pairs = {"traffic": (after.sessions, before.sessions),
             "cvr": (after.orders / after.sessions, before.orders / before.sessions),
             "aov": (after.revenue / after.orders, before.revenue / before.orders)}
    changes = {name: (a - b) / b for name, (a, b) in pairs.items()}  # as relative_change computes the KPI lines'
    logs = {name: math.log(a / b) for name, (a, b) in pairs.items()}
    total = sum(logs.values())
    shares = {name: value / total for name, value in logs.items()} if abs(total) > NO_CHANGE else None
    return Decomposition(before.revenue, after.revenue, change, changes, shares, logs)


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
