"""Run a Klaviyo or Meta sync and SIGKILL this process inside the Nth write transaction, before COMMIT.

    python -m tests.support.kill_sync klaviyo|meta URL DB N
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from connectors.klaviyo.sync import sync_klaviyo
from connectors.meta_ads.sync import sync_meta_ads
from connectors.warehouse import open_database
from tests.support.ga4 import AS_OF
from tests.support.marketing import KLAVIYO, META, Recorder, fixed_now, klaviyo_client, meta_client


def main(source: str, url: str, path: str, kill_at: int) -> None:
    calls = 0

    def checkpoint(label: str) -> None:
        nonlocal calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    db = open_database(Path(path))
    if source == "klaviyo":
        sync_klaviyo(db, klaviyo_client(url, Recorder()), KLAVIYO, AS_OF, now=fixed_now, checkpoint=checkpoint)
    else:
        sync_meta_ads(db, meta_client(url, Recorder()), META, AS_OF, now=fixed_now, checkpoint=checkpoint)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
