"""Order-based KPIs (SPEC §5.2, §7): customers, repurchase, LTV, CAC and more."""

from __future__ import annotations

from kpi.metric import Metric

ORDER_METRICS: tuple[Metric, ...] = ()
