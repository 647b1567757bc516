"""The detector on NAB's real tweet series must beat a naive week-over-week rule on both counts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from eval_nab import DATASETS, load, naive, ours, score  # noqa: E402

pytestmark = pytest.mark.skipif(not (DATASETS / "nab_tweets_daily.csv").exists(),
                                reason="shared/datasets is not beside the repository")


def test_beats_the_naive_rule_on_recall_and_false_days():
    daily, windows = load()
    mine, theirs = score(daily, windows, ours), score(daily, windows, naive)
    assert mine.recall > theirs.recall
    assert mine.false_per_100 < theirs.false_per_100
    assert mine.windows == theirs.windows == len(windows)
