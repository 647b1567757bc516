"""The digest's "Marketing automation" section as data: each flow role's KPI against its benchmark.

Only for stores that connect Klaviyo. The role rates (welcome opens, cart recovery) are judged
over the last 7 days, like every other target; repurchase within 30 days over the 7 days whose
30-day windows have all closed; win-back over the last 30 days. The section also sets Klaviyo's
email share of revenue beside GA4's last-click one, over the same 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from connectors.klaviyo.store import flow_roles
from connectors.warehouse import Warehouse
from kpi.answer import Period, TargetStatus
from kpi.catalogue import BY_NAME
from kpi.catalogue.marketing import ROLE_KPIS
from kpi.compute import metric_value
from kpi.orders.retention import REPURCHASE_DAYS
from kpi.settings import FLOW_ROLES, StoreSettings
from kpi.targets import evaluate

WEEK = 7
# (days, how many days before the digest day the period ends) per role KPI
ROLE_PERIODS = {"welcome_open_rate": (WEEK, 0), "cart_recovery_rate": (WEEK, 0),
                "repurchase_30d": (WEEK, REPURCHASE_DAYS), "winback_rate": (30, 0)}


@dataclass(frozen=True)
class RoleLine:
    role: str
    flows: tuple[str, ...]  # the flows with this role (none: the role found no flow)
    metric: str
    period: Period
    value: float | None
    status: TargetStatus | None  # against the configured or default target, when there is one


@dataclass(frozen=True)
class MarketingSection:
    roles: tuple[RoleLine, ...]
    shares_period: Period
    klaviyo_share: float | None  # email_attributed_share: Klaviyo's attribution window
    ga4_share: float | None  # email_revenue_share: GA4's last click

    @property
    def metrics(self) -> frozenset[str]:
        """The KPIs this section judges (the digest's target list leaves them to it)."""
        return frozenset(line.metric for line in self.roles)


def build_marketing(db: Warehouse, store: StoreSettings, day: date) -> MarketingSection | None:
    """The section for the digest of ``day``, or None when the store has no Klaviyo."""
    if store.klaviyo is None:
        return None
    assigned = flow_roles(db, store.name)
    lines = tuple(_role_line(db, store, day, role, tuple(name for r, name in assigned if r == role))
                  for role in FLOW_ROLES)
    week = _period(day, WEEK, 0)
    return MarketingSection(lines, week, metric_value(db, store, BY_NAME["email_attributed_share"], week),
                            metric_value(db, store, BY_NAME["email_revenue_share"], week))


def _role_line(db: Warehouse, store: StoreSettings, day: date, role: str, flows: tuple[str, ...]) -> RoleLine:
    metric = ROLE_KPIS[role]
    period = _period(day, *ROLE_PERIODS[metric])
    if not flows:
        return RoleLine(role, flows, metric, period, None, None)
    value = metric_value(db, store, BY_NAME[metric], period)
    return RoleLine(role, flows, metric, period, value, evaluate(store.target_for(metric), value, period))


def _period(day: date, days: int, lag: int) -> Period:
    end = day - timedelta(days=lag)
    return Period(end - timedelta(days=days - 1), end)
