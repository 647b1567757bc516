"""Why KPIs moved together on one day: diagnosis rules kept as data.

A rule is a diagnosis code, the conditions that must all hold on the day, and the KPIs it
explains. ``diagnose`` tries the rules in order over one day's moves (the anomalies and
relative drops of one store): each rule that holds takes the moves it explains and makes one
incident; the moves no rule explains join the first diagnosis, or make one undiagnosed
incident of their own. Conditions look at the day's moves, at how each channel or device
moved against its own normal day, and at the shop's own orders when a shop source exists.
Codes and parameters only: ``bot.i18n`` words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from kpi.anomalies.contributors import SegmentMove

Params = dict[str, str | float]
MIN_WEIGHT = 0.10  # a segment with less than this share of the total is too small to say "only"


@dataclass(frozen=True)
class Move:
    """One KPI that moved on the day: flagged by the detector, or by a relative rule."""

    metric: str
    direction: str  # up | down
    change: float | None  # value / expected − 1


class Facts(Protocol):
    """What the rules may read about the day beyond its moves (``kpi.anomalies.picture``)."""

    def segments(self, metric: str, dimension: str) -> Sequence[SegmentMove]: ...

    def shop_orders(self) -> tuple[float, float] | None:
        """(the shop's own orders, GA4's orders) of the day, or None without a shop source."""
        ...


@dataclass(frozen=True)
class Day:
    moves: Mapping[str, Move]
    facts: Facts


class Condition(Protocol):
    def holds(self, day: Day) -> Params | None:
        """None when the condition fails; else the parameters it found (often none)."""
        ...


def _sign(direction: str) -> int:
    return 1 if direction == "up" else -1


@dataclass(frozen=True)
class Moved:
    """One of ``metrics`` moved in ``direction``, by at least ``at_least`` (0.5: halved or worse)."""

    metrics: tuple[str, ...]
    direction: str
    at_least: float = 0.0

    def holds(self, day: Day) -> Params | None:
        for metric in self.metrics:
            move = day.moves.get(metric)
            if move and move.direction == self.direction and (
                    move.change is None or _sign(self.direction) * move.change >= self.at_least):
                return {}
        return None


@dataclass(frozen=True)
class Steady:
    """``metric`` did not move: neither the detector nor a relative rule flagged it."""

    metric: str

    def holds(self, day: Day) -> Params | None:
        return None if self.metric in day.moves else {}


@dataclass(frozen=True)
class Not:
    condition: Condition

    def holds(self, day: Day) -> Params | None:
        return {} if self.condition.holds(day) is None else None


@dataclass(frozen=True)
class Either:
    conditions: tuple[Condition, ...]

    def holds(self, day: Day) -> Params | None:
        for condition in self.conditions:
            found = condition.holds(day)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Led:
    """``metric`` moved in ``direction`` because of one segment of ``dimension`` (a channel, a device).

    The segment that moves the total most that way must itself have moved by ``at_least``
    against its own normal day, and weigh at least ``MIN_WEIGHT`` of the total; with ``alone``,
    no other segment of that size moved half as much; with ``among``, it must be one of those.
    Gives ``segment``: its name.
    """

    metric: str
    dimension: str
    direction: str
    at_least: float
    alone: bool = False
    among: tuple[str, ...] = ()

    def holds(self, day: Day) -> Params | None:
        sign = _sign(self.direction)
        moves = sorted(day.facts.segments(self.metric, self.dimension), key=lambda m: -sign * m.effect)
        if not moves or sign * moves[0].effect <= 0:
            return None
        leader = moves[0]
        if leader.change is None or sign * leader.change < self.at_least or leader.weight < MIN_WEIGHT:
            return None
        if self.among and leader.key not in self.among:
            return None
        if self.alone and any(m.change is not None and m.weight >= MIN_WEIGHT and sign * m.change >= self.at_least / 2
                              for m in moves[1:]):
            return None
        return {"segment": leader.key}


@dataclass(frozen=True)
class ShopOrdersHeld:
    """The shop's own orders did not fall with GA4's: GA4 saw at most ``1 − at_least`` of them.

    Holds (unconfirmed, no parameters) when there is no shop source to ask.
    """

    at_least: float = 0.5

    def holds(self, day: Day) -> Params | None:
        orders = day.facts.shop_orders()
        if orders is None:
            return {}
        shop, ga4 = orders
        if shop <= 0 or ga4 > (1 - self.at_least) * shop:
            return None
        return {"shop_orders": shop, "ga4_orders": ga4}


@dataclass(frozen=True)
class Rule:
    code: str
    when: tuple[Condition, ...]
    explains: tuple[str, ...]

    def match(self, day: Day) -> Params | None:
        params: Params = {}
        for condition in self.when:
            found = condition.holds(day)
            if found is None:
                return None
            params.update(found)
        return params


CONVERSION = ("orders", "revenue", "cvr", "checkout_abandonment", "cart_to_order", "aov", "revenue_per_session",
              "email_revenue_share", "sms_revenue_share")
TRAFFIC = ("sessions", "cvr", "bounce_rate", "revenue_per_session", "new_visitor_share", "mobile_share")

RULES: tuple[Rule, ...] = (
    # GA4 orders and revenue collapse while sessions hold, and the shop's own orders (if known) do not
    Rule("tracking_tag", (Moved(("orders",), "down", 0.5), Moved(("revenue",), "down", 0.5), Steady("sessions"),
                          ShopOrdersHeld()), CONVERSION),
    # conversion falls on one device only, with sessions normal
    Rule("device_checkout", (Moved(("cvr", "orders", "revenue"), "down"), Steady("sessions"),
                             Led("cvr", "device", "down", 0.5, alone=True)), CONVERSION),
    # sessions jump from one channel while conversion or engagement falls
    Rule("bot_traffic", (Moved(("sessions",), "up"), Led("sessions", "channel", "up", 1.0, alone=True),
                         Either((Moved(("cvr",), "down"), Moved(("bounce_rate",), "up")))), TRAFFIC),
    # an email or SMS channel spikes and conversion goes up with it
    Rule("campaign", (Led("sessions", "channel", "up", 1.0, among=("Email", "SMS")),
                      Moved(("cvr", "orders", "revenue", "email_revenue_share", "sms_revenue_share"), "up"),
                      Not(Moved(("cvr",), "down"))), (*CONVERSION, *TRAFFIC)),
)


@dataclass(frozen=True)
class Diagnosis:
    """One incident of the day: its diagnosis code (None: no rule explains it), what the rule found,
    and the KPIs it groups."""

    code: str | None
    params: Params
    metrics: tuple[str, ...]


def diagnose(day: Day, rules: Sequence[Rule] = RULES) -> list[Diagnosis]:
    """The day's moves grouped into incidents, each with the first rule that explains it."""
    left = list(day.moves)
    found: list[Diagnosis] = []
    for rule in rules:
        claimed = tuple(metric for metric in left if metric in rule.explains)
        if not claimed:
            continue
        params = rule.match(day)
        if params is None:
            continue
        found.append(Diagnosis(rule.code, params, claimed))
        left = [metric for metric in left if metric not in claimed]
    if left and found:
        found[0] = replace(found[0], metrics=found[0].metrics + tuple(left))
    elif left:
        found.append(Diagnosis(None, {}, tuple(left)))
    return found
