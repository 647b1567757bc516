"""Every word a user reads, in English and Italian: one catalogue, one function.

``t(key, language, **params)`` is the only way a sentence reaches a user. A key holds both
languages with the same placeholders (``tests/bot/test_i18n.py`` fails otherwise), and no
module outside this one chooses words by language. Numbers and dates are formatted by
``bot.render.formatting``; KPI names come from the catalogue's labels (``label``).
"""

from __future__ import annotations

from kpi.caveats import Caveat
from kpi.metric import Metric
from kpi.query.errors import QueryError

LANGUAGES = ("en", "it")
FALLBACK = "en"
LOCALES = {"en": "en_US", "it": "it_IT"}  # babel's locale for numbers and dates in each language

CATALOGUE: dict[str, dict[str, str]] = {
    # answers
    "vs": {"en": "vs", "it": "vs"},
    "target": {"en": "Target", "it": "Obiettivo"},
    "status_ok": {"en": "on target", "it": "in linea con l'obiettivo"},
    "status_below": {"en": "below target", "it": "sotto l'obiettivo"},
    "status_above": {"en": "above target", "it": "sopra l'obiettivo"},
    "status_no_data": {"en": "no data", "it": "nessun dato"},
    "default": {"en": "default", "it": "predefinito"},
    "per_month": {"en": " per month", "it": " al mese"},
    "pace": {"en": "{pace} of the goal expected by {day}", "it": "{pace} dell'obiettivo atteso al {day}"},
    "note": {"en": "Note", "it": "Nota"},
    "no_change": {"en": "n/a", "it": "n/d"},
    "button_by_channel": {"en": "By channel", "it": "Per canale"},
    "button_by_device": {"en": "By device", "it": "Per dispositivo"},
    "button_vs_ly": {"en": "vs last year", "it": "vs anno scorso"},
    "button_dashboard": {"en": "Open dashboard", "it": "Apri la dashboard"},
    "dashboard_opened": {"en": ":bar_chart: Your kpibot Home is up to date: open the app's Home tab.",
                         "it": ":bar_chart: La tua Home di kpibot è aggiornata: apri la scheda Home dell'app."},
    "formula": {"en": "Revenue {change} = traffic {traffic} × CvR {cvr} × AOV {aov}",
                "it": "Fatturato {change} = traffico {traffic} × CvR {cvr} × AOV {aov}"},
    "no_split": {"en": "Revenue {change} (split undefined: a zero in the data, or no day to compare with)",
                 "it": "Fatturato {change} (scomposizione non definita: uno zero nei dati, o nessun giorno da "
                       "confrontare)"},
    # caveats (kpi.caveats codes)
    "caveat_provisional": {"en": "days still being processed by GA4, which may change: {days}",
                           "it": "giorni ancora in elaborazione in GA4, che possono cambiare: {days}"},
    "caveat_thresholded": {"en": "GA4 applied thresholding to some of this data: small counts may be hidden",
                           "it": "GA4 ha applicato una soglia ad alcuni dati: i valori piccoli possono essere "
                                 "nascosti"},
    "caveat_other_row": {"en": "GA4 grouped some rows into \"(other)\": breakdowns may be incomplete",
                         "it": "GA4 ha raggruppato alcune righe in \"(other)\": le suddivisioni possono essere "
                               "incomplete"},
    "caveat_sampled": {"en": "GA4 sampled some of this data", "it": "GA4 ha campionato parte di questi dati"},
    "caveat_missing_days": {"en": "days of the period with no data: {days} (run kpibot sync)",
                            "it": "giorni del periodo senza dati: {days} (esegui kpibot sync)"},
    "caveat_no_data": {"en": "there is no data for this period", "it": "non ci sono dati per questo periodo"},
    "caveat_zero_denominator": {"en": "the {part} is zero, so the ratio is undefined",
                                "it": "il denominatore ({part}) è zero, quindi il rapporto non è definito"},
    "caveat_zero_revenue_split": {
        "en": "a zero in revenue, sessions or orders: the traffic/CvR/AOV split is not defined",
        "it": "uno zero in fatturato, sessioni o ordini: la scomposizione non è definita"},
    "caveat_default_target": {
        "en": "the target is kpibot's default, a common benchmark; set your own in kpibot.toml (stores.targets)",
        "it": "l'obiettivo è quello predefinito di kpibot, un riferimento diffuso; imposta il tuo in kpibot.toml "
              "(stores.targets)"},
    "caveat_young_cohort": {
        "en": "customers who first bought after {since} have had less than {months} months to buy again",
        "it": "i clienti al primo acquisto dopo il {since} hanno avuto meno di {months} mesi per riacquistare"},
    "caveat_compare_gap": {
        "en": "no change shown: the data starts on {first}, so it does not cover the comparison period {start} – "
              "{end}",
        "it": "variazione non indicata: i dati iniziano il {first} e non coprono il periodo di confronto {start} – "
              "{end}"},
    "caveat_no_orders": {"en": "no orders are stored for this store: connect Shopify or WooCommerce and run "
                               "kpibot sync, or run kpibot import-orders",
                         "it": "nessun ordine salvato per questo negozio: collega Shopify o WooCommerce ed esegui "
                               "kpibot sync, oppure esegui kpibot import-orders"},
    # the query language's errors (kpi.query.errors codes)
    "query_empty": {"en": "Ask for a KPI", "it": "Chiedi un KPI"},
    "query_no_metric": {"en": "Say which KPI you want", "it": "Di' quale KPI vuoi"},
    "query_unknown_metric": {"en": "I don't know the KPI `{word}`", "it": "Non conosco il KPI `{word}`"},
    "query_two_metrics": {"en": "Ask for one KPI at a time, not `{first}` and `{second}`",
                          "it": "Chiedi un KPI alla volta, non `{first}` e `{second}`"},
    "query_unknown_period": {"en": "`{word}` is not a period", "it": "`{word}` non è un periodo"},
    "query_unknown_word": {"en": "I don't understand `{word}`", "it": "Non capisco `{word}`"},
    "query_two_periods": {
        "en": "Give one period, not `{first}` and `{second}`: put `vs` before the one to compare with",
        "it": "Indica un solo periodo, non `{first}` e `{second}`: metti `vs` prima di quello da confrontare"},
    "query_missing_comparison": {"en": "`vs` needs `prev`, `ly` or a period",
                                 "it": "`vs` vuole `periodo precedente`, `anno scorso` o un periodo"},
    "query_bad_comparison": {"en": "`{word}` is not a comparison: use `vs prev`, `vs ly` or a period",
                             "it": "`{word}` non è un confronto: usa `vs periodo precedente`, `vs anno scorso` o "
                                   "un periodo"},
    "query_compare_needs_vs": {"en": "`{word}` is a comparison, not a period: put `vs` before it",
                               "it": "`{word}` è un confronto, non un periodo: mettici `vs` davanti"},
    "query_two_comparisons": {"en": "Compare with one period at a time", "it": "Confronta con un periodo alla volta"},
    "query_bad_dimension": {"en": "`by` takes one of channel, device, visitor, campaign, segment, flow, platform, "
                                  "send_channel",
                            "it": "`per` vuole uno tra canale, dispositivo, visitatore, campagna, segmento, flusso, "
                                  "piattaforma, canale di invio"},
    "query_two_dimensions": {"en": "Split by one dimension at a time", "it": "Dividi per una dimensione alla volta"},
    "query_two_stores": {"en": "Name one store only", "it": "Indica un solo negozio"},
    "query_empty_store": {"en": "`store:` needs a store name", "it": "`store:` vuole il nome di un negozio"},
    "query_days_out_of_range": {"en": "{days} days is out of range: use 1 to {max} days",
                                "it": "{days} giorni sono fuori scala: usa da 1 a {max} giorni"},
    "query_bad_date": {"en": "`{text}` is not a valid date: write it as YYYY-MM-DD (or day/month/year)",
                       "it": "`{text}` non è una data valida: scrivila come AAAA-MM-GG (o giorno/mese/anno)"},
    "query_bad_month": {"en": "`{text}` is not a month: write it as YYYY-MM or as `november 2025`",
                        "it": "`{text}` non è un mese: scrivilo come AAAA-MM o come `novembre 2025`"},
    "query_year_out_of_range": {"en": "`{text}` is outside the years {first}–{last}: check the year",
                                "it": "`{text}` è fuori dagli anni {first}–{last}: controlla l'anno"},
    "query_range_reversed": {"en": "The range {text} ends before it starts: write the earlier date first",
                             "it": "L'intervallo {text} finisce prima di cominciare: scrivi prima la data più "
                                   "vecchia"},
    "query_range_too_long": {"en": "The range {text} is longer than {max} days",
                             "it": "L'intervallo {text} supera i {max} giorni"},
    "query_month_needs_year": {"en": "`{month}` needs a year: write `{month} 2025`, for example",
                               "it": "`{month}` vuole l'anno: scrivi per esempio `{month} 2025`"},
    "query_not_kpi_nor_period": {"en": "`{word}` is neither a KPI nor a period",
                                 "it": "`{word}` non è né un KPI né un periodo"},
    "query_users_cannot_split": {"en": "Users are stored per day only and cannot be split by a dimension",
                                 "it": "Gli utenti sono salvati solo per giorno e non si possono dividere per "
                                       "dimensione"},
    "query_cannot_split_campaign": {
        "en": "This KPI cannot be split by campaign: that split exists for ad metrics such as ad_cost, ad_clicks "
              "or cpc",
        "it": "Questo KPI non si può dividere per campagna: la divisione esiste per i KPI pubblicitari come "
              "ad_cost, ad_clicks o cpc"},
    "query_cannot_split_segment": {
        "en": "This KPI cannot be split by segment: that split exists for order metrics such as repurchase_rate, "
              "ltv or aov_new",
        "it": "Questo KPI non si può dividere per segmento: la divisione esiste per i KPI degli ordini come "
              "repurchase_rate, ltv o aov_new"},
    "query_cannot_split_visitor": {
        "en": "This KPI cannot be split by visitor: that split exists for GA4 session metrics or order metrics",
        "it": "Questo KPI non si può dividere per visitatore: la divisione esiste per i KPI delle sessioni GA4 o "
              "degli ordini"},
    "query_cannot_split": {
        "en": "This KPI cannot be split by {by}: that split exists for GA4 session metrics",
        "it": "Questo KPI non si può dividere per {by}: la divisione esiste per i KPI delle sessioni GA4"},
    "query_did_you_mean": {"en": "Did you mean `{suggestion}`?", "it": "Forse intendevi `{suggestion}`?"},
    "query_example": {"en": "Example: `{example}`", "it": "Esempio: `{example}`"},
    "query_echo": {"en": "Ran as `{canonical}`", "it": "Eseguito come `{canonical}`"},
    "query_help_natural": {
        "en": "Plain words work too: `revenue yesterday`, `aov last 30 days`, `orders last month vs last year`, "
              "`revenue this month by channel`.",
        "it": "Puoi anche scrivere a parole: `fatturato ieri`, `scontrino medio ultimi 30 giorni`, "
              "`ordini mese scorso vs anno scorso`, `fatturato questo mese per canale`."},
    # /kpi replies
    "error": {"en": "I didn't understand", "it": "Non ho capito"},
    "failed": {"en": "Something went wrong while computing the answer; try again shortly. If it keeps happening, "
                     "tell whoever runs kpibot.",
               "it": "Qualcosa è andato storto mentre calcolavo la risposta; riprova tra poco. Se succede ancora, "
                     "avvisa chi gestisce kpibot."},
    "channel_refused": {"en": "This channel is not linked to any store, so I can't show numbers here. Ask whoever "
                              "runs kpibot to add <#{channel}> to `channels` in kpibot.toml.",
                        "it": "Questo canale non è collegato a nessun negozio, quindi non posso mostrare numeri qui. "
                              "Chiedi a chi gestisce kpibot di aggiungere <#{channel}> a `channels` in kpibot.toml."},
    "which_store": {"en": "This channel sees several stores ({names}): add `store:<name>`, for example `{example}`.",
                    "it": "Questo canale vede più negozi ({names}): aggiungi `store:<nome>`, ad esempio "
                          "`{example}`."},
    "store_not_here": {"en": "Store `{store}` is not visible from this channel. Visible stores: {names}.",
                       "it": "Il negozio `{store}` non è visibile da questo canale. Negozi visibili: {names}."},
    "help": {
        "en": "*kpibot* answers questions about your shop's KPIs.\n"
              "`/kpi <kpi> [period] [vs prev|vs ly|vs <period>] [by channel|device|visitor|campaign|segment] "
              "[store:<name>]`\n"
              "Periods: today, yesterday, last-7d, last-30d, last-Nd, this-week, last-week, mtd, last-month, qtd, "
              "ytd,\n"
              "YYYY-MM, YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD (default last-7d). `vs ly` = same weekdays a year "
              "earlier.\n"
              "Examples: `/kpi aov last-30d` · `/kpi revenue last-7d by channel` · `/kpi cvr yesterday vs ly`\n"
              "Every answer ends with the short form it ran, which you can type too.\n"
              "Also: `/kpi list` (every KPI), `/kpi targets`, `/kpi status`, `/kpi alerts`, `/kpi anomalies`, "
              "`/kpi digest`.\n"
              "Add `public` at the end to answer in the channel.",
        "it": "*kpibot* risponde alle domande sui KPI del tuo negozio.\n"
              "`/kpi <kpi> [periodo] [vs periodo precedente|vs anno scorso|vs <periodo>] "
              "[per canale|dispositivo|visitatore|campagna|segmento] [store:<nome>]`\n"
              "Periodi: oggi, ieri, ultimi 7 giorni, ultimi N giorni, questa settimana, settimana scorsa, questo "
              "mese, mese scorso,\n"
              "da inizio trimestre, da inizio anno, novembre 2025, 2025-11-15, dal 2025-11-01 al 2025-11-15 "
              "(predefinito: ultimi 7 giorni). `vs anno scorso` = stessi giorni della settimana un anno prima.\n"
              "Esempi: `/kpi fatturato ieri` · `/kpi fatturato ultimi 7 giorni per canale` · "
              "`/kpi tasso di conversione ieri vs anno scorso`\n"
              "Ogni risposta finisce con la forma breve che ha eseguito (`revenue yesterday`): puoi scrivere "
              "anche quella.\n"
              "Anche: `/kpi elenco` (tutti i KPI), `/kpi obiettivi`, `/kpi stato`, `/kpi avvisi`, `/kpi anomalie`, "
              "`/kpi riepilogo`.\n"
              "Aggiungi `pubblico` alla fine per rispondere nel canale."},
    "status_data_through": {"en": "GA4 data up to {day}", "it": "Dati GA4 fino al {day}"},
    "status_no_data_yet": {"en": "No GA4 data yet: run kpibot sync", "it": "Nessun dato GA4: esegui kpibot sync"},
    "status_sync_ok": {"en": "Last sync: {started} (ok, {rows} rows)",
                       "it": "Ultima sincronizzazione: {started} (ok, {rows} righe)"},
    "status_sync_running": {"en": "Last sync: {started} (running, {rows} rows)",
                            "it": "Ultima sincronizzazione: {started} (in corso, {rows} righe)"},
    "status_sync_failed": {"en": "Last sync: {started} failed ({rows} rows): {why}",
                           "it": "Ultima sincronizzazione: {started} non riuscita ({rows} righe): {why}"},
    "sync_failure_detail": {"en": "{error}", "it": "dettaglio (in inglese): {error}"},
    "sync_failure_unreachable": {
        "en": "{error}",
        "it": "GA4 non è raggiungibile: controlla la rete o KPIBOT_GA4_ENDPOINT, poi esegui di nuovo kpibot sync."},
    "sync_failure_timeout": {
        "en": "{error}",
        "it": "GA4 non ha risposto in tempo: controlla la rete o KPIBOT_GA4_ENDPOINT, poi esegui di nuovo "
              "kpibot sync."},
    "sync_failure_malformed": {
        "en": "{error}",
        "it": "GA4 ha inviato risposte illeggibili: i dati salvati restano com'erano; esegui di nuovo kpibot sync "
              "più tardi."},
    "sync_failure_retry_later": {
        "en": "{error}",
        "it": "GA4 ha chiesto di attendere più a lungo di max_retry_wait: i dati salvati restano e la prossima "
              "sincronizzazione riprende da lì."},
    "sync_failure_unavailable": {
        "en": "{error}",
        "it": "GA4 ha continuato a rispondere con errori del server: i dati salvati restano; esegui di nuovo "
              "kpibot sync più tardi."},
    "sync_failure_quota": {
        "en": "{error}",
        "it": "la quota di GA4 è rimasta esaurita: i dati salvati restano; esegui di nuovo kpibot sync più tardi."},
    "sync_failure_quota_low": {
        "en": "{error}",
        "it": "la quota oraria di GA4 è quasi esaurita: i dati salvati restano e la prossima sincronizzazione "
              "riprende da lì."},
    "sync_failure_access": {
        "en": "{error}",
        "it": "GA4 ha negato l'accesso alla proprietà: aggiungi l'account di servizio come Visualizzatore "
              "(Amministrazione GA4 > Gestione dell'accesso alla proprietà) e controlla ga4_property in "
              "kpibot.toml."},
    "sync_failure_check": {
        "en": "{error}",
        "it": "la risposta di GA4 non ha superato un controllo (righe mancanti o valori non numerici): i dati "
              "salvati restano com'erano; esegui di nuovo kpibot sync più tardi e, se si ripete, controlla la "
              "proprietà in GA4."},
    # digest
    "digest_title": {"en": "{store} digest · {day}", "it": "Riepilogo di {store} · {day}"},
    "digest_provisional": {"en": "yesterday's data is still provisional in GA4",
                           "it": "dati di ieri ancora provvisori in GA4"},
    "digest_final": {"en": "final data", "it": "dati definitivi"},
    "digest_through": {"en": "data through {day}", "it": "dati fino al {day}"},
    "digest_kpis": {"en": "Main KPIs", "it": "KPI principali"},
    "digest_vs": {"en": "vs same weekday last week {week} · vs 28-day average {avg}",
                  "it": "vs stesso giorno sett. scorsa {week} · vs media 28 gg {avg}"},
    "digest_targets": {"en": "Targets", "it": "Obiettivi"},
    "digest_anomalies": {"en": "Anomalies", "it": "Anomalie"},
    "digest_none": {"en": "none", "it": "nessuna"},
    "digest_formula": {"en": "Formula magica", "it": "Formula magica"},
    "digest_channels": {"en": "Channels behind the change (points of the {change})",
                        "it": "Canali che spiegano la variazione (punti del {change})"},
    "digest_corrected": {"en": ":pencil2: Updated with GA4's final data: {changes}",
                         "it": ":pencil2: Aggiornato con i dati definitivi di GA4: {changes}"},
    "digest_no_changes": {"en": "no changes", "it": "nessuna variazione"},
    "digest_heading": {"en": "Digest", "it": "Riepilogo del mattino"},
    "chart_revenue_30d": {"en": "Revenue, last 30 days", "it": "Fatturato, ultimi 30 giorni"},
    "chart_last_year": {"en": "last year", "it": "anno scorso"},
    # anomalies
    "anomalies_none": {"en": "No anomalies in the period.", "it": "Nessuna anomalia nel periodo."},
    "anomaly_expected": {"en": "expected", "it": "atteso"},
    "anomaly_range": {"en": "range", "it": "intervallo"},
    "anomaly_critical": {"en": "critical", "it": "critica"},
    "anomaly_warning": {"en": "warning", "it": "avviso"},
    "anomaly_up": {"en": "above", "it": "sopra"},
    "anomaly_down": {"en": "below", "it": "sotto"},
    "mainly": {"en": "mainly", "it": "soprattutto"},
    "anomalies_heading": {"en": "Alerts: anomalies in the last 90 days",
                          "it": "Avvisi: anomalie degli ultimi 90 giorni"},
    # alerts
    "alert_kind_anomaly": {"en": "anomaly", "it": "anomalia"},
    "alert_kind_target": {"en": "target missed", "it": "obiettivo mancato"},
    "alert_kind_relative": {"en": "drop", "it": "calo"},
    "alert_kind_below": {"en": "below target", "it": "sotto l'obiettivo"},
    "alert_kind_above": {"en": "above target", "it": "sopra l'obiettivo"},
    "alert_expected": {"en": "expected", "it": "atteso"},
    "alert_since": {"en": "since", "it": "dal"},
    "alert_state_open": {"en": "open", "it": "aperto"},
    "alert_state_acknowledged": {"en": "acknowledged", "it": "preso in carico"},
    "alert_state_snoozed": {"en": "snoozed until {until}", "it": "posticipato fino al {until}"},
    "alert_state_resolved": {"en": "resolved", "it": "risolto"},
    "alert_state_expected": {"en": "marked as expected", "it": "segnato come atteso"},
    "alerts_none": {"en": "No open alerts.", "it": "Nessun avviso aperto."},
    "alerts_none_short": {"en": "no alerts.", "it": "nessun avviso."},
    "alert_gone": {"en": "This alert no longer exists.", "it": "Questo avviso non esiste più."},
    "button_acknowledge": {"en": "Acknowledge", "it": "Preso in carico"},
    "button_snooze_1d": {"en": "Snooze 1 day", "it": "Posticipa 1 giorno"},
    "button_snooze_7d": {"en": "Snooze 7 days", "it": "Posticipa 7 giorni"},
    "button_expected": {"en": "Expected", "it": "Atteso"},
    # incidents (kpi.anomalies.diagnosis codes) and the day's summary
    "diagnosis_tracking_tag": {
        "en": "The GA4 purchase tag probably stopped firing: sessions held while GA4's orders and revenue collapsed",
        "it": "Il tag di acquisto di GA4 probabilmente ha smesso di funzionare: le sessioni sono normali mentre "
              "ordini e fatturato in GA4 sono crollati"},
    "diagnosis_tracking_tag_confirmed": {
        "en": "The GA4 purchase tag probably stopped firing: the shop took {shop_orders} orders, GA4 saw "
              "{ga4_orders}",
        "it": "Il tag di acquisto di GA4 probabilmente ha smesso di funzionare: il negozio ha ricevuto {shop_orders} "
              "ordini, GA4 ne ha visti {ga4_orders}"},
    "diagnosis_device_checkout": {
        "en": "Checkout problem on {segment}: conversion fell on {segment} only, with sessions normal",
        "it": "Problema di checkout su {segment}: la conversione è calata solo su {segment}, con sessioni normali"},
    "diagnosis_bot_traffic": {
        "en": "Bot or spam traffic from {segment}: sessions jumped from {segment} while conversion or engagement "
              "fell",
        "it": "Traffico bot o spam da {segment}: le sessioni da {segment} sono balzate mentre conversione o "
              "coinvolgimento calavano"},
    "diagnosis_campaign": {
        "en": "A campaign is working: {segment} sessions spiked and conversion rose",
        "it": "Una campagna sta funzionando: le sessioni da {segment} sono salite di colpo e la conversione "
              "è cresciuta"},
    "diagnosis_none": {"en": "Unusual day for {kpis}", "it": "Giornata insolita per {kpis}"},
    "incident_vs_last_week": {"en": "same weekday last week", "it": "stesso giorno della settimana prima"},
    "incident_resolved": {"en": "resolved on {day}: {days} normal days in a row",
                          "it": "risolto il {day}: {days} giorni normali di fila"},
    "incident_relapsed": {"en": "back on {day} (relapse {count})", "it": "ricomparso il {day} (ricaduta {count})"},
    "incident_summary": {
        "en": "{count} more incidents on {day}, over this channel's limit of {limit} alert messages a day:",
        "it": "Altri {count} incidenti il {day}, oltre il limite di {limit} messaggi di avviso al giorno di questo "
              "canale:"},
    "incident_summary_hint": {"en": "`/kpi alerts` lists every open alert.",
                              "it": "`/kpi alerts` elenca tutti gli avvisi aperti."},
    "digest_event_day": {"en": ":date: {event}: comparisons with an ordinary day are not like for like",
                         "it": ":date: {event}: i confronti con un giorno normale non sono omogenei"},
    "digest_event_week_ago": {
        "en": ":date: the same weekday last week was {event}: that comparison is not like for like",
        "it": ":date: lo stesso giorno della settimana scorsa era {event}: quel confronto non è omogeneo"},
    # failure notices
    "notice_sync": {"en": ":warning: kpibot has failed to sync GA4 for {store} {n} times in a row ({error}). "
                          "Check the service account's access to the GA4 property and run "
                          "`kpibot sync --store {store}`.",
                    "it": ":warning: kpibot non riesce a sincronizzare GA4 per {store} da {n} tentativi di fila "
                          "({error}). Controlla l'accesso del service account alla proprietà GA4, poi esegui "
                          "`kpibot sync --store {store}`."},
    "notice_digest": {"en": ":warning: kpibot could not build the digest for {store} ({error}). "
                            "Run `kpibot digest --store {store}` to see the problem.",
                      "it": ":warning: kpibot non è riuscito a preparare il riepilogo di {store} ({error}). "
                            "Esegui `kpibot digest --store {store}` per vedere il problema."},
    "notice_recovered_sync": {"en": ":white_check_mark: GA4 sync for {store} is working again.",
                              "it": ":white_check_mark: La sincronizzazione GA4 di {store} di nuovo funzionante."},
    "notice_recovered_digest": {"en": ":white_check_mark: The digest for {store} is working again.",
                                "it": ":white_check_mark: Il riepilogo di {store} di nuovo funzionante."},
    # marketing sources (issue 15): caveats, splits, the digest's section, /kpi status
    "caveat_unknown_statistic": {
        "en": "Klaviyo refused to report {statistics} for part of this period, so the value is unknown",
        "it": "Klaviyo non ha fornito {statistics} per parte del periodo, quindi il valore è sconosciuto"},
    "caveat_meta_currency": {
        "en": "Meta ad account {account} reports in {currency}, the store in {store_currency}: its spend is left "
              "out of this figure",
        "it": "l'account pubblicitario Meta {account} è in {currency}, il negozio in {store_currency}: la sua "
              "spesa è esclusa da questo valore"},
    "caveat_repurchase_window_open": {
        "en": "customers who ordered after {since} have had less than {days} days to buy again",
        "it": "i clienti che hanno ordinato dopo il {since} hanno avuto meno di {days} giorni per riacquistare"},
    "query_cannot_split_flow": {
        "en": "This KPI cannot be split by flow: that split exists for Klaviyo flow metrics such as "
              "email_attributed_revenue or cart_recovery_rate",
        "it": "Questo KPI non si può dividere per flusso: la divisione esiste per i KPI dei flussi Klaviyo come "
              "email_attributed_revenue o cart_recovery_rate"},
    "query_cannot_split_platform": {
        "en": "This KPI cannot be split by platform: that split exists for ad cost KPIs such as ad_cost, cpo or cac",
        "it": "Questo KPI non si può dividere per piattaforma: la divisione esiste per i KPI di spesa come ad_cost, "
              "cpo o cac"},
    "query_cannot_split_send_channel": {
        "en": "This KPI cannot be split by send channel: that split exists for Klaviyo metrics such as "
              "email_attributed_revenue or email_open_rate",
        "it": "Questo KPI non si può dividere per canale di invio: la divisione esiste per i KPI Klaviyo come "
              "email_attributed_revenue o email_open_rate"},
    "digest_marketing": {"en": "Marketing automation", "it": "Automazioni di marketing"},
    "role_welcome": {"en": "Welcome", "it": "Benvenuto"},
    "role_abandoned_cart": {"en": "Abandoned cart", "it": "Carrello abbandonato"},
    "role_post_purchase": {"en": "Post-purchase", "it": "Post-acquisto"},
    "role_winback": {"en": "Win-back", "it": "Riattivazione"},
    "marketing_role_line": {"en": "{role} ({flows}): {kpi} {value} ({period})",
                            "it": "{role} ({flows}): {kpi} {value} ({period})"},
    "marketing_role_missing": {"en": "{role}: no flow has this role (name one in kpibot.toml, stores.klaviyo.flows)",
                               "it": "{role}: nessun flusso ha questo ruolo (indicalo in kpibot.toml, "
                                     "stores.klaviyo.flows)"},
    "marketing_email_shares": {
        "en": "Email share of revenue ({period}): {klaviyo} by Klaviyo's attribution · {ga4} by GA4's last click",
        "it": "Quota email del fatturato ({period}): {klaviyo} secondo l'attribuzione di Klaviyo · {ga4} secondo "
              "l'ultimo clic di GA4"},
    "marketing_email_shares_why": {
        "en": "_Klaviyo credits an order to an email opened or clicked in the days before it (its attribution "
              "window); GA4 credits only the visit's last click._",
        "it": "_Klaviyo attribuisce un ordine a un'email aperta o cliccata nei giorni prima (la sua finestra di "
              "attribuzione); GA4 solo all'ultimo clic della visita._"},
    "status_flow_roles": {"en": "Klaviyo flow roles: {roles}", "it": "Ruoli dei flussi Klaviyo: {roles}"},
    "status_roles_missing": {"en": "Roles with no flow: {roles}", "it": "Ruoli senza flusso: {roles}"},
    "status_no_flows_yet": {"en": "No Klaviyo flows synced yet: run kpibot sync",
                            "it": "Nessun flusso Klaviyo sincronizzato: esegui kpibot sync"},
    # the shop's own sales (issue 14): caveats, splits, the digest's shop section, /kpi status
    "caveat_other_currency": {
        "en": "{count} order(s) in {currency}, not the store's {store_currency}, are kept but left out of these "
              "figures",
        "it": "{count} ordini in {currency}, non nella valuta del negozio ({store_currency}), sono salvati ma "
              "esclusi da questi numeri"},
    "caveat_product_lines": {
        "en": "by product, each row sums its line items after discounts, before refunds and without shipping, "
              "so the rows do not add up to the total",
        "it": "per prodotto, ogni riga somma le sue righe d'ordine scontate, prima dei rimborsi e senza "
              "spedizione: le righe non danno il totale"},
    "query_cannot_split_product": {
        "en": "This KPI cannot be split by product: that split exists for shop_revenue, shop_orders, shop_aov, "
              "shop_units and items_per_order",
        "it": "Questo KPI non si può dividere per prodotto: la divisione esiste per shop_revenue, shop_orders, "
              "shop_aov, shop_units e items_per_order"},
    "query_cannot_split_product_type": {
        "en": "This KPI cannot be split by product type: that split exists for shop_revenue, shop_orders, "
              "shop_aov, shop_units and items_per_order",
        "it": "Questo KPI non si può dividere per tipo di prodotto: la divisione esiste per shop_revenue, "
              "shop_orders, shop_aov, shop_units e items_per_order"},
    "digest_shop": {"en": "Shop orders", "it": "Ordini del negozio"},
    "tracking_line": {
        "en": "Tracking: GA4 saw {ga4} of the shop's {shop} orders ({gap} untracked; usually {median})",
        "it": "Tracciamento: GA4 ha visto {ga4} dei {shop} ordini del negozio ({gap} non tracciati; di solito "
              "{median})"},
    "tracking_line_new": {
        "en": "Tracking: GA4 saw {ga4} of the shop's {shop} orders ({gap} untracked)",
        "it": "Tracciamento: GA4 ha visto {ga4} dei {shop} ordini del negozio ({gap} non tracciati)"},
    "tracking_no_orders": {
        "en": "Tracking: the shop had no orders that day to compare with GA4's {ga4}",
        "it": "Tracciamento: quel giorno il negozio non ha ordini da confrontare con i {ga4} di GA4"},
    "tracking_jump": {
        "en": ":warning: *The tracking gap jumped*: GA4 saw only {ga4} of the shop's {shop} orders, {gap} "
              "untracked against {median} usually (median of the 28 days before). The purchase tag or the "
              "consent banner has probably broken (a theme, checkout or cookie-banner change): check that GA4 "
              "still records purchases.",
        "it": ":warning: *Ordini non tracciati in forte aumento*: GA4 ha visto solo {ga4} dei {shop} ordini del "
              "negozio, {gap} non tracciati contro il {median} abituale (mediana dei 28 giorni prima). "
              "Probabilmente si è rotto il tag di acquisto o il banner dei consensi (un cambio di tema, di "
              "checkout o del banner dei cookie): controlla che GA4 registri ancora gli acquisti."},
    "status_shop_synced": {"en": "{platform}: last synced {synced}, orders up to {day}",
                           "it": "{platform}: ultima sincronizzazione {synced}, ordini fino al {day}"},
    "status_shop_no_orders": {"en": "{platform}: last synced {synced}, no orders yet",
                              "it": "{platform}: ultima sincronizzazione {synced}, ancora nessun ordine"},
    "status_shop_never": {"en": "{platform}: not synced yet: run kpibot sync",
                          "it": "{platform}: non ancora sincronizzato: esegui kpibot sync"},
    # App Home and access
    "home_yesterday": {"en": "Yesterday", "it": "Ieri"},
    "home_targets": {"en": "Targets", "it": "Obiettivi"},
    "home_alerts": {"en": "Open alerts", "it": "Avvisi aperti"},
    "home_none": {"en": "none", "it": "nessuno"},
    "home_fresh": {"en": "GA4 data up to {day}", "it": "Dati GA4 fino al {day}"},
    "home_vs": {"en": "vs same weekday last week", "it": "vs stesso giorno sett. scorsa"},
    "access_refused": {
        "en": "Sorry, I can't do that: this store's figures are only for members of its channels. If you think "
              "this is a mistake, ask whoever runs kpibot.",
        "it": "Mi dispiace, non posso farlo: i dati di questo negozio sono visibili solo a chi fa parte dei suoi "
              "canali. Se pensi che sia un errore, chiedi a chi gestisce kpibot."},
    "access_retry": {
        "en": "Sorry, I can't check your access on Slack right now; please try again in a few minutes.",
        "it": "Mi dispiace, in questo momento non riesco a verificare i tuoi accessi su Slack; riprova tra qualche "
              "minuto."},
    "access_home": {
        "en": "You don't see any store here yet: kpibot shows a store's figures only to members of one of its "
              "channels. Ask to join the store's channel, or ask whoever runs kpibot to add you to the "
              "administrators (`admins`).",
        "it": "Qui non vedi ancora nessun negozio: kpibot mostra i numeri di un negozio solo a chi fa parte di uno "
              "dei suoi canali. Chiedi di entrare nel canale del negozio, oppure chiedi a chi gestisce kpibot di "
              "aggiungerti agli amministratori (`admins`)."},
    # issue 12 (trust on first use): the formula line's shares, blended totals, uncovered comparisons, ...
    "formula_shares": {"en": "traffic explains {traffic_share}, CvR {cvr_share}, AOV {aov_share}",
                       "it": "il traffico spiega il {traffic_share}, il CvR il {cvr_share}, l'AOV il {aov_share}"},
    "caveat_blended_total": {
        "en": "the total is all {numerator} / all {denominator}: it includes {keys}, which have no {missing}",
        "it": "il totale è il rapporto fra {numerator} totale e {denominator} totale: comprende anche {keys}, che "
              "non hanno {missing}"},
    "query_not_watched": {
        "en": "The anomaly detector judges KPIs day by day, and `{metric}` is counted from orders over a period, "
              "with no daily value to judge: it watches {watched} (and any other GA4 KPI you name)",
        "it": "Il rilevatore di anomalie giudica i KPI giorno per giorno, e `{metric}` si conta sugli ordini di un "
              "periodo, senza un valore giornaliero da giudicare: controlla {watched} (e ogni altro KPI di GA4 "
              "che indichi)"},
    "digest_provisional_day": {"en": "the data for {day} is still provisional in GA4",
                               "it": "i dati del {day} sono ancora provvisori in GA4"},
    "chart_day": {"en": "Day", "it": "Giorno"},
    "chart_target": {"en": "Target {bounds}", "it": "Obiettivo {bounds}"},
    "chart_anomaly": {"en": "anomaly", "it": "anomalia"},
    "chart_by_channel": {"en": " by channel", "it": " per canale"},
    "chart_by_device": {"en": " by device", "it": " per dispositivo"},
    "chart_by_visitor": {"en": " by visitor", "it": " per visitatore"},
    "chart_by_campaign": {"en": " by campaign", "it": " per campagna"},
    "chart_by_segment": {"en": " by segment", "it": " per segmento"},
    "chart_by_flow": {"en": " by flow", "it": " per flusso"},
    "chart_by_platform": {"en": " by platform", "it": " per piattaforma"},
    "chart_by_send_channel": {"en": " by send channel", "it": " per canale di invio"},
    "chart_axis_channel": {"en": "Channel", "it": "Canale"},
    "chart_axis_device": {"en": "Device", "it": "Dispositivo"},
    "chart_axis_visitor": {"en": "Visitor", "it": "Visitatore"},
    "chart_axis_campaign": {"en": "Campaign", "it": "Campagna"},
    "chart_axis_segment": {"en": "RFM segment", "it": "Segmento RFM"},
    "chart_axis_flow": {"en": "Flow", "it": "Flusso"},
    "chart_axis_platform": {"en": "Platform", "it": "Piattaforma"},
    "chart_axis_send_channel": {"en": "Send channel", "it": "Canale di invio"},
    "more_table_rows": {"en": "… {n} more (`--json` lists them all)",
                        "it": "… altre {n} righe (`--json` le elenca tutte)"},
    "measure_revenue": {"en": "revenue", "it": "fatturato"},
    "measure_ad_cost": {"en": "ad spend", "it": "spesa pubblicitaria"},
    "measure_ad_clicks": {"en": "ad clicks", "it": "clic sugli annunci"},
    "measure_orders": {"en": "orders", "it": "ordini"},
    "measure_key_events": {"en": "key events", "it": "eventi chiave"},
    "measure_sessions": {"en": "sessions", "it": "sessioni"},
    "measure_new_customers": {"en": "new customers", "it": "nuovi clienti"},
    # targets, alert rules and reports set from Slack; message limits (issue 13)
    "rule_not_a_number": {"en": "must be a number", "it": "deve essere un numero"},
    "rule_not_a_fraction": {"en": "must be a fraction between 0 and 1", "it": "deve essere una frazione tra 0 e 1"},
    "rule_not_a_fraction_percent": {"en": "must be a fraction between 0 and 1 (write {fraction} for {percent}%)",
                                    "it": "deve essere una frazione tra 0 e 1 (scrivi {fraction} per {percent}%)"},
    "rule_min_above_max": {"en": "has min greater than max", "it": "ha il minimo più alto del massimo"},
    "rule_bad_period": {"en": "must be one of {allowed}", "it": "deve essere uno tra {allowed}"},
    "rule_not_a_kpi": {"en": "must be a KPI name such as revenue or orders (`kpibot ask list` shows them all)",
                       "it": "deve essere il nome di un KPI come revenue o orders (`kpibot ask list` li mostra tutti)"},
    "rule_not_a_kpi_close": {"en": "must be a KPI name; did you mean {close}?",
                             "it": "deve essere il nome di un KPI; forse intendevi {close}?"},
    "rule_drop_range": {"en": "must be a fraction between 0 and 1, such as 0.20 for a 20% drop",
                        "it": "deve essere una frazione tra 0 e 1, come 0.20 per un calo del 20%"},
    "rule_volume_range": {"en": "must be a number of 0 or more", "it": "deve essere un numero pari o superiore a 0"},
    "rule_got": {"en": "{rule}, got {value}", "it": "{rule}, trovato {value}"},
    "rule_text": {"en": "{metric} down more than {drop} vs the same weekday last week, when {volume_metric} was at "
                        "least {volume}",
                  "it": "{metric} in calo di oltre il {drop} rispetto allo stesso giorno della settimana scorsa, se "
                        "{volume_metric} era almeno {volume}"},
    "targets_title": {"en": "Targets of {store}", "it": "Obiettivi di {store}"},
    "targets_none": {"en": "No targets.", "it": "Nessun obiettivo."},
    "targets_rules": {"en": "Relative alert rules", "it": "Regole di avviso relative"},
    "rules_none": {"en": "none: relative alerts are off", "it": "nessuna: gli avvisi relativi sono spenti"},
    "origin_file": {"en": "kpibot.toml", "it": "da kpibot.toml"},
    "origin_default": {"en": "kpibot's default", "it": "predefinito di kpibot"},
    "origin_slack": {"en": "set from Slack by <@{user}> on {when}", "it": "impostato da Slack da <@{user}> il {when}"},
    "origin_off": {"en": "switched off from Slack by <@{user}> on {when}",
                   "it": "disattivato da Slack da <@{user}> il {when}"},
    "origin_file_says": {"en": "kpibot.toml says {bounds}", "it": "in kpibot.toml: {bounds}"},
    "origin_default_says": {"en": "kpibot's default is {bounds}", "it": "il predefinito di kpibot è {bounds}"},
    "origin_file_silent": {"en": "not in kpibot.toml", "it": "assente da kpibot.toml"},
    "target_off": {"en": "off", "it": "spento"},
    "button_edit_targets": {"en": "Edit", "it": "Modifica"},
    "modal_targets_title": {"en": "Targets", "it": "Obiettivi"},
    "modal_save": {"en": "Save", "it": "Salva"},
    "modal_close": {"en": "Cancel", "it": "Annulla"},
    "modal_intro": {
        "en": "*{store}*: what you save here wins over kpibot.toml and carries your name. Ratios are fractions "
              "(0.015 is 1.5%). Empty both bounds to switch a target off; type the file's values to use the file "
              "again.",
        "it": "*{store}*: ciò che salvi qui vale più di kpibot.toml e porta il tuo nome. I rapporti sono frazioni "
              "(0.015 è l'1,5%). Svuota entrambi i limiti per spegnere un obiettivo; scrivi i valori del file per "
              "tornare al file."},
    "modal_min": {"en": "{kpi}: min", "it": "{kpi}: minimo"},
    "modal_max": {"en": "{kpi}: max", "it": "{kpi}: massimo"},
    "modal_period": {"en": "{kpi}: judged over", "it": "{kpi}: valutato su"},
    "period_week": {"en": "the last 7 days", "it": "gli ultimi 7 giorni"},
    "period_month": {"en": "the month, paced", "it": "il mese, con il ritmo"},
    "modal_new_target": {"en": "Add a target for", "it": "Aggiungi un obiettivo per"},
    "modal_rules": {"en": "*Relative alert rules* (vs the same weekday last week). Empty a rule's drop to remove it.",
                    "it": "*Regole di avviso relative* (rispetto allo stesso giorno della settimana scorsa). Svuota "
                          "il calo di una regola per toglierla."},
    "modal_rule_metric": {"en": "Rule {n}: KPI", "it": "Regola {n}: KPI"},
    "modal_rule_drop": {"en": "Rule {n}: down more than (0.20 = 20%)",
                        "it": "Regola {n}: in calo di oltre (0.20 = 20%)"},
    "modal_rule_volume": {"en": "Rule {n}: only when at least", "it": "Regola {n}: solo con almeno"},
    "modal_rule_volume_metric": {"en": "Rule {n}: of (empty: the same KPI)",
                                 "it": "Regola {n}: di (vuoto: lo stesso KPI)"},
    "modal_more": {"en": "…and {n} more targets: change them in kpibot.toml",
                   "it": "…e altri {n} obiettivi: modificali in kpibot.toml"},
    "modal_rules_file": {"en": "More than {max} alert rules are set: change them in kpibot.toml.",
                         "it": "Ci sono più di {max} regole di avviso: modificale in kpibot.toml."},
    "targets_saved": {"en": ":white_check_mark: Targets of {store} saved: `/kpi targets` shows them.",
                      "it": ":white_check_mark: Obiettivi di {store} salvati: `/kpi targets` li mostra."},
    "admins_only": {"en": "Sorry, only kpibot's administrators (`admins` in kpibot.toml) can change targets.",
                    "it": "Mi dispiace, solo gli amministratori di kpibot (`admins` in kpibot.toml) possono cambiare "
                          "gli obiettivi."},
    "query_schedule_quotes": {
        "en": "Put the question in quotes, then say when",
        "it": "Metti la domanda tra virgolette, poi di' quando"},
    "query_schedule_when": {"en": "Say when: `every monday 09:00` or `every day 08:30`",
                            "it": "Di' quando: `ogni lunedì alle 9` o `ogni giorno alle 8:30`"},
    "query_schedule_day": {"en": "`{word}` is not a day: use monday to sunday, or day",
                           "it": "`{word}` non è un giorno: usa da lunedì a domenica, oppure giorno"},
    "query_schedule_time": {"en": "`{word}` is not a time of day: write it as 09:00 or 9",
                            "it": "`{word}` non è un orario: scrivilo come 09:00 o 9"},
    "query_schedule_nested": {"en": "A scheduled report cannot schedule another one",
                              "it": "Un report pianificato non può pianificarne un altro"},
    "report_when_daily": {"en": "every day at {time}", "it": "ogni giorno alle {time}"},
    "report_when_weekly": {"en": "every {day} at {time}", "it": "ogni {day} alle {time}"},
    "report_scheduled": {"en": ":calendar: Scheduled #{id}: `{query}` {when} ({timezone}) in this channel. "
                               "`/kpi schedules` lists them.",
                         "it": ":calendar: Pianificato #{id}: `{query}` {when} ({timezone}) in questo canale. "
                               "`/kpi schedules` li elenca."},
    "reports_title": {"en": "Scheduled reports in this channel", "it": "Report pianificati in questo canale"},
    "reports_none": {"en": "No reports are scheduled in this channel. Add one with "
                           "`/kpi schedule \"revenue last-7d by channel\" every monday 09:00`.",
                     "it": "Nessun report pianificato in questo canale. Aggiungine uno con "
                           "`/kpi pianifica \"fatturato ultimi 7 giorni per canale\" ogni lunedì alle 9`."},
    "report_line": {"en": "*#{id}* `{query}` · {when} · by <@{user}>",
                    "it": "*#{id}* `{query}` · {when} · di <@{user}>"},
    "report_footer": {"en": ":calendar: Scheduled report #{id}, {when}: `/kpi schedules` to cancel it",
                      "it": ":calendar: Report pianificato #{id}, {when}: `/kpi schedules` per annullarlo"},
    "button_cancel_report": {"en": "Cancel #{id}", "it": "Annulla #{id}"},
    "report_cancelled": {"en": ":wastebasket: Report #{id} cancelled.", "it": ":wastebasket: Report #{id} annullato."},
    "report_gone": {"en": "This scheduled report no longer exists.", "it": "Questo report pianificato non esiste più."},
    "report_limit": {"en": "This channel already has {max} scheduled reports: cancel one first (`/kpi schedules`).",
                     "it": "Questo canale ha già {max} report pianificati: annullane uno prima (`/kpi schedules`)."},
    "action_unknown": {"en": "Sorry, kpibot does not know that button; nothing was changed.",
                       "it": "Mi dispiace, kpibot non conosce quel pulsante; non è cambiato nulla."},
    "more_rows": {"en": "…and {n} more", "it": "…e altri {n}"},
}

MEASURE_PARAMS = ("numerator", "denominator", "missing")  # caveat params that name a stored measure


def t(key: str, language: str, **params: object) -> str:
    """The sentence ``key`` in ``language`` (English for a language kpibot does not speak)."""
    words = CATALOGUE[key]
    return words.get(language, words[FALLBACK]).format(**params)


def locale_for(language: str) -> str:
    return LOCALES.get(language, LOCALES[FALLBACK])


def label(metric: Metric, language: str) -> str:
    """A KPI's name for people, from its catalogue entry."""
    return metric.label_it if language == "it" else metric.label_en


def caveat_text(caveat: Caveat, language: str) -> str:
    params = {key: measure_word(value, language) if key in MEASURE_PARAMS else value
              for key, value in caveat.params.items()}
    return t(f"caveat_{caveat.code}", language, **params)


def measure_word(measure: str, language: str) -> str:
    """A stored measure (``ad_cost``) in words, for sentences that name a ratio's parts."""
    key = f"measure_{measure}"
    return t(key, language) if key in CATALOGUE else measure.replace("_", " ")


def query_error_text(error: QueryError, language: str) -> str:
    """A query the parser could not read: the problem, "did you mean" and one example, in one line."""
    params = {key: ", ".join(value) if isinstance(value, tuple) else value for key, value in error.params.items()}
    problem = t(f"query_{error.code}", language, **params) if f"query_{error.code}" in CATALOGUE \
        else (error.code.replace("_", " ").capitalize() or "?")
    parts = [problem + "."]
    if error.suggestion:
        parts.append(t("query_did_you_mean", language, suggestion=error.suggestion))
    parts.append(t("query_example", language, example=error.example))
    return " ".join(parts)
