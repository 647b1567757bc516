"""One `kpibot demo` run for the CLI tests that start from one (test_cli_config, test_demo_warm)."""

from __future__ import annotations

import io
import shutil
from contextlib import chdir, redirect_stdout
from datetime import date
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.once import built_once, run_folder

DEMO_AS_OF = date(2026, 11, 24)
DEMO_DAYS = 60
DEMO_DB = Path("demo out") / "my-shop.db"  # relative, with a space, not the default name
WIDE = "1000"  # columns: the demo's console wraps no line, so its output never depends on a path's length
PRINTED = "printed.txt"


def run_demo(folder: Path, as_of: date = DEMO_AS_OF) -> str:
    """`kpibot demo` from ``folder`` with the relative --db, on a console as wide as ``WIDE``; what it printed."""
    with chdir(folder), pytest.MonkeyPatch.context() as patch, redirect_stdout(io.StringIO()) as printed:
        patch.setenv("COLUMNS", WIDE)
        assert main(["demo", "--days", str(DEMO_DAYS), "--db", str(DEMO_DB), "--as-of", as_of.isoformat()]) == 0
    return printed.getvalue()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """The folder of a first demo run and what it printed: run once in the whole test run, whichever
    xdist worker asks first. Read it, or copy it with ``copy_demo`` before anything writes there."""

    def first_run(folder: Path) -> None:
        (folder / PRINTED).write_text(run_demo(folder))

    folder = built_once(run_folder(tmp_path_factory) / "demo-run", first_run)
    return folder, (folder / PRINTED).read_text()


def copy_demo(demo_run: tuple[Path, str], to: Path) -> str:
    """The demo run's folder copied into ``to`` as the run left it; what the run printed."""
    folder, printed = demo_run
    shutil.copytree(folder, to, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*-shm", PRINTED))
    return printed
