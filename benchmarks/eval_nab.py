"""Evaluate the additive anomaly detector on NAB's real tweet-volume series.

Prints, for our detector and for a naive rule ("more than 30% vs the same weekday last
week"): recall of the labelled windows and false days per 100 days.
Usage: python benchmarks/eval_nab.py [path/to/shared/datasets]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpi.baselines import Thresholds, judge_additive

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@dataclass(frozen=True)
class Score:
    windows: int
    found: int
    days: int
    false_days: int

    @property
    def recall(self) -> float:
        return self.found / self.windows

    @property
    def false_per_100(self) -> float:
        return 100 * self.false_days / self.days


def load(folder: Path = DATASETS) -> tuple[pd.DataFrame, pd.DataFrame]:
    daily = pd.read_csv(folder / "nab_tweets_daily.csv", parse_dates=["date"])
    windows = pd.read_csv(folder / "nab_tweets_windows.csv", parse_dates=["start", "end"])
    return daily, windows


def ours(series: pd.Series) -> pd.Series:
    return judge_additive(series, Thresholds())["severity"] != ""


def naive(series: pd.Series) -> pd.Series:
    last_week = series.shift(7)
    return ((series - last_week).abs() / last_week > 0.30).fillna(False)


def score(daily: pd.DataFrame, windows: pd.DataFrame, rule) -> Score:  # type: ignore[no-untyped-def]
    total = Score(0, 0, 0, 0)
    for name, rows in daily.groupby("series"):
        series = rows.set_index("date")["value"].asfreq("D")
        flagged = rule(series).reindex(series.index, fill_value=False) & series.notna()
        spans = windows[windows["series"] == name]
        inside = pd.Series(False, index=series.index)
        found = 0
        for span in spans.itertuples():
            in_span = (series.index >= span.start) & (series.index <= span.end)
            inside |= in_span
            found += bool(flagged[in_span].any())
        total = Score(total.windows + len(spans), total.found + found, total.days + int(series.notna().sum()),
                      total.false_days + int((flagged & ~inside).sum()))
    return total


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DATASETS
    daily, windows = load(folder)
    for label, rule in (("kpibot detector", ours), ("naive >30% vs same weekday last week", naive)):
        result = score(daily, windows, rule)
        print(f"{label:40s} recall {result.found}/{result.windows} = {result.recall:.0%}   "
              f"false days {result.false_days}/{result.days} = {result.false_per_100:.1f} per 100 days")


if __name__ == "__main__":
    main()
