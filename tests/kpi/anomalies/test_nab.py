"""The detector on NAB's real tweet series: the issue's targets, and better than both naive rules."""

from __future__ import annotations

import sys

import pytest

from tests.support.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from eval_nab import DATASETS, load, nab_table, naive, ours, score, three_sigma  # noqa: E402

needs_data = pytest.mark.skipif(not (DATASETS / "nab_tweets_daily.csv").exists(),
                                reason="shared/datasets is not beside the repository")


@needs_data
def test_recall_of_at_least_22_of_33_windows_at_no_more_than_7_false_days_per_100():
    daily, windows = load()
    mine = score(daily, windows, ours)
    assert mine.windows == len(windows) == 33
    assert mine.found >= 22 and mine.false_per_100 <= 7.0, mine


@needs_data
def test_beats_each_naive_rule_on_one_count_without_losing_on_the_other():
    daily, windows = load()
    mine = score(daily, windows, ours)
    week, sigma = score(daily, windows, naive), score(daily, windows, three_sigma)
    assert mine.recall > week.recall and mine.false_per_100 < week.false_per_100
    assert mine.recall > sigma.recall  # the 3-sigma rule is quiet because it finds little


def test_the_benchmark_says_when_the_data_is_missing(tmp_path):
    lines = nab_table(tmp_path)
    assert len(lines) == 1 and "data missing" in lines[0] and str(tmp_path) in lines[0]
