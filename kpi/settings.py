"""Typed per-store settings that the KPI functions need.

The values are loaded and validated by ``bot.config.loader``; the KPI layer only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path


@dataclass(frozen=True)
class Target:
    """A min and/or max for one KPI. ``period="month"`` makes it a paced period goal."""

    metric: str
    min: float | None = None
    max: float | None = None
    period: str | None = None
    is_default: bool = False
    needs: str | None = None  # a default that applies only to stores with this source configured ("klaviyo")


@dataclass(frozen=True)
class PlannedEvent:
    """A promotion or closure from ``[[stores.events]]``: its days are judged as an event."""

    name: str
    start: date
    end: date
    expect: str | None = None  # "up" | "down": a day moving the other way still alerts


DEFAULT_TARGETS: tuple[Target, ...] = (
    Target("email_revenue_share", min=0.15, max=0.20, is_default=True),
    # The seed's marketing-automation benchmarks (issue 15), for stores that connect Klaviyo.
    Target("email_attributed_share", min=0.15, max=0.20, is_default=True, needs="klaviyo"),
    Target("welcome_open_rate", min=0.50, is_default=True, needs="klaviyo"),
    Target("cart_recovery_rate", min=0.10, max=0.15, is_default=True, needs="klaviyo"),
)


@dataclass(frozen=True)
class RelativeRule:
    """"``metric`` down more than ``drop`` vs the same weekday last week", when that day had at least
    ``min_volume`` of ``volume_metric`` (the metric itself when None), so small numbers page nobody."""

    metric: str
    drop: float  # a fraction: 0.20 is 20%
    min_volume: float = 0.0
    volume_metric: str | None = None

    @property
    def volume_of(self) -> str:
        return self.volume_metric or self.metric


DEFAULT_ALERT_RULES: tuple[RelativeRule, ...] = (
    RelativeRule("revenue", 0.20, 1000.0), RelativeRule("orders", 0.20, 20.0),
)


FLOW_ROLES = ("welcome", "abandoned_cart", "post_purchase", "winback")


@dataclass(frozen=True)
class KlaviyoSettings:
    """``[stores.klaviyo]``: the variable holding the private key, and optional flow roles."""

    key_env: str
    flows: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, flow names), roles in FLOW_ROLES

    def flow_names(self, role: str) -> tuple[str, ...]:
        return next((names for name, names in self.flows if name == role), ())


@dataclass(frozen=True)
class MetaAdsSettings:
    """``[stores.meta_ads]``: the ad account and the variable holding its access token."""

    account_id: str
    token_env: str


@dataclass(frozen=True)
class ShopifySettings:
    """A Shopify store: its myshopify.com domain and the variable that holds the Admin API token."""

    shop: str
    token_env: str


@dataclass(frozen=True)
class WooCommerceSettings:
    """A WooCommerce site: its URL and the variables that hold the REST API key and secret."""

    url: str
    key_env: str
    secret_env: str


@dataclass(frozen=True)
class StoreSettings:
    name: str
    ga4_property: str
    currency: str = "EUR"
    timezone: str = "Europe/Rome"
    language: str = "it"
    channels: tuple[str, ...] = ()
    digest_channel: str | None = None
    digest_time: time = time(8, 0)
    alert_channel: str | None = None
    margin: float = 0.30
    ltv_months: int = 12
    targets: tuple[Target, ...] = ()
    shopify: ShopifySettings | None = None
    woocommerce: WooCommerceSettings | None = None
    klaviyo: KlaviyoSettings | None = None
    meta_ads: MetaAdsSettings | None = None
    country: str | None = None  # ISO 3166-1 alpha-2: loads the country's public holidays
    events: tuple[PlannedEvent, ...] = ()
    max_alerts_per_day: int = 3  # incident messages a day in the alert channel; critical ones always pass
    resolve_after_days: int = 2  # an incident resolves after this many judged days with none of its KPIs flagged
    alert_rules: tuple[RelativeRule, ...] | None = None  # None: DEFAULT_ALERT_RULES

    @property
    def relative_rules(self) -> tuple[RelativeRule, ...]:
        return DEFAULT_ALERT_RULES if self.alert_rules is None else self.alert_rules

    def target_for(self, metric: str) -> Target | None:
        """The configured target for ``metric``, else a default one, else None.

        A configured target with neither bound switches the KPI's target off (a default one too).
        """
        for target in self.targets:
            if target.metric == metric:
                return target if target.min is not None or target.max is not None else None
        for target in self.default_targets():
            if target.metric == metric:
                return target
        return None

    def default_targets(self) -> tuple[Target, ...]:
        """The defaults that apply to this store: those of the sources it has."""
        return tuple(t for t in DEFAULT_TARGETS if t.needs is None or getattr(self, t.needs) is not None)


@dataclass(frozen=True)
class Settings:
    database: Path | str  # a SQLite file, or a postgresql:// URL (only connectors opens it)
    language: str = "it"
    timezone: str = "Europe/Rome"
    stores: tuple[StoreSettings, ...] = field(default_factory=tuple)
    source: Path | None = None
    admins: tuple[str, ...] = ()  # Slack user ids who may see every store
    max_retry_wait: float | None = None  # seconds; None: the GA4 connector's default (5 minutes)
    takeover_seconds: float = 45.0  # how long a dead process's leases outlive it (schedules.leasing.Timing)

    def store(self, name: str) -> StoreSettings:
        for store in self.stores:
            if store.name == name:
                return store
        raise KeyError(name)
