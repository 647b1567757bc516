"""Replies to the query language's commands (help, list, targets, status, ...) as text.

`kpibot ask help` and `/kpi help` say the same thing: both call ``reply_text``.
"""

from __future__ import annotations

from datetime import date

from bot.i18n import format_period, label
from bot.render.formatting import format_value
from connectors.warehouse import Warehouse
from kpi.catalogue import BY_NAME, CATALOGUE
from kpi.query.parser import Command
from kpi.settings import Settings, StoreSettings

HELP = {
    "en": """*kpibot* answers questions about your shop's KPIs.
`/kpi <kpi> [period] [vs prev|vs ly|vs <period>] [by channel|device|visitor|campaign|segment] [store:<name>]`
Periods: today, yesterday, last-7d, last-30d, last-Nd, this-week, last-week, mtd, last-month, qtd, ytd,
YYYY-MM, YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD (default last-7d). `vs ly` = same weekdays a year earlier.
Examples: `/kpi aov last-30d` · `/kpi revenue last-7d by channel` · `/kpi cvr yesterday vs ly`
Also: `/kpi list` (every KPI), `/kpi targets`, `/kpi status`, `/kpi alerts`, `/kpi anomalies`, `/kpi digest`.
Add `public` at the end to answer in the channel.""",
    "it": """*kpibot* risponde alle domande sui KPI del tuo negozio.
`/kpi <kpi> [periodo] [vs prev|vs ly|vs <periodo>] [by channel|device|visitor|campaign|segment] [store:<nome>]`
Periodi: today, yesterday, last-7d, last-30d, last-Nd, this-week, last-week, mtd, last-month, qtd, ytd,
YYYY-MM, YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD (predefinito last-7d). `vs ly` = stessi giorni un anno prima.
Esempi: `/kpi scontrino-medio last-30d` · `/kpi fatturato last-7d by channel` · `/kpi cvr yesterday vs ly`
Anche: `/kpi list` (tutti i KPI), `/kpi targets`, `/kpi status`, `/kpi alerts`, `/kpi anomalies`, `/kpi digest`.
Aggiungi `public` alla fine per rispondere nel canale.""",
}


def reply_text(db: Warehouse, settings: Settings, store: StoreSettings, command: Command, as_of: date) -> str:
    handlers = {"help": lambda: HELP.get(store.language, HELP["en"]), "list": lambda: list_text(store.language),
                "targets": lambda: targets_text(db, store, as_of), "status": lambda: status_text(db, store, as_of),
                "anomalies": lambda: anomalies_text(db, store, command, as_of),
                "alerts": lambda: alerts_text(db, store, as_of), "digest": lambda: digest_text(db, store, as_of)}
    return handlers[command.name]()


def list_text(language: str) -> str:
    lines = []
    for metric in CATALOGUE:
        aliases = ", ".join(metric.aliases[:4])
        lines.append(f"• `{metric.name}` {label(metric, language)} = {metric.formula} ({aliases})")
    return "\n".join(lines)


def targets_text(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    from bot.render.answer_text import target_line
    from kpi.targets import evaluate_all

    lines = []
    for check in evaluate_all(db, store, as_of):
        metric = BY_NAME[check.metric]
        value = format_value(check.value, metric.unit, store.currency, store.language)
        lines.append(f"• {label(metric, store.language)} ({format_period(check.period, store.language)}): {value} · "
                     + target_line(check.status, metric.unit, store.currency, store.language))
    return "\n".join(lines)


def status_text(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    from connectors.ga4.sync_log import last_runs

    last = db.execute("SELECT MAX(date) FROM ga4_sessions WHERE store = ?", [store.name]).fetchone()[0]
    runs = last_runs(db, store.name, 1)
    italian = store.language == "it"
    lines = [(f"Dati GA4 fino al {last}" if italian else f"GA4 data up to {last}") if last else
             ("Nessun dato GA4: esegui kpibot sync" if italian else "No GA4 data yet: run kpibot sync")]
    if runs:
        lines.append(last_sync_line(runs[0], store.language))
    return "\n".join(lines)


SYNC_FAILURES_IT = {
    "unreachable": "GA4 non è raggiungibile: controlla la rete o KPIBOT_GA4_ENDPOINT, poi esegui di nuovo "
                   "kpibot sync.",
    "timeout": "GA4 non ha risposto in tempo: controlla la rete o KPIBOT_GA4_ENDPOINT, poi esegui di nuovo "
               "kpibot sync.",
    "malformed": "GA4 ha inviato risposte illeggibili: i dati salvati restano com'erano; esegui di nuovo "
                 "kpibot sync più tardi.",
    "retry_later": "GA4 ha chiesto di attendere più a lungo di max_retry_wait: i dati salvati restano e la "
                   "prossima sincronizzazione riprende da lì.",
    "unavailable": "GA4 ha continuato a rispondere con errori del server: i dati salvati restano; esegui di nuovo "
                   "kpibot sync più tardi.",
    "quota": "la quota di GA4 è rimasta esaurita: i dati salvati restano; esegui di nuovo kpibot sync più tardi.",
    "quota_low": "la quota oraria di GA4 è quasi esaurita: i dati salvati restano e la prossima sincronizzazione "
                 "riprende da lì.",
    "access": "GA4 ha negato l'accesso alla proprietà: aggiungi l'account di servizio come Visualizzatore "
              "(Amministrazione GA4 > Gestione dell'accesso alla proprietà) e controlla ga4_property in kpibot.toml.",
    "check": "la risposta di GA4 non ha superato un controllo (righe mancanti o valori non numerici): i dati "
             "salvati restano com'erano; esegui di nuovo kpibot sync più tardi e, se si ripete, controlla la "
             "proprietà in GA4.",
}


def last_sync_line(run: dict[str, object], language: str) -> str:
    """The last sync in words: ok, running, or failed with what to do (in the store's language)."""
    from connectors.ga4.errors import failure_kind

    rows, started, error = run["rows"] or 0, run["started_at"], str(run["error"] or "")
    if language != "it":
        if error:
            return f"Last sync: {started} failed ({rows} rows): {error}"
        return f"Last sync: {started} ({'ok' if run['finished_at'] else 'running'}, {rows} rows)"
    if error:
        kind = failure_kind(error)
        said = SYNC_FAILURES_IT[kind] if kind in SYNC_FAILURES_IT else f"dettaglio (in inglese): {error}"
        return f"Ultima sincronizzazione: {started} non riuscita ({rows} righe): {said}"
    return f"Ultima sincronizzazione: {started} ({'ok' if run['finished_at'] else 'in corso'}, {rows} righe)"


def anomalies_text(db: Warehouse, store: StoreSettings, command: Command, as_of: date) -> str:
    from bot.render.anomalies import anomaly_lines
    from kpi.anomalies.args import parse_anomaly_args
    from kpi.anomalies.detect import detect

    metrics, period = parse_anomaly_args(command.args, as_of)
    found = detect(db, store, as_of, metrics, period)
    return "\n".join(anomaly_lines(found, store))


def alerts_text(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    from bot.render.alert_text import open_alerts_text

    return open_alerts_text(db, store, as_of)


def digest_text(db: Warehouse, store: StoreSettings, as_of: date) -> str:
    from bot.render.digest_text import digest_as_text

    return digest_as_text(db, store, as_of)
