"""Robust baselines for daily series, with no look-ahead.

Every prediction for day t uses only days before t. Additive series are modelled on
``log1p`` by two robust candidates: the median of the same weekday over the last six
weeks (weekly seasonality) and the median of the last 14 days (level and trend). For
each day the candidate whose recent residuals are smaller (by MAD) wins, so a shop with
a strong weekly pattern gets the weekday model and a series without one is not forced
into it. Ratio series are judged with a quasi-binomial test on the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAD_TO_SIGMA = 1.4826
WEEKS = 6
RECENT_DAYS = 14
SCALE_DAYS = 28
MIN_SCALE = 0.04  # on log1p: no day is judged against a band narrower than about ±4% per sigma
# ...nor wider than ±12% per sigma: however volatile a series, a several-fold jump is news. With
# too little history for a scale, this cap is the scale.
MAX_SCALE = 0.12
MIN_HISTORY = 5
POISSON_FACTOR = 1.2  # Poisson noise of a log count, widened for the baseline's own error
DISPERSION_DAYS = 56
MEDIAN_CHI2_1 = 0.4549


@dataclass(frozen=True)
class Thresholds:
    warning: float = 4.0  # robust z beyond which a day is flagged
    critical: float = 6.0
    min_relative: float = 0.20  # and the value must differ from expected by at least this much...
    min_absolute: float = 0.0  # ...and by at least this many units
    min_denominator: float = 0.0  # ratios: days with a smaller denominator are never judged


def _rolling_scale(residuals: pd.Series) -> pd.Series:
    return residuals.abs().shift(1).rolling(SCALE_DAYS, min_periods=MIN_HISTORY).median() * MAD_TO_SIGMA


def additive_baseline(values: pd.Series, excluded: pd.Series | None = None,
                      counts: pd.Series | None = None) -> pd.DataFrame:
    """Columns ``expected`` (log1p scale), ``scale`` and ``z`` for a dense daily series.

    ``excluded`` marks days (marked Expected, or missing) kept out of every baseline.
    ``counts`` is the count behind the series (orders behind revenue, the series itself for
    orders): a day built on ~60 orders cannot be known better than Poisson noise allows,
    about 1/sqrt(60) on the log scale, however calm the recent weeks happened to be.
    """
    x = np.log1p(values.astype(float).clip(lower=0))
    if excluded is not None:
        x = x.mask(excluded.reindex(x.index, fill_value=False).astype(bool))
    weekday = pd.concat([x.shift(7 * k) for k in range(1, WEEKS + 1)], axis=1)
    weekday_pred = weekday.median(axis=1, skipna=True).where(weekday.notna().sum(axis=1) >= 2)
    recent_pred = x.shift(1).rolling(RECENT_DAYS, min_periods=MIN_HISTORY).median()
    weekday_scale = _rolling_scale(x - weekday_pred)
    recent_scale = _rolling_scale(x - recent_pred)
    use_weekday = weekday_scale.notna() & ~(recent_scale < weekday_scale)
    expected = weekday_pred.where(use_weekday, recent_pred)
    scale = weekday_scale.where(use_weekday, recent_scale)
    scale = scale.where(scale.notna() | expected.isna(), MAX_SCALE).clip(MIN_SCALE, MAX_SCALE)
    if counts is not None:
        typical = counts.astype(float).shift(1).rolling(RECENT_DAYS, min_periods=1).median().clip(lower=1.0)
        scale = np.maximum(scale, POISSON_FACTOR / np.sqrt(typical))
    observed = np.log1p(values.astype(float).clip(lower=0))
    return pd.DataFrame({"expected": expected, "scale": scale, "z": (observed - expected) / scale})


def judge_additive(values: pd.Series, thresholds: Thresholds, excluded: pd.Series | None = None,
                   counts: pd.Series | None = None) -> pd.DataFrame:
    """Per day: value, expected, low, high, z, severity ('' when not flagged)."""
    base = additive_baseline(values, excluded, counts)
    expected = np.expm1(base["expected"])
    frame = pd.DataFrame({
        "value": values.astype(float), "expected": expected, "z": base["z"],
        "low": np.expm1(base["expected"] - thresholds.warning * base["scale"]).clip(lower=0),
        "high": np.expm1(base["expected"] + thresholds.warning * base["scale"]),
    })
    gap = (frame["value"] - frame["expected"]).abs()
    material = (gap >= thresholds.min_absolute) & (gap >= thresholds.min_relative * frame["expected"].abs())
    frame["severity"] = _severity(frame["z"], material, thresholds)
    return frame


def ratio_baseline(numerator: pd.Series, denominator: pd.Series, excluded: pd.Series | None = None
                   ) -> pd.DataFrame:
    """Pooled rate of the previous 28 days, overdispersion and quasi-binomial z per day."""
    k = numerator.astype(float)
    n = denominator.astype(float)
    usable = n > 0
    if excluded is not None:
        usable &= ~excluded.reindex(n.index, fill_value=False).astype(bool)
    past_k = k.where(usable, 0.0).shift(1).rolling(SCALE_DAYS, min_periods=1).sum()
    past_n = n.where(usable, 0.0).shift(1).rolling(SCALE_DAYS, min_periods=1).sum()
    days = usable.astype(float).shift(1).rolling(SCALE_DAYS, min_periods=1).sum()
    rate = (past_k / past_n).where((past_n > 0) & (days >= 14))
    variance = (n * rate * (1 - rate)).where(n > 0)
    raw_z = (k - n * rate) / np.sqrt(variance)
    # quasi-binomial: days vary more than a binomial would (and currency "counts" need a
    # scale); estimate the dispersion robustly from the previous 28 days' squared residuals
    dispersion = (raw_z.where(usable) ** 2).shift(1).rolling(DISPERSION_DAYS, min_periods=14).median() / MEDIAN_CHI2_1
    dispersion = dispersion.clip(lower=1.0)
    return pd.DataFrame({"rate": rate, "dispersion": dispersion, "z": raw_z / np.sqrt(dispersion)})


def judge_ratio(numerator: pd.Series, denominator: pd.Series, thresholds: Thresholds,
                excluded: pd.Series | None = None) -> pd.DataFrame:
    base = ratio_baseline(numerator, denominator, excluded)
    n = denominator.astype(float)
    value = numerator.astype(float) / n.where(n > 0)
    band = thresholds.warning * np.sqrt(base["dispersion"] * base["rate"] * (1 - base["rate"]) / n.where(n > 0))
    frame = pd.DataFrame({"value": value, "expected": base["rate"], "z": base["z"],
                          "low": (base["rate"] - band).clip(lower=0), "high": base["rate"] + band})
    material = (n >= thresholds.min_denominator) & \
        ((frame["value"] - frame["expected"]).abs() >= thresholds.min_relative * frame["expected"])
    frame["severity"] = _severity(frame["z"], material, thresholds)
    return frame


def _severity(z: pd.Series, material: pd.Series, thresholds: Thresholds) -> pd.Series:
    severity = pd.Series("", index=z.index, dtype=object)
    severity[(z.abs() >= thresholds.warning) & material] = "warning"
    severity[(z.abs() >= thresholds.critical) & material] = "critical"
    return severity
