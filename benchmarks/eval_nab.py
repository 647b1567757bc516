"""How often the anomaly detector is right: NAB's real tweet series and the 3-year demo shop.

Prints recall and false days per 100 days for the kpibot detector beside two naive rules
(">30% vs the same weekday last week" and "beyond 3 standard deviations of the last 28
days"), first on NAB's labelled tweet volumes (``shared/datasets``, skipped with a note when
absent), then on three years of the demo shop with its Italian calendar (recall = planted
incidents found; false days per 100 days per watched KPI), and the time of the detector's
backtest of every watched KPI over those three years (target < 5 s).
Usage: python benchmarks/eval_nab.py [path/to/shared/datasets]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from kpi.anomalies.baselines import Thresholds, judge_additive
from kpi.anomalies.labels import LabelScore, score_days
from kpi.answer import Period

Rule = Callable[[pd.Series], pd.Series]
FILES = ("nab_tweets_daily.csv", "nab_tweets_windows.csv")
AS_OF = date(2026, 11, 24)
DEMO_DAYS = 3 * 365 + 1
WARM_UP_DAYS = 90  # the demo's first days only give the detector its history


HERE = Path(__file__).resolve()


def find_datasets(start: Path = HERE) -> Path:
    """``shared/datasets`` beside the repository or any folder above it (worktrees sit deeper)."""
    for parent in start.parents:
        if (parent / "shared" / "datasets" / FILES[0]).exists():
            return parent / "shared" / "datasets"
    return start.parents[2] / "shared" / "datasets"


DATASETS = find_datasets()


def load(folder: Path = DATASETS) -> tuple[pd.DataFrame, pd.DataFrame]:
    daily = pd.read_csv(folder / FILES[0], parse_dates=["date"])
    windows = pd.read_csv(folder / FILES[1], parse_dates=["start", "end"])
    return daily, windows


def ours(series: pd.Series) -> pd.Series:
    """The detector as it judges an additive count (tweets, like orders, are counts)."""
    return judge_additive(series, Thresholds(), counts=series)["severity"] != ""


def naive(series: pd.Series) -> pd.Series:
    last_week = series.shift(7)
    return ((series - last_week).abs() / last_week > 0.30).fillna(False)


def three_sigma(series: pd.Series) -> pd.Series:
    past = series.shift(1).rolling(28, min_periods=7)
    return ((series - past.mean()).abs() > 3 * past.std()).fillna(False)


RULES: tuple[tuple[str, Rule], ...] = (
    ("kpibot detector", ours),
    ("naive: >30% vs same weekday last week", naive),
    ("naive: beyond 3 sd of the last 28 days", three_sigma),
)


def score(daily: pd.DataFrame, windows: pd.DataFrame, rule: Rule) -> LabelScore:
    total = LabelScore(0, 0, 0, 0)
    for name, rows in daily.groupby("series"):
        series = rows.set_index("date")["value"].asfreq("D")
        flagged = rule(series).reindex(series.index, fill_value=False) & series.notna()
        spans = [Period(w.start.date(), w.end.date()) for w in windows[windows["series"] == name].itertuples()]
        judged = Period(series.index[0].date(), series.index[-1].date())
        days = {stamp.date() for stamp in flagged[flagged].index}
        total += score_days(days, spans, judged, days=int(series.notna().sum()))
    return total


def nab_table(folder: Path) -> list[str]:
    if not all((folder / name).exists() for name in FILES):
        return [f"NAB tweets: data missing (looked for {FILES[0]} in {folder}); pass the datasets folder "
                "as the first argument to include them"]
    daily, windows = load(folder)
    lines = [f"NAB tweets ({daily['series'].nunique()} series, {len(windows)} labelled windows)",
             f"  {'rule':42s} {'recall':>16s} {'false days per 100':>20s}"]
    for label, rule in RULES:
        result = score(daily, windows, rule)
        lines.append(f"  {label:42s} {f'{result.found}/{result.windows} = {result.recall:.0%}':>16s} "
                     f"{result.false_per_100:>20.1f}")
    return lines


def demo_table() -> list[str]:
    from bot.cli.demo.store import demo_store
    from connectors.demo.shop import PLANTED_ANOMALIES
    from kpi.anomalies.detect import detect
    from kpi.anomalies.watch import WATCHED

    with tempfile.TemporaryDirectory() as folder:
        db = _synced_demo(Path(folder) / "demo.db")
        store = demo_store("en")
        judged = Period(AS_OF - timedelta(days=DEMO_DAYS - WARM_UP_DAYS), AS_OF - timedelta(days=3))
        started = time.perf_counter()
        found = detect(db, store, AS_OF, period=judged)
        seconds = time.perf_counter() - started
        series = {name: _daily_values(db, store, name, judged) for name in WATCHED}
    planted = {(day, metric) for p in PLANTED_ANOMALIES for day in p.dates(AS_OF) for metric in p.metrics}
    planted_days = {day for day, _ in planted}
    lines = [f"Demo shop, 3 years with Italian holidays ({len(WATCHED)} watched KPIs, {judged.days} days judged, "
             f"{len(PLANTED_ANOMALIES)} planted incidents)",
             f"  {'rule':42s} {'incidents found':>16s} {'false days per 100 per KPI (worst)':>36s}"]
    flags = {("kpibot detector", a.metric, a.date) for a in found}
    for label, rule in RULES[1:]:
        for metric, values in series.items():
            flags |= {(label, metric, stamp.date()) for stamp in values.index[rule(values).to_numpy()]}
    for label, _ in RULES:
        mine = {(metric, day) for rule, metric, day in flags if rule == label}
        incidents = sum(any((m, day) in mine for day in p.dates(AS_OF) for m in p.metrics) for p in PLANTED_ANOMALIES)
        strays = {m: sum(1 for metric, day in mine if metric == m and day not in planted_days) for m in WATCHED}
        worst = max(strays, key=lambda m: strays[m])
        mean = 100 * sum(strays.values()) / len(strays) / judged.days
        lines.append(f"  {label:42s} {f'{incidents}/{len(PLANTED_ANOMALIES)}':>16s} "
                     f"{f'{mean:.2f} ({100 * strays[worst] / judged.days:.2f} {worst})':>36s}")
    lines.append(f"Backtest of every watched KPI over {judged.days} days: {seconds:.2f} s (target < 5 s)")
    return lines


def _synced_demo(path: Path):  # type: ignore[no-untyped-def]
    from connectors.demo.shop import build_demo_shop
    from connectors.ga4.client import build_client
    from connectors.ga4.emulator.server import serve_emulator
    from connectors.ga4.sync import sync_store
    from connectors.warehouse import open_database

    db = open_database(path)
    with serve_emulator(build_demo_shop(AS_OF, DEMO_DAYS)) as emulator:
        sync_store(db, build_client({"KPIBOT_GA4_ENDPOINT": emulator.url}), "demo-shop", "100000001",
                   AS_OF - timedelta(days=DEMO_DAYS), AS_OF - timedelta(days=1), clock=lambda: datetime(2026, 11, 24))
    return db


def _daily_values(db, store, name: str, judged: Period) -> pd.Series:  # type: ignore[no-untyped-def]
    """A watched KPI's value per day, for the naive rules, over the judged days and their history."""
    from kpi.catalogue import BY_NAME
    from kpi.series import formula_daily

    metric = BY_NAME[name]
    span = Period(judged.start - timedelta(days=WARM_UP_DAYS), judged.end)
    index = pd.date_range(span.start, span.end)

    def dense(part) -> pd.Series:  # type: ignore[no-untyped-def]
        frame = formula_daily(db, store, part, span.start, span.end)  # ad cost is a Total over platforms
        return frame.set_index(pd.to_datetime(frame["date"]))["value"].reindex(index, fill_value=0.0)

    values = dense(metric.numerator)
    if metric.denominator is not None:
        values = values / dense(metric.denominator).replace(0.0, np.nan)
        values = 1 - values if metric.transform == "one_minus" else values
    return values.loc[pd.Timestamp(judged.start):]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DATASETS
    print("\n".join(nab_table(folder)))
    print("\n".join(demo_table()))


if __name__ == "__main__":
    main()
