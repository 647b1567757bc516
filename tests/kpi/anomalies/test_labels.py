"""`kpibot anomalies --labels`: the backtest scored against a user's own labelled windows."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.cli.main import main
from connectors.demo.shop import PLANTED_ANOMALIES
from kpi.anomalies.labels import LabelError, parse_windows, score_days
from kpi.answer import Period
from tests.support.ga4 import AS_OF, synced_demo_db


def test_scoring_a_tiny_hand_made_series():
    day = date(2026, 3, 1)
    flagged = {day, day + timedelta(days=2), day + timedelta(days=6), day + timedelta(days=30)}  # the last is outside
    windows = [Period(day, day + timedelta(days=1)),  # found (day 0)
               Period(day + timedelta(days=4), day + timedelta(days=5)),  # missed
               Period(day + timedelta(days=6), day + timedelta(days=6)),  # found (day 6)
               Period(day + timedelta(days=40), day + timedelta(days=41))]  # outside the judged days: not counted
    score = score_days(flagged, windows, Period(day, day + timedelta(days=9)))
    assert (score.windows, score.found, score.days, score.false_days) == (3, 2, 10, 1)  # day 2 is the false one
    assert score.recall == 2 / 3 and score.false_per_100 == 10.0


def test_label_files_are_read_with_their_columns_in_any_order():
    windows = parse_windows("end,start,note\n2026-03-02,2026-03-01,launch\n\n2026-04-01,2026-04-01,\n", "l.csv")
    assert windows == [Period(date(2026, 3, 1), date(2026, 3, 2)), Period(date(2026, 4, 1), date(2026, 4, 1))]


@pytest.mark.parametrize(("text", "says"), [
    ("from,to\n2026-03-01,2026-03-02\n", "the first row must name the columns start,end"),
    ("start,end\n2026-03-01,2026-03-02\n2026-03-05,March 6\n", "l.csv row 3: 'March 6' is not a date as YYYY-MM-DD"),
    ("start,end\n2026-03-05,2026-03-01\n", "l.csv row 2: end 2026-03-01 is before start 2026-03-05"),
    ("start,end\n2026-03-05\n", "l.csv row 2: '' is not a date"),
    ("start,end\n", "has no labelled windows"),
])
def test_bad_label_files_name_the_row(text, says):
    with pytest.raises(LabelError) as error:
        parse_windows(text, "l.csv")
    assert says in str(error.value) and "\n" not in str(error.value)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labels")
    db = synced_demo_db(folder / "demo.db")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = folder / "kpibot.toml"
    path.write_text(f'[kpibot]\ndatabase = "{folder / "demo.db"}"\n[[stores]]\nname = "demo-shop"\n'
                    'ga4_property = "100000001"\nlanguage = "en"\n')
    return path


def test_cli_scores_the_backtest_against_labels(config, tmp_path, capsys):
    outage, bot = PLANTED_ANOMALIES[0].dates(AS_OF)[0], PLANTED_ANOMALIES[-1].dates(AS_OF)[0]
    quiet = outage - timedelta(days=20)
    windows = [(outage, outage), (bot - timedelta(days=1), bot + timedelta(days=1)), (quiet, quiet + timedelta(days=2))]
    labels = tmp_path / "labels.csv"
    labels.write_text("start,end\n" + "".join(f"{a},{b}\n" for a, b in windows))
    args = ["--config", str(config), "anomalies", "last-90d", "--labels", str(labels), "--as-of", AS_OF.isoformat()]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    flagged = {date.fromisoformat(a["date"]) for a in out["anomalies"]}
    judged_days = (AS_OF - timedelta(days=3) - (AS_OF - timedelta(days=90))).days + 1
    found = sum(any(a <= d <= b for d in flagged) for a, b in windows)
    false_days = sum(not any(a <= d <= b for a, b in windows) for d in flagged)
    assert out["labels"] == {"windows": 3, "found": found, "recall": found / 3, "days": judged_days,
                             "false_days": false_days, "false_per_100_days": 100 * false_days / judged_days}
    assert found == 2  # the outage and the bot are planted; the quiet window is not
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Labelled windows found: 2/3 = 67% (recall)" in text
    assert f"False days: {false_days} of {judged_days} days" in text


def test_cli_refuses_bad_label_files_in_one_line(config, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("start,end\n2026-10-01,2026-10-02\n2026-10-09,2026-10-03\n")
    base = ["--config", str(config), "anomalies", "--as-of", AS_OF.isoformat(), "--labels"]
    assert main([*base, str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"kpibot: {bad} row 3: end 2026-10-03 is before start 2026-10-09"
    assert main([*base, str(tmp_path / "missing.csv")]) == 2
    assert "no such labels file" in capsys.readouterr().err
    old = tmp_path / "old.csv"
    old.write_text("start,end\n2020-01-01,2020-01-02\n")
    assert main([*base, str(old)]) == 2
    assert "no labelled window falls in" in capsys.readouterr().err
