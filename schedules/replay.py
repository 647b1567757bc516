"""The alert check replayed over past days: which incidents, and how many messages, a channel would have seen.

Each day is judged exactly as the daily check judged it (``kpi.anomalies.detect.backtest``
semantics: on the data up to that day), its findings go through the same incident
reconciliation as the live check, and nothing is posted. A fresh incident is one message;
a relapse edits that message. Used by ``benchmarks/eval_nab.py`` and the tests.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connectors.incidents_store import incidents_between
from connectors.warehouse import Warehouse
from kpi.anomalies.detect import detect
from kpi.answer import Period
from kpi.series import PROCESSING_DAYS
from kpi.settings import StoreSettings
from schedules.findings import Finding, anomaly_finding, relative_findings
from schedules.incidents import Incident, find_incident, reconcile_incidents

CHECK_TIME = time(6, 5)  # the first hourly check after the day became final


def replay_incidents(db: Warehouse, store: StoreSettings, start: date, end: date,
                     relative: bool = True) -> list[Incident]:
    """Every incident the alert check would have opened for days ``start..end`` (``db`` gains them)."""
    as_of = end + timedelta(days=PROCESSING_DAYS + 1)
    anomalies: dict[date, list[Finding]] = defaultdict(list)
    for anomaly in detect(db, store, as_of, period=Period(start, end)):
        anomalies[anomaly.date].append(anomaly_finding(anomaly))
    zone = ZoneInfo(store.timezone)
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        findings = anomalies.get(day, []) + (relative_findings(db, store, day) if relative else [])
        checked = datetime.combine(day + timedelta(days=PROCESSING_DAYS + 1), CHECK_TIME, zone)
        reconcile_incidents(db, store, day, findings, checked)
    found = [find_incident(db, int(row["id"])) for row in incidents_between(db, store.name, start, end)]
    return [incident for incident in found if incident is not None]
