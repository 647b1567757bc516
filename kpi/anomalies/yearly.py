"""Yearly seasonality: a day judged against the same day a year earlier, scaled by the recent level.

An ordinary day's twin is the same weekday 52 weeks earlier; an event day's twin is the same
day of the same event last year (Easter Monday against last Easter Monday), so the comparison
follows the calendar rather than the date. The level ratio is the median of the recent
"this year minus last year" differences of paired ordinary days (log scale), taken as of the
day before the day judged, or before the event started for an event day. Everything here
looks back only: the prediction for day t uses nothing from t or later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.anomalies.calendar import YEAR_DAYS, Calendar

PAIRS = 28  # recent paired days behind the level ratio
MIN_PAIRS = 14
PROFILE_WEEKS = 8  # same-weekday medians behind the weekday profile at an event's start


def event_days(calendar: Calendar, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Per day: ``event`` (inside an event), its ``twin`` last year and the ``anchor`` it is scaled at.

    An ordinary day's twin is the day 364 days earlier and its anchor is the day itself; an
    event day's anchor is the event's first day (its level is known before the event starts).
    ``expect`` is the direction a planned event is expected to move the KPIs, if any.
    """
    rows: list[tuple[bool, pd.Timestamp, pd.Timestamp, str | None]] = []
    for stamp in index:
        day = stamp.date()
        events = calendar.on(day)
        if not events:
            rows.append((False, stamp - pd.Timedelta(days=YEAR_DAYS), stamp, None))
            continue
        # the most specific event that also happened last year; when two holidays share the
        # day, one that kept its date explains it better than one that moved onto it
        paired = [(event, twin) for event in events if (twin := calendar.partner(event, day))]
        paired.sort(key=lambda pair: (pair[1].month, pair[1].day) != (day.month, day.day))
        event, twin = paired[0] if paired else (events[0], None)
        rows.append((True, pd.Timestamp(twin) if twin else pd.NaT, pd.Timestamp(event.start),
                     calendar.expectation(day)))
    frame = pd.DataFrame(rows, index=index, columns=["event", "twin", "anchor", "expect"])
    return frame.astype({"event": bool})


def trailing_median(values: pd.Series, count: int, min_count: int) -> pd.Series:
    """Median of the last ``count`` non-missing values strictly before each day (gaps skipped)."""
    present = values.dropna()
    medians = present.rolling(count, min_periods=min_count).median()
    return medians.reindex(values.index).ffill().shift(1)


def positions(index: pd.DatetimeIndex, stamps: pd.Series) -> np.ndarray:
    """Integer positions of ``stamps`` in ``index`` (-1 where absent or NaT)."""
    return np.asarray(index.get_indexer(pd.DatetimeIndex(stamps)))


def at(values: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``values[where]`` with NaN where ``where`` is -1."""
    out = np.full(len(where), np.nan)
    found = where >= 0
    out[found] = values[where[found]]
    return out


def weekday_profile(clean: pd.Series) -> pd.DataFrame:
    """Per day and weekday: the median of the last eight clean values of that weekday (before the day)."""
    columns = {}
    for weekday in range(7):
        on_weekday = clean.where(clean.index.day_of_week == weekday)
        columns[weekday] = trailing_median(on_weekday, PROFILE_WEEKS, 2)
    return pd.DataFrame(columns, index=clean.index)


def level_ratio(clean: pd.Series) -> pd.Series:
    """Log level now minus a year ago, from the last 28 paired ordinary days before each day."""
    return trailing_median(clean - clean.shift(YEAR_DAYS), PAIRS, MIN_PAIRS)


def yearly_prediction(clean: pd.Series, seen: pd.Series, days: pd.DataFrame) -> pd.Series:
    """Log-scale expectation from last year's twin day, or NaN without one.

    ``clean`` holds the ordinary days (events and excluded days missing), ``seen`` every real
    observation (event days included): an event day is predicted from last year's same event
    day, moved by the level ratio at the event's start and by the weekday difference.
    """
    index = clean.index
    ratio = level_ratio(clean).to_numpy()
    twin = positions(index, days["twin"])
    anchor = positions(index, days["anchor"])
    ordinary = at(clean.to_numpy(), twin) + at(ratio, anchor)
    profile = weekday_profile(clean).to_numpy()
    weekdays = index.day_of_week.to_numpy()
    twin_weekdays = np.where(twin >= 0, weekdays[np.clip(twin, 0, None)], 0)
    safe_anchor = np.clip(anchor, 0, None)
    shift = profile[safe_anchor, weekdays] - profile[safe_anchor, twin_weekdays]
    shift = np.where(weekdays == twin_weekdays, 0.0, shift)
    event = at(seen.to_numpy(), twin) + at(ratio, anchor) + shift
    is_event = days["event"].to_numpy()
    return pd.Series(np.where(is_event, event, ordinary), index=index)


def normal_day(clean: pd.Series, days: pd.DataFrame) -> pd.Series:
    """What an ordinary day of the same weekday looked like just before each event started."""
    profile = weekday_profile(clean).to_numpy()
    anchor = np.clip(positions(clean.index, days["anchor"]), 0, None)
    return pd.Series(profile[anchor, clean.index.day_of_week.to_numpy()], index=clean.index)


def yearly_rate(k: pd.Series, n: pd.Series, ordinary: pd.Series, seen: pd.Series,
                days: pd.DataFrame, proportion: bool = True) -> pd.DataFrame:
    """A ratio's expected rate from last year's twin day, scaled by the pooled-rate ratio vs a year ago.

    ``ordinary`` marks the days the pooled rates learn from, ``seen`` the real observations a
    twin may be (event days included). Columns ``rate`` and ``twin_n`` (the twin's
    denominator, whose own noise widens the band).
    """
    index = k.index
    pooled = _pooled(k, n, ordinary)
    ratio = (pooled / pooled.shift(YEAR_DAYS)).to_numpy()
    twin = positions(index, days["twin"])
    anchor = positions(index, days["anchor"])
    twin_k, twin_n = at(k.where(seen).to_numpy(float), twin), at(n.where(seen).to_numpy(float), twin)
    # a proportion stays within [0, 1]; a mean per unit (an AOV) only stays non-negative
    rate = np.clip(twin_k / np.where(twin_n > 0, twin_n, np.nan) * at(ratio, anchor), 0.0,
                   1.0 if proportion else np.inf)
    return pd.DataFrame({"rate": rate, "twin_n": twin_n}, index=index)


def _pooled(k: pd.Series, n: pd.Series, usable: pd.Series, days: int = 28) -> pd.Series:
    past_k = k.where(usable, 0.0).shift(1).rolling(days, min_periods=1).sum()
    past_n = n.where(usable, 0.0).shift(1).rolling(days, min_periods=1).sum()
    return (past_k / past_n).where(past_n > 0)
