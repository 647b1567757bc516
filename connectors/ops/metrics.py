"""The Prometheus metrics every layer counts into (``prometheus_client``'s default registry).

Counters live here, at the bottom of the layers, because connectors count GA4 requests,
schedules count deliveries and jobs, and bot counts Slack calls; ``bot.ops.http`` serves them
at ``GET /metrics``. Labels never hold secrets or free text: a source, a property id, a Slack
method and error code, a delivery kind and status, a job kind, a process's holder id.
What only the database knows (open alert episodes, who holds which lease) is read at scrape
time by ``WarehouseCollector``, so every process reports the same shared truth.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from connectors.leases import live_leases
from connectors.ops.probes import open_episode_counts

SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

SYNC_RUNS = Counter("kpibot_sync_runs", "Source syncs run, by source and outcome (ok, failed)",
                    ["source", "outcome"])
SYNC_SECONDS = Histogram("kpibot_sync_duration_seconds", "How long one source's sync of one store took",
                         ["source"], buckets=SECONDS)
GA4_REQUESTS = Counter("kpibot_ga4_requests", "GA4 runReport requests sent (retries included), by property",
                       ["property"])
GA4_TOKENS = Counter("kpibot_ga4_quota_tokens", "GA4 quota tokens consumed (propertyQuota.tokensPerDay), by property",
                     ["property"])
GA4_IN_FLIGHT = Gauge("kpibot_ga4_requests_in_flight", "GA4 requests waiting for an answer now, by property",
                      ["property"])
SLACK_CALLS = Counter("kpibot_slack_calls", "Slack Web API calls, by method", ["method"])
SLACK_ERRORS = Counter("kpibot_slack_errors", "Slack Web API calls that failed, by method and error",
                       ["method", "error"])
DELIVERIES = Counter("kpibot_deliveries", "Delivery attempts by kind (digest, alert, ...) and outcome status",
                     ["kind", "status"])
JOBS = Counter("kpibot_jobs", "Scheduled jobs by kind and outcome (ran, busy: another process has it, "
               "done: already done this slot, failed)", ["job", "outcome"])
JOB_SECONDS = Histogram("kpibot_job_duration_seconds", "How long one scheduled job took", ["job"], buckets=SECONDS)
JOBS_RUNNING = Gauge("kpibot_jobs_running", "Jobs running on this process's worker pool now", ["job"])
JOBS_QUEUED = Gauge("kpibot_jobs_queued", "Jobs waiting for a worker of this process")
HEARTBEAT = Gauge("kpibot_scheduler_heartbeat_timestamp_seconds",
                  "When this process's scheduler last renewed its leases (Unix time)")


class WarehouseCollector(Collector):
    """Read at each scrape: open alert episodes and live leases, from the shared database."""

    def __init__(self, warehouse: Callable[[], Any], clock: Callable[[], datetime]) -> None:
        self.warehouse = warehouse
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        db, now = self.warehouse(), self.clock()
        episodes = GaugeMetricFamily("kpibot_alert_episodes_open", "Alert episodes open now (not resolved), "
                                     "by kind", labels=["kind"])
        for kind, count in sorted(open_episode_counts(db).items()):
            episodes.add_metric([kind], count)
        yield episodes
        leases = GaugeMetricFamily("kpibot_leases_held", "Leases held now, by holder (host:pid) and job kind",
                                   labels=["holder", "job"])
        held = Tally((row["holder"], row["name"].split(":", 1)[0]) for row in live_leases(db, now))
        for (holder, job), count in sorted(held.items()):
            leases.add_metric([holder, job], count)
        yield leases
