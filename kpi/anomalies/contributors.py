"""Which channel or device explains an anomalous day most.

A metric's segments are read once for the whole judged range (``read_segments``), and each
segment's baseline is computed once over it; baselines only look back, so judging a day
against them is the same as judging it on the data up to that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kpi.anomalies.baselines import expected_values
from kpi.answer import Period
from kpi.metric import Formula, Metric
from kpi.parts import resolved_leaves
from kpi.reader import KpiReader
from kpi.series import formula_daily
from kpi.settings import StoreSettings

# Meta's rows are all GA4's Paid Social channel, so ad cost over every platform splits by channel too.
DIMENSIONS = {"sessions": ("channel", "device"), "ads": ("channel",), "meta_ads": ("channel",)}
NORMAL_DAYS = 28


@dataclass(frozen=True)
class SegmentMove:
    """How one segment (a channel, a device) moved on a day, against its own normal day."""

    key: str
    change: float | None  # its own relative change (value / normal − 1); None without a normal
    weight: float  # its share of the total (the denominator for ratios), normally or today, whichever is larger
    effect: float  # how far it moves the total: units for additive KPIs, the ratio for ratios


@dataclass
class Segments:
    """Per dimension: the daily numerator (and denominator) of each segment over the span."""

    numerators: dict[str, pd.DataFrame] = field(default_factory=dict)
    denominators: dict[str, pd.DataFrame] = field(default_factory=dict)
    expected: dict[str, pd.DataFrame] = field(default_factory=dict)  # additive: each segment's baseline


def read_segments(db: KpiReader, store: StoreSettings, metric: Metric, span: Period) -> Segments:
    segments = Segments()
    sources = [{leaf.source for leaf in resolved_leaves(db, store, part)} for part in metric.parts]
    shared = set.intersection(*(set(DIMENSIONS.get(source, ())) for source in set.union(*sources)))
    dimensions = [d for d in ("channel", "device") if d in shared and all(s == sources[0] for s in sources)]
    for dimension in dimensions:
        numerator = _pivot(db, store, metric.numerator, span, dimension)
        if metric.denominator is None:
            segments.numerators[dimension] = numerator
            segments.expected[dimension] = expected_values(numerator)
        else:
            denominator = _pivot(db, store, metric.denominator, span, dimension)
            segments.numerators[dimension] = numerator.reindex(columns=denominator.columns, fill_value=0.0)
            segments.denominators[dimension] = denominator
    return segments


def main_contributor(segments: Segments, day: date, went_up: bool) -> str | None:
    """The segment whose own deviation moves the total most in the anomaly's direction."""
    best: tuple[float, str | None] = (0.0, None)
    for dimension in segments.numerators:
        if dimension in segments.denominators:
            effects = _ratio_effects(segments.numerators[dimension], segments.denominators[dimension], day)
        else:
            effects = _additive_effects(segments.numerators[dimension], segments.expected[dimension], day)
        for key, effect in effects.items():
            signed = effect if went_up else -effect
            if signed > best[0]:
                best = (signed, key)
    return best[1]


def segment_moves(segments: Segments, dimension: str, day: date) -> list[SegmentMove]:
    """Every segment of ``dimension`` on ``day``: its own change, its weight and its effect on the total."""
    if dimension not in segments.numerators:
        return []
    values = segments.numerators[dimension]
    if dimension in segments.denominators:
        return _ratio_moves(values, segments.denominators[dimension], day)
    stamp = pd.Timestamp(day)
    normal, today = segments.expected[dimension].loc[stamp].fillna(0.0), values.loc[stamp]
    effects = _additive_effects(values, segments.expected[dimension], day)
    return [SegmentMove(str(key), _relative(float(today[key]), float(normal[key])),
                        _weight(float(normal[key]), float(normal.sum()), float(today[key]), float(today.sum())),
                        effects[str(key)]) for key in values.columns]


def _ratio_moves(k: pd.DataFrame, n: pd.DataFrame, day: date) -> list[SegmentMove]:
    stamp = pd.Timestamp(day)
    history = slice(pd.Timestamp(day - timedelta(days=NORMAL_DAYS)), pd.Timestamp(day - timedelta(days=1)))
    normal_k, normal_n, today_n = k.loc[history].mean(), n.loc[history].mean(), n.loc[stamp]
    effects = _ratio_effects(k, n, day)
    moves = []
    for key in n.columns:
        rate = float(k.loc[stamp, key]) / float(today_n[key]) if float(today_n[key]) > 0 else None
        usual = float(normal_k[key]) / float(normal_n[key]) if float(normal_n[key]) > 0 else 0.0
        weight = _weight(float(normal_n[key]), float(normal_n.sum()), float(today_n[key]), float(today_n.sum()))
        moves.append(SegmentMove(str(key), _relative(rate, usual) if rate is not None else None, weight,
                                 effects.get(str(key), 0.0)))
    return moves


def _relative(value: float, normal: float) -> float | None:
    return value / normal - 1 if normal > 0 else None


def _weight(normal: float, normal_total: float, today: float, today_total: float) -> float:
    """A segment's size: its share on a normal day or today, whichever is larger (a spike makes it big)."""
    return max(normal / normal_total if normal_total > 0 else 0.0, today / today_total if today_total > 0 else 0.0)


def _pivot(db: KpiReader, store: StoreSettings, part: Formula, span: Period, dimension: str) -> pd.DataFrame:
    frame = formula_daily(db, store, part, span.start, span.end, [dimension])
    index = pd.date_range(span.start, span.end)
    if frame.empty:
        return pd.DataFrame(index=index)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.pivot_table(index="date", columns=dimension, values="value", aggfunc="sum").reindex(index).fillna(0)


def _additive_effects(values: pd.DataFrame, expected: pd.DataFrame, day: date) -> dict[str, float]:
    """Each segment's value minus its own expected value (0 expected without enough history)."""
    stamp = pd.Timestamp(day)
    return {str(key): float(values.loc[stamp, key]) - float(np.nan_to_num(expected.loc[stamp, key]))
            for key in values.columns}


def _ratio_effects(k: pd.DataFrame, n: pd.DataFrame, day: date) -> dict[str, float]:
    """How far the day's ratio would move back if one segment had had a normal day.

    A segment's normal day is its mean numerator and denominator over the previous 28
    days; this works both for rates (mobile orders fell) and for shares (Email revenue rose).
    """
    stamp = pd.Timestamp(day)
    history = slice(pd.Timestamp(day - timedelta(days=NORMAL_DAYS)), pd.Timestamp(day - timedelta(days=1)))
    total_k, total_n = float(k.loc[stamp].sum()), float(n.loc[stamp].sum())
    if total_n <= 0:
        return {}
    today = total_k / total_n
    effects = {}
    for key in n.columns:
        normal_k, normal_n = float(k.loc[history, key].mean()), float(n.loc[history, key].mean())
        other_n = total_n - float(n.loc[stamp, key]) + normal_n
        if other_n > 0:
            effects[str(key)] = today - (total_k - float(k.loc[stamp, key]) + normal_k) / other_n
    return effects
