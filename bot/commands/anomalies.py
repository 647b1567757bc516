"""`kpibot anomalies [METRIC] [PERIOD]`: the days the detector flags, judged as the daily check did."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("words", nargs="*", metavar="METRIC|PERIOD",
                        help="a KPI (default: every watched KPI) and/or a period (default: last-90d)")
    parser.add_argument("--store", help="the store (default: the only store)")
    parser.add_argument("--json", action="store_true", help="print JSON as in SPEC §6")


def run(args: argparse.Namespace) -> int:
    import json

    from bot.anomaly_text import anomaly_lines
    from bot.context import as_of_for, load_settings, open_warehouse, single_store
    from kpi.anomalies import detect
    from kpi.anomaly_args import parse_anomaly_args

    settings = load_settings(args)
    store = single_store(settings, args.store)
    as_of = as_of_for(args, store)
    metrics, period = parse_anomaly_args(args.words, as_of)
    found = detect(open_warehouse(settings), store, as_of, metrics, period)
    if args.json:
        print(json.dumps({"store": store.name, "anomalies": [a.to_json() for a in found]}, ensure_ascii=False))
    else:
        print("\n".join(line.split(" ", 1)[1] for line in anomaly_lines(found, store)) if found
              else anomaly_lines(found, store)[0])
    return 0
