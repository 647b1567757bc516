"""Build a folder once for the whole test run, whichever xdist worker asks for it first.

A module-scoped fixture runs once per worker that runs one of the module's tests, and ``pytest -n 2``
often spreads a module's tests over both workers. ``built_once`` builds under a file lock: the first
worker builds while the other waits for it, then both read the same folder (copy it before writing).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest


def run_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder this test run's workers share (each xdist worker's base temp sits in it)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(target: Path, build: Callable[[Path], None]) -> Path:
    """``target``, made by ``build(folder)`` in a new folder beside it unless it is there already."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            building = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
            try:
                build(building)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            building.rename(target)
    return target
