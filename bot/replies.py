"""What `/kpi TEXT` answers, for Slack and for `kpibot ask` alike: read the text, compute, word it.

The commands' models are computed here (the only part of this module that reads the
warehouse); their words come from ``bot.render``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.render.alerts import open_alert_lines
from bot.render.alerts.incidents import incident_lines
from bot.render.anomalies import anomaly_lines
from bot.render.answers import answer_message
from bot.render.blocks import Block, fallback, more, text_blocks
from bot.render.digest import digest_lines
from bot.render.replies import FlowRoles, LastSync, ShopStatus, Status, help_text, list_text, status_text
from bot.render.targets import targets_lines, targets_message
from connectors.ga4.errors import failure_kind
from connectors.ga4.sync_log import last_runs
from connectors.klaviyo.store import flow_roles, stored_flows
from connectors.orders.shop_store import shop_freshness
from connectors.warehouse import Warehouse
from kpi.anomalies.args import parse_anomaly_args
from kpi.anomalies.detect import detect
from kpi.answer import Answer
from kpi.query.parser import Command, Query
from kpi.service import answer
from kpi.settings import FLOW_ROLES, StoreSettings
from kpi.targets import evaluate_all
from schedules.digest import build_digest
from schedules.incidents import open_alerts
from schedules.targets import effective_store, target_settings

PUBLIC_WORDS = ("public", "pubblico")


@dataclass
class Reply:
    blocks: list[Block]
    text: str
    public: bool = False
    answer: Answer | None = None
    store: StoreSettings | None = None
    command: str | None = None  # the command answered (help, targets...), None for a KPI answer


def split_public(text: str) -> tuple[str, bool]:
    """``text`` without a trailing ``public`` (answer in the channel), and whether it had one."""
    words = text.split()
    if words and words[-1].lower() in PUBLIC_WORDS:
        return " ".join(words[:-1]), True
    return text, False


def reply(db: Warehouse, store: StoreSettings, query: Query | Command, text: str, as_of: date) -> Reply:
    """The reply to ``text``, read as ``query``, about ``store`` (as kpibot.toml and Slack set it) as of
    ``as_of``: what Slack posts and what `kpibot ask` prints. An answer ends with the short form it ran
    (``aov last-30d`` for ``scontrino medio ultimi 30 giorni``), so people learn it; a command only when
    it was worded otherwise."""
    if isinstance(query, Command) and query.name == "targets":
        view = target_settings(db, store)
        blocks, words = targets_message(view, evaluate_all(db, view.store, as_of), store.language)
        return Reply(blocks, words, store=store, command="targets")
    if isinstance(query, Command):
        body = command_text(db, store, query, as_of)
        if text.strip() and " ".join(text.lower().split()) != query.canonical():
            body += "\n" + t("query_echo", store.language, canonical=query.canonical())
        return Reply(text_blocks(body, more(store.language)), fallback(body), store=store, command=query.name)
    result = answer(db, effective_store(db, store), query, as_of)
    blocks, words = answer_message(result, store.language, query.canonical())
    return Reply(blocks, words, answer=result, store=store)


def command_text(db: Warehouse, store: StoreSettings, command: Command, as_of: date) -> str:
    """help, list, targets, status, anomalies, alerts, digest: the same words in Slack and on the terminal."""
    language = store.language
    if command.name == "help":
        return help_text(language)
    if command.name == "list":
        return list_text(language)
    if command.name == "targets":
        view = target_settings(db, store)
        lines = targets_lines(view, evaluate_all(db, view.store, as_of), language)
        return "\n".join([f"*{t('targets_title', language, store=store.name)}*", *lines])
    if command.name == "status":
        return status_text(store_status(db, store), language)
    if command.name == "anomalies":
        metrics, period = parse_anomaly_args(command.args, as_of)
        return "\n".join(anomaly_lines(detect(db, store, as_of, metrics, period), store))
    if command.name == "alerts":
        incidents, episodes = open_alerts(db, store.name)
        lines = incident_lines(incidents, store) + open_alert_lines(episodes, store)
        return "\n".join(lines) or t("alerts_none", language)
    return "\n".join(digest_lines(build_digest(db, store, as_of)))


def store_status(db: Warehouse, store: StoreSettings) -> Status:
    """How far the store's GA4 data reaches, and how its last sync went."""
    span = db.data_span(store.name, "sessions")
    runs = last_runs(db, store.name, 1)
    last = None
    if runs:
        run, error = runs[0], runs[0]["error"] or None
        started = _local(datetime.fromisoformat(str(run["started_at"])), store.timezone)
        last = LastSync(started, int(run["rows"] or 0), bool(run["finished_at"]), error,
                        failure_kind(error) if error else None)
    return Status(span[1] if span else None, last, klaviyo_roles(db, store), shop_statuses(db, store))


def klaviyo_roles(db: Warehouse, store: StoreSettings) -> FlowRoles | None:
    """Which synced flow got which role, for stores that connect Klaviyo."""
    if store.klaviyo is None:
        return None
    order = {role: index for index, role in enumerate(FLOW_ROLES)}
    roles = sorted(flow_roles(db, store.name), key=lambda pair: (order.get(pair[0], len(order)), pair[1]))
    return FlowRoles(bool(stored_flows(db, store.name)), tuple(roles))


def shop_statuses(db: Warehouse, store: StoreSettings) -> tuple[ShopStatus, ...]:
    """Each live shop source the store configures: when it last synced, and how far its orders reach."""
    sources = [(name, platform) for name, platform, configured in (
        ("shopify", "Shopify", store.shopify), ("woocommerce", "WooCommerce", store.woocommerce)) if configured]
    statuses = []
    for source, platform in sources:
        fresh = shop_freshness(db, store.name, source)
        synced = _local(fresh.synced_at, store.timezone) if fresh.synced_at else None
        statuses.append(ShopStatus(platform, synced, fresh.orders_through))
    return tuple(statuses)


def _local(moment: datetime, timezone: str) -> str:
    """A sync's start in the store's time zone, to the minute (a naive time is taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
