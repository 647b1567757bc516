"""RFM segments: quintile scores for recency, frequency and monetary value, then names."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

SEGMENTS = ("Champions", "Loyal", "Potential loyalists", "New", "Need attention", "At risk", "Hibernating")


def quintile(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..5 by rank, so ties and skewed spend still spread across the five bands."""
    ranks = values.rank(method="first", ascending=higher_is_better, pct=True)
    return ((ranks * 5).clip(upper=4.999) // 1 + 1).astype(int)


def rfm_scores(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per customer: recency (days), frequency, monetary, R/F/M scores and segment.

    ``orders`` has columns customer, date (datetime64) and total, up to ``as_of``.
    """
    per = orders.groupby("customer").agg(last=("date", "max"), frequency=("total", "size"),
                                         monetary=("total", "sum"))
    per["recency"] = (pd.Timestamp(as_of) - per["last"]).dt.days
    per["r"] = quintile(per["recency"], higher_is_better=False)
    per["f"] = quintile(per["frequency"])
    per["m"] = quintile(per["monetary"])
    per["segment"] = segments(per["r"].to_numpy(), per["f"].to_numpy(), per["frequency"].to_numpy())
    return per


def segments(r: np.ndarray, f: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """``segment`` for whole arrays at once (the first matching rule wins, as there)."""
    rules = [(r >= 4) & (orders == 1), (r >= 4) & (f >= 4), (f >= 4) & (r >= 2), (r >= 3) & (orders >= 2),
             (r <= 2) & (f >= 3), r <= 2]
    names = ["New", "Champions", "Loyal", "Potential loyalists", "At risk", "Hibernating"]
    return np.select(rules, names, default="Need attention")


def segment(r: int, f: int, orders: int) -> str:
    if r >= 4 and orders == 1:
        return "New"
    if r >= 4 and f >= 4:
        return "Champions"
    if f >= 4 and r >= 2:
        return "Loyal"
    if r >= 3 and orders >= 2:
        return "Potential loyalists"
    if r <= 2 and f >= 3:
        return "At risk"
    if r <= 2:
        return "Hibernating"
    return "Need attention"
