"""Start a test's child process from a warm fork server instead of a new interpreter.

A child started as ``python -m tests.support.X`` spends most of a second importing pandas, the
GA4 and Slack clients and kpibot before its few milliseconds of work, and the kill-at-every-step
matrices start a child per step. multiprocessing's forkserver imports those modules once per test
worker (``set_forkserver_preload``) and forks every child from that single-threaded server. Each
child is still a real process with its own pid, environment, working folder and database
connection: it is SIGKILLed, or calls ``os._exit``, exactly as before. The module runs as
``__main__`` with ``argv``, so ``python -m tests.support.X ...`` reproduces a case by hand.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

# What the children import: loaded once in the fork server, shared copy-on-write by every child.
PRELOAD = ["pandas", "connectors.warehouse", "connectors.ga4.client", "connectors.ga4.sync",
           "google.analytics.data_v1beta",  # build_client imports it lazily: half a second in every GA4 child
           "connectors.klaviyo.sync", "connectors.meta_ads.sync", "connectors.orders.importer",
           "schedules.jobs", "bot.cli.composition", "tests.support.ga4", "tests.support.deliveries",
           "tests.support.agency", "tests.support.marketing", "tests.fakes.slack_api"]
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(PRELOAD)


def _run_module(module: str, argv: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the child: take the caller's environment and folder, write to its files, run ``module``."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = [module, *argv]
    runpy.run_module(module, run_name="__main__", alter_sys=True)  # its sys.exit(code) is the exit status


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


class Child:
    """A child running ``python -m module argv``: the part of ``subprocess.Popen`` the tests use."""

    def __init__(self, module: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="kpibot-child-")
        self.out, self.err = (str(Path(self.folder.name) / name) for name in ("stdout", "stderr"))
        for path in (self.out, self.err):
            Path(path).touch()
        environment = dict(os.environ if env is None else env)
        self.process = _CONTEXT.Process(target=_run_module, args=(module, argv, environment, str(ROOT), self.out,
                                                                  self.err), name=module)
        self.process.start()
        self.pid = self.process.pid
        self.ended: int | None = None

    @property
    def returncode(self) -> int | None:
        """The exit status, or minus the signal that killed it (as ``subprocess``); None while running."""
        if self.ended is None:
            self.ended = self.process.exitcode
        return self.ended

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.ended is None:
            self.process.join(timeout)
        code = self.returncode
        if code is None:
            raise subprocess.TimeoutExpired(self.process.name, timeout or 0)
        return code

    def kill(self) -> None:
        self.process.kill()

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the end; what it wrote to stdout and stderr."""
        self.wait(timeout)
        outputs = Path(self.out).read_text(errors="replace"), Path(self.err).read_text(errors="replace")
        self.process.close()
        self.folder.cleanup()
        return outputs


def run(module: str, argv: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> Finished:
    """Run ``python -m module argv`` as a forked child to its end (or its death)."""
    child = Child(module, argv, env)
    try:
        stdout, stderr = child.communicate(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        raise
    assert child.returncode is not None
    return Finished(child.returncode, stdout, stderr)
