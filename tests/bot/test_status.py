"""`/kpi status` tells every source's last sync the same way: in the store's time zone, to the minute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.render.replies import status_text
from bot.replies import store_status
from connectors.ga4.sync_log import finish_run, start_run
from kpi.settings import StoreSettings

STARTED = datetime(2026, 7, 14, 22, 30, 5, tzinfo=UTC)  # summer: Rome is UTC+2, Tokyo UTC+9


@pytest.mark.parametrize(("timezone", "shown"), [("Europe/Rome", "2026-07-15 00:30"),
                                                 ("Asia/Tokyo", "2026-07-15 07:30")])
def test_the_last_ga4_sync_is_shown_in_the_stores_time(warehouse, timezone, shown):
    store = StoreSettings(name="shop", ga4_property="1", timezone=timezone)
    finish_run(warehouse, start_run(warehouse, "shop", STARTED), STARTED, 120, 3, 30, None)
    status = store_status(warehouse, store)
    assert status.last_sync is not None and status.last_sync.started == shown
    assert f"Last sync: {shown} (ok, 120 rows)" in status_text(status, "en")
