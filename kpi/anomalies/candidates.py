"""The candidate baselines of an additive series (log scale), and the rule that picks one per day.

Each candidate predicts day t from days before t only:

- ``weekday``: the median of the same weekday over the last six weeks (weekly seasonality);
- ``profile``: the recent level of the weekday-adjusted series plus the weekday's own effect
  (weekly seasonality that follows a trend);
- ``yearly``: last year's twin day scaled by the level ratio (``kpi.anomalies.yearly``), with a year of data;
- ``recent``: the median of the last 14 days (level and trend, no weekly pattern).

For each day the candidate whose recent residuals are smallest by MAD wins (out of sample:
the residuals are those of the days before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from kpi.anomalies.yearly import yearly_prediction

MAD_TO_SIGMA = 1.4826
WEEKS = 6
RECENT_DAYS = 14
SCALE_DAYS = 28
MIN_HISTORY = 4  # days before the level candidate judges anything
MIN_RESIDUALS = 5  # residuals before a candidate's scale is known
ORDER = ("weekday", "profile", "yearly", "recent")  # ties go to the first
Table = TypeVar("Table", pd.Series, pd.DataFrame)  # one series, or one series per column


@dataclass(frozen=True)
class Candidate(Generic[Table]):
    prediction: Table
    scale: Table  # rolling MAD of the residuals of the 28 days before (NaN until known)
    support: Table  # how many residuals that scale rests on


def same_weekday_median(series: Table, min_count: int, weeks: int = WEEKS) -> Table:
    """Per day, the median of the same weekday's values over the ``weeks`` weeks before it.

    ``series`` (or each column of a frame) has one row per day. Laid out as a table of weeks
    (rows) by weekdays (columns), this is one rolling median down the rows of the previous weeks.
    """
    values = series.to_numpy(dtype=float).reshape(len(series), -1)
    width = values.shape[1]
    lead = int(series.index[0].day_of_week) if len(series) else 0
    tail = -(lead + len(values)) % 7
    padded = np.concatenate([np.full((lead, width), np.nan), values, np.full((tail, width), np.nan)])
    table = pd.DataFrame(padded.reshape(-1, 7 * width))
    medians = table.shift(1).rolling(weeks, min_periods=min_count).median().to_numpy().reshape(-1, width)
    medians = medians[lead:lead + len(values)]
    if isinstance(series, pd.Series):
        return pd.Series(medians[:, 0], index=series.index)
    return pd.DataFrame(medians, index=series.index, columns=series.columns)


def level_and_weekday(clean: Table) -> Table:
    """The recent level of the weekday-adjusted series plus the weekday's own effect.

    A day's weekday effect is how far it sits from the mean of the week centred on it (known
    three days later), taken as the median over the weekday's last six occurrences.
    """
    effect = clean - clean.rolling(7, center=True, min_periods=7).mean()
    weekday_effect = same_weekday_median(effect, min_count=2)
    level = (clean - weekday_effect).shift(1).rolling(RECENT_DAYS, min_periods=MIN_HISTORY).median()
    return level + weekday_effect


def build(clean: Table, seen: Table, days: pd.DataFrame | None) -> dict[str, Candidate[Table]]:
    """Every candidate available for the series; ``days`` (event days, one series only) adds the yearly one."""
    predictions = {
        "weekday": same_weekday_median(clean, min_count=2),
        "profile": level_and_weekday(clean),
        "recent": clean.shift(1).rolling(RECENT_DAYS, min_periods=MIN_HISTORY).median(),
    }
    if days is not None and isinstance(clean, pd.Series) and isinstance(seen, pd.Series):
        predictions["yearly"] = yearly_prediction(clean, seen, days)
    return {name: candidate(clean, prediction) for name, prediction in predictions.items()}


def candidate(clean: Table, prediction: Table) -> Candidate[Table]:
    residuals = (clean - prediction).abs().shift(1).rolling(SCALE_DAYS, min_periods=1)
    scale = residuals.median() * MAD_TO_SIGMA
    support = residuals.count()
    return Candidate(prediction, scale.where(support >= MIN_RESIDUALS), support)


def choose(candidates: dict[str, Candidate[pd.Series]], index: pd.Index) -> pd.DataFrame:
    """Per day: the winning candidate's ``name``, ``expected``, ``scale`` and ``support``."""
    picked = _pick(candidates)
    return pd.DataFrame({key: values.ravel() for key, values in picked.items()}, index=index)


def expected_frame(candidates: dict[str, Candidate[pd.DataFrame]], like: pd.DataFrame) -> pd.DataFrame:
    """The winning expectation per day and column, for many series at once (segments)."""
    return pd.DataFrame(_pick(candidates)["expected"], index=like.index, columns=like.columns)


def _pick(candidates: dict[str, Candidate[Table]]) -> dict[str, np.ndarray]:
    shape = next(iter(candidates.values())).prediction.shape
    names = np.full(shape, "", dtype=object)
    expected, scale = np.full(shape, np.nan), np.full(shape, np.nan)
    support, best = np.zeros(shape), np.full(shape, np.inf)
    for name in ORDER:
        if name not in candidates:
            continue
        prediction = candidates[name].prediction.to_numpy(dtype=float)
        own = candidates[name].scale.to_numpy(dtype=float)
        better = ~np.isnan(own) & ~np.isnan(prediction) & (own < best)
        if name == "recent":  # the level candidate needs no residual history to be used
            better |= np.isnan(expected) & ~np.isnan(prediction)
        names = np.where(better, name, names)
        expected = np.where(better, prediction, expected)
        scale = np.where(better, own, scale)
        support = np.where(better, candidates[name].support.to_numpy(dtype=float), support)
        best = np.where(better, np.nan_to_num(own, nan=np.inf), best)
    return {"name": names, "expected": expected, "scale": scale, "support": support}
