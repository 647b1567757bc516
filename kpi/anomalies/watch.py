"""Which KPIs the anomaly detector watches, and the volume below which it stays quiet."""

from __future__ import annotations

from kpi.anomalies.baselines import Thresholds

# The count whose Poisson noise bounds an additive KPI's day-to-day precision.
COUNTS = {"revenue": "orders", "orders": "orders", "sessions": "sessions", "ad_cost": "ad_clicks"}

# Additive KPIs: a day must differ from its baseline by at least this much to page anyone.
# Ratio KPIs: a day's denominator must be at least this big to be judged at all.
WATCHED: dict[str, Thresholds] = {
    "revenue": Thresholds(min_absolute=300.0),
    "orders": Thresholds(min_absolute=5.0),
    "sessions": Thresholds(min_absolute=200.0),
    "ad_cost": Thresholds(min_absolute=50.0),
    "cvr": Thresholds(min_denominator=300.0),
    "bounce_rate": Thresholds(min_denominator=300.0),
    "checkout_abandonment": Thresholds(min_denominator=50.0),
    "email_revenue_share": Thresholds(min_denominator=500.0),
}
