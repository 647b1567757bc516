"""The digest as words: the lines both the Slack blocks and the terminal show."""

from __future__ import annotations

from datetime import date

from bot.i18n import format_day, format_period, label
from bot.render.anomalies import anomaly_line
from bot.render.answer_text import formula_line, target_line
from bot.render.formatting import arrow, format_change, format_value, mood_emoji
from connectors.warehouse import Warehouse
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings
from schedules.digest import Digest, KpiLine, build_digest

WORDS = {
    "it": {"title": "Riepilogo di {store} · {day}", "provisional": "dati di ieri ancora provvisori in GA4",
           "final": "dati definitivi", "through": "dati fino al {day}", "kpis": "KPI principali",
           "vs": "vs stesso giorno sett. scorsa {week} · vs media 28 gg {avg}", "targets": "Obiettivi",
           "anomalies": "Anomalie", "none": "nessuna", "formula": "Formula magica",
           "channels": "Canali che spiegano la variazione"},
    "en": {"title": "{store} digest · {day}", "provisional": "yesterday's data is still provisional in GA4",
           "final": "final data", "through": "data through {day}", "kpis": "Main KPIs",
           "vs": "vs same weekday last week {week} · vs 28-day average {avg}", "targets": "Targets",
           "anomalies": "Anomalies", "none": "none", "formula": "Formula magica",
           "channels": "Channels behind the change"},
}


def words(store: StoreSettings) -> dict[str, str]:
    return WORDS.get(store.language, WORDS["en"])


def header(digest: Digest) -> tuple[str, str]:
    w, store = words(digest.store), digest.store
    title = w["title"].format(store=store.name, day=format_day(digest.day, store.language))
    through = w["through"].format(day=digest.data_through or "–")
    return title, f"{w['provisional'] if digest.provisional else w['final']} · {through}"


def kpi_text(line: KpiLine, store: StoreSettings) -> str:
    metric = BY_NAME[line.metric]
    value = format_value(line.value, metric.unit, store.currency, store.language)
    vs = words(store)["vs"].format(
        week=f"{arrow(line.change_week)} {format_change(line.change_week, store.language)}",
        avg=f"{arrow(line.change_average)} {format_change(line.change_average, store.language)}")
    return f"{mood_emoji(line.change_week, metric.direction)} *{label(metric, store.language)}* {value} · {vs}"


def target_lines(digest: Digest) -> list[str]:
    store = digest.store
    lines = []
    for check in digest.targets:
        metric = BY_NAME[check.metric]
        value = format_value(check.value, metric.unit, store.currency, store.language)
        lines.append(f"• {label(metric, store.language)} ({format_period(check.period, store.language)}) {value}: "
                     + target_line(check.status, metric.unit, store.currency, store.language))
    return lines


def digest_lines(digest: Digest) -> list[str]:
    """The whole digest as text: it must read well with no blocks and no chart."""
    store, w = digest.store, words(digest.store)
    title, subtitle = header(digest)
    lines = [f"*{title}*", f"_{subtitle}_", "",
             f"*{w['formula']}*: {formula_line(digest.split, store.language)}"]
    if digest.channels:
        top = ", ".join(f"{row.key} {format_change(row.contribution, store.language)}" for row in digest.channels[:3])
        lines.append(f"{w['channels']}: {top}")
    lines += ["", f"*{w['kpis']}*"]
    lines += [kpi_text(line, store) for line in digest.kpis]
    lines += ["", f"*{w['targets']}*", *target_lines(digest), "", f"*{w['anomalies']}*"]
    lines += [anomaly_line(a, store) for a in digest.anomalies] or [w["none"]]
    return lines


def digest_as_text(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    return "\n".join(digest_lines(build_digest(db, store, as_of)))

