"""Robust baselines for daily series, with no look-ahead.

Every prediction for day t uses only days before t. Additive series are modelled on
``log1p`` by robust candidates (``kpi.anomalies.candidates``: same weekday, level plus weekday effect,
recent level and, with a year of data, last year's twin day); for each day the candidate
whose recent residuals are smaller (by MAD) wins, so a shop with a strong weekly pattern gets
a weekday model and a series without one is not forced into it. A day is flagged only when
the second opinions agree (``_unless_explained``). Ratio series are judged with a
quasi-binomial test on the counts.

Calendar events (``days``) and excluded days stay out of every baseline. An event day is
judged against the same event last year when there is one, and otherwise not at all, unless
the event carries an expected direction: then a day moving the other way still alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kpi.anomalies import candidates
from kpi.anomalies.candidates import RECENT_DAYS, SCALE_DAYS
from kpi.anomalies.yearly import normal_day, yearly_rate

MIN_SCALE = 0.04  # on log1p: no day is judged against a band narrower than about ±4% per sigma
# ...nor, usually, wider than ±12% per sigma: however volatile a series, a several-fold jump is
# news. With too little history for a scale, this cap is the scale.
MAX_SCALE = 0.12
# A series whose ordinary days miss their baseline by more than ±50% (log) is bursty by nature
# (social volumes, tiny shops): beyond this its band widens at half the rate of its own scale.
BURSTY_SCALE = 0.5
TRUSTED_RESIDUALS = 14  # a scale learned from fewer residuals is never narrower than the cap
POISSON_FACTOR = 1.2  # Poisson noise of a log count, widened for the baseline's own error
EVENT_WIDENING = 1.5  # an event repeats less exactly than an ordinary weekday does
DISPERSION_DAYS = 56
MEDIAN_CHI2_1 = 0.4549


@dataclass(frozen=True)
class Thresholds:
    warning: float = 4.0  # robust z beyond which a day is flagged
    critical: float = 6.0
    min_relative: float = 0.20  # and the value must differ from expected by at least this much...
    min_absolute: float = 0.0  # ...and by at least this many units
    min_denominator: float = 0.0  # ratios: days with a smaller denominator are never judged


def _mask(series: pd.Series, days: pd.Series | None) -> pd.Series:
    return series if days is None else series.mask(days.reindex(series.index, fill_value=False).astype(bool))


def _bound(scale: pd.Series, support: pd.Series, expected: pd.Series) -> pd.Series:
    """Cap the scale (softly for bursty series); untrusted or missing scales are the cap."""
    scale = scale.where(scale.notna() | expected.isna(), MAX_SCALE)
    scale = scale.where(support >= TRUSTED_RESIDUALS, np.maximum(scale, MAX_SCALE))
    bursty = 0.5 * (scale - BURSTY_SCALE).clip(lower=0)
    return (scale.clip(upper=MAX_SCALE) + bursty).clip(lower=MIN_SCALE)


def additive_baseline(values: pd.Series, excluded: pd.Series | None = None,
                      counts: pd.Series | None = None, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """Columns ``candidate``, ``expected`` (log1p scale), ``scale``, ``z`` and ``expect`` per day.

    ``excluded`` marks days (marked Expected, or missing) kept out of every baseline; ``days``
    (``kpi.anomalies.yearly.event_days``) marks calendar events and pairs each day with last year's twin.
    ``counts`` is the count behind the series (orders behind revenue, the series itself for
    orders): a day built on ~60 orders cannot be known better than Poisson noise allows,
    about 1/sqrt(60) on the log scale, however calm the recent weeks happened to be.
    """
    observed = np.log1p(values.astype(float).clip(lower=0))
    seen = _mask(observed, excluded)
    ordinary = ~days["event"] if days is not None else pd.Series(True, index=values.index)
    clean = _mask(seen, ~ordinary)
    found = candidates.build(clean, seen, days)
    chosen = candidates.choose(found, values.index)
    floor = _poisson_floor(counts, values.index)
    frame = pd.DataFrame({"candidate": chosen["name"], "expected": chosen["expected"],
                          "scale": _bound(chosen["scale"], chosen["support"], chosen["expected"]),
                          "expect": pd.Series(None, index=values.index, dtype=object)})
    if days is not None:
        frame = _judge_events(frame, clean, found["yearly"], days)
    frame["scale"] = np.maximum(frame["scale"], floor)
    z = (observed - frame["expected"]) / frame["scale"]
    young = found["weekday"].scale.isna() & ordinary
    last_week = candidates.same_weekday_median(clean, min_count=1)
    z = _unless_explained(z, (observed - last_week) / frame["scale"], young)
    if days is not None:
        yearly = found["yearly"]
        yearly_scale = np.maximum(_bound(yearly.scale, yearly.support, yearly.prediction), floor)
        z = _unless_explained(z, (observed - yearly.prediction) / yearly_scale, ordinary)
    return frame.assign(z=z)


def expected_values(values: pd.DataFrame) -> pd.DataFrame:
    """Each column's expected value per day (in its own units), from the same candidates."""
    clean = np.log1p(values.astype(float).clip(lower=0))
    return np.expm1(candidates.expected_frame(candidates.build(clean, clean, None), values))


def _poisson_floor(counts: pd.Series | None, index: pd.Index) -> pd.Series:
    if counts is None:
        return pd.Series(0.0, index=index)
    typical = counts.astype(float).shift(1).rolling(RECENT_DAYS, min_periods=1).median().clip(lower=1.0)
    return POISSON_FACTOR / np.sqrt(typical)


def _unless_explained(z: pd.Series, other: pd.Series, where: pd.Series) -> pd.Series:
    """``z``, except where a second opinion exists and finds the day less odd (or odd the other way).

    Two second opinions: while the weekday model has no track record, last week's same day (a
    young baseline cannot tell a weekend dip from a drop); and, with a year of data, the same
    day last year (a December run-up is not news when last December ran up the same way).
    """
    asked = where & other.notna() & z.notna()
    agreeing = np.sign(z) * np.minimum(z.abs(), other.abs())
    return z.where(~asked, agreeing.where(np.sign(z) == np.sign(other), 0.0))


def _judge_events(frame: pd.DataFrame, clean: pd.Series, yearly: candidates.Candidate[pd.Series],
                  days: pd.DataFrame) -> pd.DataFrame:
    """Event days: against last year's twin when there is one, else only against their expectation."""
    event = days["event"].to_numpy()
    anchor_scale = _anchor(yearly.scale, days).fillna(MAX_SCALE).clip(MIN_SCALE, MAX_SCALE) * EVENT_WIDENING
    twin_known = event & yearly.prediction.notna().to_numpy()
    expected = frame["expected"].where(~event, np.where(twin_known, yearly.prediction, np.nan))
    scale = frame["scale"].where(~event, np.where(twin_known, anchor_scale, np.nan))
    promised = event & ~twin_known & days["expect"].notna().to_numpy()
    expected = expected.where(~promised, normal_day(clean, days))
    scale = scale.where(~promised, _anchor(frame["scale"], days))
    candidate = frame["candidate"].where(~event, np.where(twin_known, "yearly", np.where(promised, "normal day", "")))
    return frame.assign(candidate=candidate, expected=expected, scale=scale,
                        expect=days["expect"].where(promised, None))


def _anchor(series: pd.Series, days: pd.DataFrame) -> pd.Series:
    """``series`` as it stood on each day's anchor (an event's first day)."""
    where = series.index.get_indexer(pd.DatetimeIndex(days["anchor"]))
    values = series.to_numpy()[np.clip(where, 0, None)]
    return pd.Series(np.where(where >= 0, values, np.nan), index=series.index)


def judge_additive(values: pd.Series, thresholds: Thresholds, excluded: pd.Series | None = None,
                   counts: pd.Series | None = None, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per day: value, expected, low, high, z, severity ('' when not flagged)."""
    base = additive_baseline(values, excluded, counts, days)
    expected = np.expm1(base["expected"])
    frame = pd.DataFrame({
        "value": values.astype(float), "expected": expected, "z": base["z"],
        "low": np.expm1(base["expected"] - thresholds.warning * base["scale"]).clip(lower=0),
        "high": np.expm1(base["expected"] + thresholds.warning * base["scale"]),
    })
    gap = (frame["value"] - frame["expected"]).abs()
    material = (gap >= thresholds.min_absolute) & (gap >= thresholds.min_relative * frame["expected"].abs())
    frame["severity"] = _severity(_against_expectation(frame["z"], base["expect"]), material, thresholds)
    return frame


def _against_expectation(z: pd.Series, expect: pd.Series) -> pd.Series:
    """A day of an event expected to go up is news only when it goes down (and vice versa)."""
    return z.where(~(((expect == "up") & (z > 0)) | ((expect == "down") & (z < 0))), 0.0)


def unit_variance(rate: pd.Series | np.ndarray | float, proportion: bool) -> Any:
    """Variance of one unit's contribution at ``rate``, up to the dispersion learned from the data.

    A proportion (orders per session, engaged sessions per session) is binomial: rate × (1 − rate).
    A mean per unit (revenue per order, cost per click) is not bounded by 1; its spread grows with
    its level (a constant coefficient of variation), so rate². Using the binomial one on an AOV of 80
    gives a negative variance: that was the "invalid value in sqrt" a user saw.
    """
    return rate * (1 - rate) if proportion else rate * rate


def ratio_baseline(numerator: pd.Series, denominator: pd.Series, excluded: pd.Series | None = None,
                   days: pd.DataFrame | None = None, proportion: bool = True) -> pd.DataFrame:
    """Pooled rate of the previous 28 days, overdispersion and quasi-likelihood z per day
    (quasi-binomial for a proportion, quasi-gamma-like for a mean per unit: ``unit_variance``).

    Event days are judged against last year's twin day's rate, scaled by how the pooled rate
    moved since a year ago, with the twin's own noise added to the band.
    """
    k = numerator.astype(float)
    n = denominator.astype(float)
    usable = n > 0
    if excluded is not None:
        usable &= ~excluded.reindex(n.index, fill_value=False).astype(bool)
    event = days["event"] if days is not None else pd.Series(False, index=n.index)
    learn = usable & ~event
    past_k = k.where(learn, 0.0).shift(1).rolling(SCALE_DAYS, min_periods=1).sum()
    past_n = n.where(learn, 0.0).shift(1).rolling(SCALE_DAYS, min_periods=1).sum()
    count = learn.astype(float).shift(1).rolling(SCALE_DAYS, min_periods=1).sum()
    rate = (past_k / past_n).where((past_n > 0) & (count >= 14))
    variance = (n * unit_variance(rate, proportion)).where((n > 0) & (rate > 0))
    raw_z = (k - n * rate) / np.sqrt(variance)
    # quasi-binomial: days vary more than a binomial would (and currency "counts" need a
    # scale); estimate the dispersion robustly from the previous 28 days' squared residuals
    dispersion = (raw_z.where(learn) ** 2).shift(1).rolling(DISPERSION_DAYS, min_periods=14).median() / MEDIAN_CHI2_1
    dispersion = dispersion.clip(lower=1.0)
    frame = pd.DataFrame({"rate": rate, "dispersion": dispersion, "z": raw_z / np.sqrt(dispersion),
                          "widening": 1.0})
    return frame if days is None else _ratio_events(frame, k, n, learn, usable, days, proportion)


def _ratio_events(frame: pd.DataFrame, k: pd.Series, n: pd.Series, learn: pd.Series, usable: pd.Series,
                  days: pd.DataFrame, proportion: bool) -> pd.DataFrame:
    """Event days against last year's twin day's rate; the band is that of a difference of two rates.

    The variance uses the larger of the expected rate and the ordinary rate before the event,
    so a twin day that happened to be low cannot make today's band vanish.
    """
    event = days["event"].to_numpy()
    twin = yearly_rate(k, n, learn, usable, days, proportion)
    dispersion = _anchor(frame["dispersion"], days)
    spread = np.maximum(twin["rate"], _anchor(frame["rate"], days))
    # variance of today's rate minus the twin's, relative to today's own binomial variance
    twin_variance = unit_variance(twin["rate"], proportion)
    widening = np.sqrt((1 + n / twin["twin_n"]) * unit_variance(spread, proportion)
                       / twin_variance.where(twin_variance > 0)) * EVENT_WIDENING
    rate = frame["rate"].where(~event, twin["rate"])
    dispersion = frame["dispersion"].where(~event, dispersion)
    widening = frame["widening"].where(~event, widening)
    variance = n * unit_variance(rate, proportion) * dispersion
    z = (k - n * rate) / np.sqrt(variance.where(variance > 0)) / widening
    return pd.DataFrame({"rate": rate, "dispersion": dispersion, "z": z, "widening": widening})


def judge_ratio(numerator: pd.Series, denominator: pd.Series, thresholds: Thresholds,
                excluded: pd.Series | None = None, days: pd.DataFrame | None = None,
                proportion: bool = True) -> pd.DataFrame:
    base = ratio_baseline(numerator, denominator, excluded, days, proportion)
    n = denominator.astype(float)
    value = numerator.astype(float) / n.where(n > 0)
    spread = base["dispersion"] * unit_variance(base["rate"], proportion) / n.where(n > 0)
    band = thresholds.warning * np.sqrt(spread) * base["widening"]
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
