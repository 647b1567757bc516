"""Replies to the query language's commands in words: help, list, targets, status.

`kpibot ask help` and `/kpi help` say the same thing: both render through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.i18n import label, t
from bot.render.answers import target_line
from bot.render.formatting import format_period, format_value
from kpi.catalogue import BY_NAME, CATALOGUE
from kpi.settings import FLOW_ROLES, StoreSettings
from kpi.targets import TargetCheck

SYNC_FAILURES = ("unreachable", "timeout", "malformed", "retry_later", "unavailable", "quota", "quota_low",
                 "access", "check")


@dataclass(frozen=True)
class LastSync:
    started: str
    rows: int
    finished: bool
    error: str | None
    failure: str | None  # the kind of failure (connectors.ga4.errors.failure_kind), when it failed


@dataclass(frozen=True)
class FlowRoles:
    """Which synced Klaviyo flow got which role (issue 15)."""

    synced: bool  # whether any flow has been synced yet
    roles: tuple[tuple[str, str], ...]  # (role, flow name), in FLOW_ROLES order


@dataclass(frozen=True)
class ShopStatus:
    """A live shop source's freshness: when its last complete sync started, and its last order's day."""

    platform: str  # Shopify | WooCommerce
    synced: str | None
    orders_through: str | None


@dataclass(frozen=True)
class Status:
    data_through: date | None
    last_sync: LastSync | None
    flows: FlowRoles | None = None  # None: the store does not connect Klaviyo
    shops: tuple[ShopStatus, ...] = ()


def help_text(language: str) -> str:
    """The query language in the store's language, with examples in its own words."""
    return t("help", language) + "\n" + t("query_help_natural", language)


def list_text(language: str) -> str:
    return "\n".join(f"• `{metric.name}` {label(metric, language)} = {metric.formula} "
                     f"({', '.join(metric.aliases[:4])})" for metric in CATALOGUE)


def targets_text(checks: Sequence[TargetCheck], store: StoreSettings) -> str:
    language, lines = store.language, []
    for check in checks:
        metric = BY_NAME[check.metric]
        value = format_value(check.value, metric.unit, store.currency, language)
        lines.append(f"• {label(metric, language)} ({format_period(check.period, language)}): {value} · "
                     + target_line(check.status, metric.unit, store.currency, language))
    return "\n".join(lines)


def status_text(status: Status, language: str) -> str:
    lines = [t("status_data_through", language, day=status.data_through.isoformat()) if status.data_through
             else t("status_no_data_yet", language)]
    if status.last_sync:
        lines.append(last_sync_line(status.last_sync, language))
    lines += [shop_status_line(shop, language) for shop in status.shops]
    if status.flows is not None:
        lines += flow_role_lines(status.flows, language)
    return "\n".join(lines)


def flow_role_lines(flows: FlowRoles, language: str) -> list[str]:
    """Which flow got which role, and which roles found none."""
    if not flows.synced:
        return [t("status_no_flows_yet", language)]
    named = [f"{t('role_' + role, language)} → {name}" for role, name in flows.roles]
    lines = [t("status_flow_roles", language, roles="; ".join(named) or t("digest_none", language))]
    missing = [t("role_" + role, language) for role in FLOW_ROLES if role not in {r for r, _ in flows.roles}]
    if missing:
        lines.append(t("status_roles_missing", language, roles=", ".join(missing)))
    return lines


def shop_status_line(shop: ShopStatus, language: str) -> str:
    if shop.synced is None:
        return t("status_shop_never", language, platform=shop.platform)
    if shop.orders_through is None:
        return t("status_shop_no_orders", language, platform=shop.platform, synced=shop.synced)
    return t("status_shop_synced", language, platform=shop.platform, synced=shop.synced, day=shop.orders_through)


def last_sync_line(run: LastSync, language: str) -> str:
    """The last sync in words: ok, running, or failed with what to do (in the store's language)."""
    if run.error:
        key = f"sync_failure_{run.failure}" if run.failure in SYNC_FAILURES else "sync_failure_detail"
        why = t(key, language, error=run.error)
        return t("status_sync_failed", language, started=run.started, rows=run.rows, why=why)
    return t("status_sync_ok" if run.finished else "status_sync_running", language, started=run.started,
             rows=run.rows)
