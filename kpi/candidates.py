"""The candidate baselines of an additive series (log scale), and the rule that picks one per day.

Each candidate predicts day t from days before t only:

- ``weekday``: the median of the same weekday over the last six weeks (weekly seasonality);
- ``profile``: the recent level of the weekday-adjusted series plus the weekday's own effect
  (weekly seasonality that follows a trend);
- ``yearly``: last year's twin day scaled by the level ratio (``kpi.yearly``), with a year of data;
- ``recent``: the median of the last 14 days (level and trend, no weekly pattern).

For each day the candidate whose recent residuals are smallest by MAD wins (out of sample:
the residuals are those of the days before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi.yearly import yearly_prediction

MAD_TO_SIGMA = 1.4826
WEEKS = 6
RECENT_DAYS = 14
SCALE_DAYS = 28
MIN_HISTORY = 4  # days before the level candidate judges anything
MIN_RESIDUALS = 5  # residuals before a candidate's scale is known
ORDER = ("weekday", "profile", "yearly", "recent")  # ties go to the first


@dataclass(frozen=True)
class Candidate:
    prediction: pd.Series
    scale: pd.Series  # rolling MAD of the residuals of the 28 days before (NaN until known)
    support: pd.Series  # how many residuals that scale rests on


def same_weekday_median(series: pd.Series, min_count: int, weeks: int = WEEKS) -> pd.Series:
    """Per day, the median of the same weekday's values over the ``weeks`` weeks before it.

    ``series`` has one row per day. Laid out as a table of weeks (rows) by weekdays
    (columns), this is one rolling median down the rows of the previous weeks.
    """
    values = series.to_numpy(dtype=float)
    lead = int(series.index[0].day_of_week) if len(series) else 0
    tail = -(lead + len(values)) % 7
    table = pd.DataFrame(np.concatenate([np.full(lead, np.nan), values, np.full(tail, np.nan)]).reshape(-1, 7))
    medians = table.shift(1).rolling(weeks, min_periods=min_count).median().to_numpy().ravel()
    return pd.Series(medians[lead:lead + len(values)], index=series.index)


def level_and_weekday(clean: pd.Series) -> pd.Series:
    """The recent level of the weekday-adjusted series plus the weekday's own effect.

    A day's weekday effect is how far it sits from the mean of the week centred on it (known
    three days later), taken as the median over the weekday's last six occurrences.
    """
    effect = clean - clean.rolling(7, center=True, min_periods=7).mean()
    weekday_effect = same_weekday_median(effect, min_count=2)
    level = (clean - weekday_effect).shift(1).rolling(RECENT_DAYS, min_periods=MIN_HISTORY).median()
    return level + weekday_effect


def build(clean: pd.Series, seen: pd.Series, days: pd.DataFrame | None) -> dict[str, Candidate]:
    """Every candidate available for the series; ``days`` (event days) enables the yearly one."""
    predictions = {
        "weekday": same_weekday_median(clean, min_count=2),
        "profile": level_and_weekday(clean),
        "recent": clean.shift(1).rolling(RECENT_DAYS, min_periods=MIN_HISTORY).median(),
    }
    if days is not None:
        predictions["yearly"] = yearly_prediction(clean, seen, days)
    return {name: candidate(clean, prediction) for name, prediction in predictions.items()}


def candidate(clean: pd.Series, prediction: pd.Series) -> Candidate:
    residuals = (clean - prediction).abs().shift(1).rolling(SCALE_DAYS, min_periods=1)
    scale = residuals.median() * MAD_TO_SIGMA
    support = residuals.count()
    return Candidate(prediction, scale.where(support >= MIN_RESIDUALS), support)


def choose(candidates: dict[str, Candidate], index: pd.Index) -> pd.DataFrame:
    """Per day: the winning candidate's ``expected``, ``scale`` and ``support``."""
    expected = np.full(len(index), np.nan)
    scale = np.full(len(index), np.nan)
    support = np.zeros(len(index))
    best = np.full(len(index), np.inf)
    for name in ORDER:
        if name not in candidates:
            continue
        prediction = candidates[name].prediction.to_numpy()
        own = candidates[name].scale.to_numpy()
        better = ~np.isnan(own) & ~np.isnan(prediction) & (own < best)
        if name == "recent":  # the level candidate needs no residual history to be used
            better |= np.isnan(expected) & ~np.isnan(prediction)
        expected = np.where(better, prediction, expected)
        scale = np.where(better, own, scale)
        support = np.where(better, candidates[name].support.to_numpy(), support)
        best = np.where(better, np.nan_to_num(own, nan=np.inf), best)
    return pd.DataFrame({"expected": expected, "scale": scale, "support": support}, index=index)
