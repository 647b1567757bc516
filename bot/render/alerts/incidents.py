"""Incidents in words and Block Kit: one message per incident, a reply for a relapse or the
resolution, and the day's summary beyond the channel's budget."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import label, t
from bot.render.alerts import ICONS
from bot.render.blocks import Block, actions, button, context, section
from bot.render.formatting import format_day, format_value
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings
from schedules.episodes import Episode
from schedules.incidents import Incident
from schedules.incidents.outbox import Summary

BUTTONS = (("button_acknowledge", "incident_acknowledge"), ("button_snooze_1d", "incident_snooze_1d"),
           ("button_snooze_7d", "incident_snooze_7d"), ("button_expected", "incident_expected"))


def diagnosis_text(incident: Incident, store: StoreSettings) -> str:
    """What the incident probably is, or which KPIs moved when no rule explains it."""
    language = store.language
    if incident.diagnosis is None:
        kpis = ", ".join(label(BY_NAME[kpi.metric], language) for kpi in incident.kpis)
        return t("diagnosis_none", language, kpis=kpis)
    params = dict(incident.params)
    key = f"diagnosis_{incident.diagnosis}"
    if "shop_orders" in params:
        key += "_confirmed"
        for name in ("shop_orders", "ga4_orders"):
            params[name] = format_value(float(params[name]), "count", store.currency, language)
    return t(key, language, **params)


def kpi_line(episode: Episode, store: StoreSettings) -> str:
    """One KPI of the incident: its value against what was expected (or last week), and its main contributor."""
    language, metric = store.language, BY_NAME[episode.metric]

    def show(number: float | None) -> str:
        return format_value(number, metric.unit, store.currency, language)

    against = t("incident_vs_last_week" if episode.kind == "relative" else "alert_expected", language)
    who = f" · {t('mainly', language)} {episode.contributor}" if episode.contributor else ""
    return f"• *{label(metric, language)}* {show(episode.value)} ({against} {show(episode.expected)}){who}"


def state_line(incident: Incident, store: StoreSettings) -> str:
    language = store.language
    if incident.state == "resolved" and incident.resolved_on:
        days = (incident.resolved_on - incident.last_seen_on).days
        state = t("incident_resolved", language, day=format_day(incident.resolved_on, language), days=days)
    elif incident.state == "snoozed":
        state = t("alert_state_snoozed", language, until=incident.snoozed_until)
    else:
        state = t(f"alert_state_{incident.state}", language)
    if incident.relapses and not incident.ended:
        state += " · " + t("incident_relapsed", language, day=format_day(incident.last_seen_on, language),
                           count=incident.relapses)
    return state


def headline(incident: Incident, store: StoreSettings) -> str:
    icon = ":white_check_mark:" if incident.ended else ICONS.get(incident.severity, ":large_orange_circle:")
    since = f"{t('alert_since', store.language)} {format_day(incident.opened_on, store.language)}"
    return f"{icon} {store.name} · *{diagnosis_text(incident, store)}* · {since}"


def incident_message(incident: Incident, store: StoreSettings) -> tuple[list[Block], str]:
    """The incident's one message: its diagnosis, each KPI it moved, its state, and buttons while live."""
    lines = [headline(incident, store), *(kpi_line(kpi, store) for kpi in incident.kpis)]
    state = f"_{state_line(incident, store)}_"
    blocks = [section("\n".join(lines)), context(state)]
    if not incident.ended:
        blocks.append(actions([button(t(key, store.language), action_id, str(incident.id))
                               for key, action_id in BUTTONS]))
    return blocks, "\n".join([*lines, state])


def incident_reply(incident: Incident, store: StoreSettings) -> str:
    """What its thread hears when it comes back or resolves (an edit alone notifies nobody)."""
    return f"{headline(incident, store)}\n_{state_line(incident, store)}_"


def incident_line(incident: Incident, store: StoreSettings) -> str:
    """One line for `/kpi alerts` and App Home."""
    kpis = ", ".join(label(BY_NAME[kpi.metric], store.language) for kpi in incident.kpis)
    return (f"• {diagnosis_text(incident, store)} ({kpis}) · {t('alert_since', store.language)} "
            f"{format_day(incident.opened_on, store.language)} · _{state_line(incident, store)}_")


def incident_lines(incidents: Sequence[Incident], store: StoreSettings) -> list[str]:
    return [incident_line(incident, store) for incident in incidents]


def summary_message(summary: Summary, store: StoreSettings) -> tuple[list[Block], str]:
    """The day's incidents beyond the channel's budget, one line each (with its store), in one message."""
    language = store.language
    title = t("incident_summary", language, count=len(summary.incidents), day=format_day(summary.day, language),
              limit=summary.limit)
    lines = [f"{ICONS.get(i.severity, '')} {owner.name} · {diagnosis_text(i, owner)} · "
             + ", ".join(label(BY_NAME[kpi.metric], owner.language) for kpi in i.kpis)
             for owner, i in summary.incidents]
    hint = t("incident_summary_hint", language)
    return [section("\n".join([title, *lines])), context(hint)], "\n".join([title, *lines, hint])
