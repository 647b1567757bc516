"""One monthly goal, one status and one pace: the digest, `kpibot ask`, `kpibot alerts` and App Home
all judge it through ``kpi.targets.check_target``, and agree with plain arithmetic on the raw rows."""

from __future__ import annotations

import calendar
import json
import math
from datetime import date, timedelta

import pytest

from bot.cli.main import main
from bot.config.loader import load_settings
from bot.render.formatting import format_value
from bot.render.home import home_view
from bot.slack.home import store_home
from connectors.warehouse import open_database
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db

GOAL = 360_000.0
YESTERDAY = AS_OF - timedelta(days=1)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pacing")
    synced_demo_db(folder / "demo.db")
    path = folder / "kpibot.toml"
    path.write_text('[kpibot]\ndatabase = "demo.db"\n[[stores]]\nname = "demo-shop"\nga4_property = "100000001"\n'
                    'language = "it"\nchannels = ["C0DEMO"]\n'
                    f'[stores.targets]\nrevenue = {{ min = {GOAL}, period = "month" }}\n')
    return path


def expected_pace() -> float:
    """Month-to-date revenue over the goal's share of the month so far, weighting each weekday by its
    mean revenue over the 8 weeks before the as-of day (pandas on the emulator's rows)."""
    raw = demo_frames()["sessions"]
    daily = raw.groupby("date")["revenue"].sum()
    daily.index = [date.fromisoformat(d) for d in daily.index]
    window = daily[(daily.index >= AS_OF - timedelta(weeks=8)) & (daily.index < AS_OF)]
    means = window.groupby([d.weekday() for d in window.index]).mean()
    weight = {d: means[d] / means.mean() for d in range(7)}
    first = YESTERDAY.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    month = [first + timedelta(days=i) for i in range(days)]
    share = sum(weight[d.weekday()] for d in month if d <= YESTERDAY) / sum(weight[d.weekday()] for d in month)
    to_date = daily[(daily.index >= first) & (daily.index <= YESTERDAY)].sum()
    return to_date / (GOAL * share)


def run(config, capsys, *args):
    assert main(["--config", str(config), *args, "--as-of", AS_OF.isoformat()]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_surface_reads_the_same_status_and_pace(config, capsys):
    pace = expected_pace()
    status = "below" if pace < 1 else "ok"
    digest = next(t for t in run(config, capsys, "digest", "--json")["targets"] if t["metric"] == "revenue")
    asked = run(config, capsys, "ask", "revenue yesterday", "--json")["target"]
    findings = run(config, capsys, "alerts", "--json")["findings"]
    for surface in (digest, asked):
        assert surface["status"] == status and math.isclose(surface["pace"], pace, rel_tol=1e-9), surface
        assert surface["judged_period"] == {"start": "2026-11-01", "end": "2026-11-23"}
    target_findings = [f for f in findings if f["kind"] == "target" and f["metric"] == "revenue"]
    if status == "below":  # the alert check warns exactly when the others say below, at the same pace
        (finding,) = target_findings
        assert math.isclose(finding["value"] / finding["expected"], pace, rel_tol=1e-9)
    else:
        assert not target_findings
    settings = load_settings(config)
    home = store_home(open_database(settings.database), settings.stores[0], AS_OF)
    (check,) = [c for c in home.targets if c.metric == "revenue"]
    assert check.status.status == status and math.isclose(check.status.pace, pace, rel_tol=1e-9)
    shown = format_value(pace, "ratio", "EUR", "it")
    text = json.dumps(home_view([home]), ensure_ascii=False)
    assert f"{shown} dell'obiettivo atteso al 23 nov 2026" in text


def test_an_answer_about_yesterday_says_which_days_the_pace_is_about(config, capsys):
    assert main(["--config", str(config), "ask", "fatturato ieri", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    shown = format_value(expected_pace(), "ratio", "EUR", "it")
    assert "1 nov – 23 nov 2026: 270" in out and f"{shown} dell'obiettivo atteso al 23 nov 2026" in out, out


def test_a_past_month_is_judged_whole(config, capsys):
    out = run(config, capsys, "ask", "revenue 2026-10", "--json")
    raw = demo_frames()["sessions"]
    october = raw[(raw.date >= "2026-10-01") & (raw.date <= "2026-10-31")].revenue.sum()
    assert out["target"]["judged_period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert math.isclose(out["target"]["expected_to_date"], GOAL, rel_tol=1e-9)
    assert math.isclose(out["target"]["pace"], october / GOAL, rel_tol=1e-9)
