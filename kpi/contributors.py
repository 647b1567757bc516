"""Which channel or device explains an anomalous day most."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
from sqlite_utils import Database

from kpi.answer import Period
from kpi.baselines import additive_baseline
from kpi.metric import Metric, Sum
from kpi.series import daily_sums
from kpi.settings import StoreSettings

DIMENSIONS = {"sessions": ("channel", "device"), "ads": ("channel",)}


def main_contributor(db: Database, store: StoreSettings, metric: Metric, span: Period, day: date,
                     went_up: bool) -> str | None:
    """The segment whose own deviation moves the total most in the anomaly's direction."""
    dimensions = [d for d in DIMENSIONS.get(metric.numerator.source, ())
                  if not metric.denominator or metric.denominator.source == metric.numerator.source]
    best: tuple[float, str | None] = (0.0, None)
    for dimension in dimensions:
        effects = (_ratio_effects if metric.denominator else _additive_effects)(db, store, metric, span, day,
                                                                                dimension)
        for key, effect in effects.items():
            signed = effect if went_up else -effect
            if signed > best[0]:
                best = (signed, key)
    return best[1]


def _pivot(db: Database, store: StoreSettings, part: Sum, span: Period, dimension: str) -> pd.DataFrame:
    frame = daily_sums(db, store.name, part, span.start, span.end, [dimension])
    index = pd.date_range(span.start, span.end)
    if frame.empty:
        return pd.DataFrame(index=index)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.pivot_table(index="date", columns=dimension, values="value", aggfunc="sum").reindex(index).fillna(0)


def _additive_effects(db: Database, store: StoreSettings, metric: Metric, span: Period, day: date,
                      dimension: str) -> dict[str, float]:
    table = _pivot(db, store, metric.numerator, span, dimension)
    stamp = pd.Timestamp(day)
    effects = {}
    for key in table.columns:
        expected_log = additive_baseline(table[key])["expected"].loc[stamp]
        expected = math.expm1(expected_log) if pd.notna(expected_log) else 0.0
        effects[str(key)] = float(table.loc[stamp, key]) - expected
    return effects


def _ratio_effects(db: Database, store: StoreSettings, metric: Metric, span: Period, day: date,
                   dimension: str) -> dict[str, float]:
    """How far the day's ratio would move back if one segment had had a normal day.

    A segment's normal day is its mean numerator and denominator over the previous 28
    days; this works both for rates (mobile orders fell) and for shares (Email revenue rose).
    """
    assert metric.denominator is not None
    k = _pivot(db, store, metric.numerator, span, dimension)
    n = _pivot(db, store, metric.denominator, span, dimension)
    k = k.reindex(columns=n.columns, fill_value=0.0)
    stamp = pd.Timestamp(day)
    history = slice(pd.Timestamp(day - timedelta(days=28)), pd.Timestamp(day - timedelta(days=1)))
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
