"""`kpibot anomalies [METRIC] [PERIOD]`: the days the detector flags, judged as the daily check did.

With ``--labels FILE.csv`` (columns ``start,end``) the backtest is scored against the
user's own labelled windows: recall and false days per 100 days.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpi.answer import Period


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("words", nargs="*", metavar="METRIC|PERIOD",
                        help="a KPI (default: every watched KPI) and/or a period (default: last-90d)")
    parser.add_argument("--store", help="the store (default: the only store)")
    parser.add_argument("--json", action="store_true", help="print JSON as in SPEC §6")
    parser.add_argument("--labels", type=Path, metavar="FILE.csv",
                        help="score the backtest against labelled windows (columns start,end)")


def run(args: argparse.Namespace) -> int:
    import json

    from bot.cli.context import as_of_for, load_settings, open_warehouse, single_store
    from bot.render.anomalies import anomaly_lines
    from kpi.anomalies.args import parse_anomaly_args
    from kpi.anomalies.detect import detect, judged_period
    from kpi.anomalies.labels import LabelError, score_days

    settings = load_settings(args)
    store = single_store(settings, args.store)
    windows = _read_labels(args.labels) if args.labels else None
    as_of = as_of_for(args, store)
    metrics, period = parse_anomaly_args(args.words, as_of)
    found = detect(open_warehouse(settings), store, as_of, metrics, period)
    judged = judged_period(period, as_of)
    score = score_days({a.date for a in found}, windows, judged) if windows else None
    if score and not score.windows:
        raise LabelError(f"{args.labels}: no labelled window falls in {judged.start}..{judged.end}; pass a "
                         "PERIOD that covers them, such as 2026-01-01..2026-06-30")
    if args.json:
        out = {"store": store.name, "anomalies": [a.to_json() for a in found]}
        print(json.dumps(out | ({"labels": score.to_json()} if score else {}), ensure_ascii=False))
        return 0
    print("\n".join(line.split(" ", 1)[1] for line in anomaly_lines(found, store)) if found
          else anomaly_lines(found, store)[0])
    if score:
        print(f"Labelled windows found: {score.found}/{score.windows} = {score.recall:.0%} (recall)\n"
              f"False days: {score.false_days} of {score.days} days = {score.false_per_100:.1f} per 100 days "
              "(days flagged outside every labelled window)")
    return 0


def _read_labels(path: Path) -> list[Period]:
    from kpi.anomalies.labels import LabelError, parse_windows

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelError(f"{path}: no such labels file; pass a CSV with the columns start,end") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LabelError(f"{path}: cannot be read as a UTF-8 CSV ({error})") from None
    return parse_windows(text, str(path))
