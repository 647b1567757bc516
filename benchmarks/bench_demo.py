"""The first minutes of a new user: `kpibot demo` into an empty folder, then again on the same day.

Prints the wall time of each run (targets: the demo itself well inside `make demo`'s 40 s first run,
a later run under 8 s) and what each synced. Run it on an idle machine: it measures the product, not
the machine's other work. `make demo` from a fresh clone adds creating `.venv` (about 13 s here with
packages from a local mirror).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = ("first run (empty folder)", "second run, same day", "third run, same day")


def demo(folder: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "demo", "--db", str(folder / "kpibot.db")],
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in RUNS:
            seconds, out = demo(Path(folder))
            synced = re.search(r"Synced (\d+) rows in (\d+) GA4 requests", out)
            orders = re.search(r"synced (\d+) orders", out)
            assert synced and orders, out[-2000:]
            print(f"{name:28s} {seconds:5.1f} s wall   GA4 rows {synced.group(1):>6s} in {synced.group(2)} "
                  f"requests   Shopify orders {orders.group(1):>6s}")


if __name__ == "__main__":
    main()
