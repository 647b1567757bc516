"""The alert check of one store: findings → incidents and target episodes → their messages.

Shared by the scheduler (``Jobs.alert_check``) and ``kpibot alerts --post``. The day's
anomalies and relative drops become incidents (``schedules.incidents``), one message each
within the channel's daily budget; missed targets keep one episode per KPI
(``schedules.episodes``). Every message goes through the outbox, exactly once; a failed one
is retried by the sweep, and one piece failing never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from connectors.warehouse import Warehouse
from kpi.settings import StoreSettings
from schedules.delivery import Outcome
from schedules.episodes import reconcile, unposted_episodes, wake_snoozed
from schedules.findings import Finding, find_all, last_final_day
from schedules.incidents import INCIDENT_KINDS, reconcile_incidents
from schedules.incidents.actions import wake_incidents
from schedules.outbox import Outbox

log = logging.getLogger("kpibot.alerts")


@dataclass(frozen=True)
class AlertCheck:
    """What one check did: target episodes and incidents by what happened to them, and posts that failed."""

    episodes: dict[str, list[int]]  # opened | refreshed | resolved
    incidents: dict[str, list[int]]  # opened | updated | refreshed | relapsed | resolved
    failures: list[str] = field(default_factory=list)  # each failed post's error (the sweep retries it)


def check_alerts(db: Warehouse, store: StoreSettings, today: date, now: datetime, outbox: Outbox,
                 findings: Sequence[Finding] | None = None) -> AlertCheck:
    """Reconcile today's findings, then post what is new, changed or ended (and what never went out)."""
    wake_snoozed(db, store.name, today)
    wake_incidents(db, store.name, today)
    found = find_all(db, store, today) if findings is None else findings
    episodes = reconcile(db, store, [f for f in found if f.kind not in INCIDENT_KINDS], now)
    incidents = reconcile_incidents(db, store, last_final_day(today),
                                    [f for f in found if f.kind in INCIDENT_KINDS], now)
    outcomes: list[Any] = []
    for episode_id in unposted_episodes(db, store.name):
        outcomes.append(_safely(partial(outbox.alert, store, episode_id), f"alert {episode_id}"))
    for episode_id in episodes["resolved"]:
        outcomes.append(_safely(partial(outbox.resolved, store, episode_id), f"resolution of alert {episode_id}"))
    outcomes.extend(_safely(partial(outbox.incidents.announce, store, today), f"incidents of {store.name}") or [])
    failures = [o.error or o.status for o in outcomes if isinstance(o, Outcome) and o.status in ("failed", "gave_up")]
    return AlertCheck(episodes, incidents, failures)


def _safely(job: Callable[[], Any], what: str) -> Any:
    try:
        return job()
    except Exception as error:  # noqa: BLE001 - one failed message never stops the others
        log.warning("%s failed: %s: %s", what, type(error).__name__, error)
        return None
