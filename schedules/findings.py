"""What the daily alert check finds: anomalies, missed targets, relative drops.

Anomalies are judged on the last day GA4 has finished processing (SPEC §8), with the
days users marked Expected left out of the baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from connectors.episodes_store import expected_days
from connectors.warehouse import Warehouse
from kpi.anomalies.detect import Anomaly, detect
from kpi.anomalies.watch import WATCHED
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.series import PROCESSING_DAYS
from kpi.settings import StoreSettings
from kpi.targets import evaluate_all
from schedules.targets import effective_store


@dataclass(frozen=True)
class Finding:
    metric: str
    kind: str  # anomaly | target | relative
    day: date
    value: float | None
    expected: float | None
    severity: str
    contributor: str | None = None
    detail: str = ""


def last_final_day(as_of: date) -> date:
    return as_of - timedelta(days=PROCESSING_DAYS + 1)


def find_all(db: Warehouse, store: StoreSettings, as_of: date) -> list[Finding]:
    store = effective_store(db, store)  # targets and alert rules set from Slack win over the file
    day = last_final_day(as_of)
    return [*anomaly_findings(db, store, day, as_of), *target_findings(db, store, as_of),
            *relative_findings(db, store, day)]


def anomaly_findings(db: Warehouse, store: StoreSettings, day: date, as_of: date) -> list[Finding]:
    """``judge_day`` of every watched KPI, in one ``detect`` call: its reads and calendar are shared by them."""
    flagged = {anomaly.metric: anomaly for anomaly in detect(db, store, as_of, list(WATCHED), Period(day, day),
                                                             expected_days(db, store.name))}
    return [anomaly_finding(flagged[metric]) for metric in WATCHED if metric in flagged]


def anomaly_finding(anomaly: Anomaly) -> Finding:
    return Finding(anomaly.metric, "anomaly", anomaly.date, anomaly.value, anomaly.expected, anomaly.severity,
                   anomaly.contributor, f"{anomaly.low}..{anomaly.high}")


def target_findings(db: Warehouse, store: StoreSettings, as_of: date) -> list[Finding]:
    found = []
    for check in evaluate_all(db, store, as_of):
        if check.status.status in ("below", "above"):
            expected = check.status.expected_to_date or (check.status.min if check.status.status == "below"
                                                         else check.status.max)
            found.append(Finding(check.metric, "target", check.period.end, check.value, expected, "warning",
                                 detail=check.status.status))
    return found


def relative_findings(db: Warehouse, store: StoreSettings, day: date) -> list[Finding]:
    found = []
    week_before = day - timedelta(days=7)
    for rule in store.relative_rules:
        metric = BY_NAME[rule.metric]
        value = metric_value(db, store, metric, Period(day, day))
        before = metric_value(db, store, metric, Period(week_before, week_before))
        volume = before if rule.volume_of == rule.metric else metric_value(
            db, store, BY_NAME[rule.volume_of], Period(week_before, week_before))
        if value is None or not before or volume is None or volume < rule.min_volume:
            continue
        if value < before * (1 - rule.drop):
            found.append(Finding(rule.metric, "relative", day, value, before, "warning",
                                 detail=f"down more than {rule.drop:.0%} vs the same weekday last week"))
    return found
