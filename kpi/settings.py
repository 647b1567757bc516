"""Typed per-store settings that the KPI functions need.

The values are loaded and validated by ``bot.config``; the KPI layer only reads them.
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


@dataclass(frozen=True)
class PlannedEvent:
    """A promotion or closure from ``[[stores.events]]``: its days are judged as an event."""

    name: str
    start: date
    end: date
    expect: str | None = None  # "up" | "down": a day moving the other way still alerts


DEFAULT_TARGETS: tuple[Target, ...] = (
    Target("email_revenue_share", min=0.15, max=0.20, is_default=True),
)


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
    country: str | None = None  # ISO 3166-1 alpha-2: loads the country's public holidays
    events: tuple[PlannedEvent, ...] = ()

    def target_for(self, metric: str) -> Target | None:
        """The configured target for ``metric``, else a default one, else None."""
        for target in self.targets:
            if target.metric == metric:
                return target
        for target in DEFAULT_TARGETS:
            if target.metric == metric:
                return target
        return None


@dataclass(frozen=True)
class Settings:
    database: Path
    language: str = "it"
    timezone: str = "Europe/Rome"
    stores: tuple[StoreSettings, ...] = field(default_factory=tuple)
    source: Path | None = None

    def store(self, name: str) -> StoreSettings:
        for store in self.stores:
            if store.name == name:
                return store
        raise KeyError(name)
