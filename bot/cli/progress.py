"""Sync progress: a rich progress bar on a terminal, plain lines otherwise, log records in `serve`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from connectors.ga4.sync import Progress


@contextmanager
def sync_progress(store: str, stream: TextIO | None = None) -> Iterator[Progress]:
    stream = stream or sys.stderr
    if not stream.isatty():
        def log(report: str, done: int, total: int, rows: int) -> None:
            if done == total:
                print(f"sync {store}: {report} done ({total} chunk(s), {rows} rows so far)", file=stream)

        yield log
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def update(report: str, done: int, total: int, rows: int) -> None:
            if report not in tasks:
                tasks[report] = bar.add_task(f"{store} · {report}", total=total)
            bar.update(tasks[report], completed=done)

        yield update


@contextmanager
def logged_progress(store: str) -> Iterator[Progress]:
    """For the scheduler: each finished report as a log record, so `--log-format json` stays one object a line."""
    log = logging.getLogger("kpibot.sync")

    def record(report: str, done: int, total: int, rows: int) -> None:
        if done == total:
            log.info("sync %s: %s done (%d chunk(s), %d rows so far)", store, report, total, rows)

    yield record
