"""The words of the query language (SPEC §6) as data: phrases → canonical short tokens.

A phrase is words separated by spaces. ``a|b`` is a choice, a trailing ``?`` makes a word
optional, and ``{n}`` (a number), ``{w}`` (a number of weeks, counted as days), ``{month}``
(a month's name), ``{year}`` and ``{date}``/``{date2}`` are slots that ``kpi.query.grammar`` fills.
A period's canonical token is a template over those slots (``last-{n}d``).

Filler words are dropped before phrases are matched, so no phrase contains one: "la
settimana scorsa" and "settimana scorsa" are the same phrase. Tables are keyed by language
(``en``, ``it``) so suggestions and examples can answer in the words the user typed.
"""

from __future__ import annotations

Phrases = dict[str, tuple[str, ...]]  # language -> phrases

PERIODS: dict[str, Phrases] = {
    "today": {"en": ("today",), "it": ("oggi",)},
    "yesterday": {"en": ("yesterday",), "it": ("ieri",)},
    "last-{n}d": {"en": ("last|past {n} days|day|d", "{n} days"),
                  "it": ("ultimi|ultime|scorsi|passati {n} giorni|giorno|gg|g", "{n} giorni|gg")},
    "last-{w}d": {"en": ("last|past {w} weeks|week",),
                  "it": ("ultime|scorse|passate {w} settimane|settimana",)},
    # A rolling week or month: "l'ultima settimana" is the last seven days, not last calendar week.
    "last-7d": {"en": ("past week",), "it": ("ultima settimana",)},
    "last-30d": {"en": ("past month",), "it": ("ultimo mese",)},
    "this-week": {"en": ("this|current week", "week to date", "wtd"),
                  "it": ("questa settimana", "settimana corrente|attuale|corso", "da|dal|dall'? inizio settimana")},
    "last-week": {"en": ("last|previous week",),
                  "it": ("settimana scorsa|passata|precedente", "scorsa settimana")},
    "mtd": {"en": ("this|current month", "month to date", "this-month"),
            "it": ("questo mese", "mese corrente|attuale|corso", "da|dal|dall'? inizio mese")},
    "last-month": {"en": ("last|previous month",), "it": ("mese scorso|passato|precedente", "scorso mese")},
    "qtd": {"en": ("this|current quarter", "quarter to date"),
            "it": ("questo trimestre", "trimestre corrente|attuale|corso", "da|dal|dall'? inizio trimestre")},
    "ytd": {"en": ("this|current year", "year to date"),
            "it": ("quest'|questo anno", "anno corrente|attuale|corso", "da|dal|dall'? inizio anno")},
    "{year}-{month}": {"en": ("month? {month} {year}",), "it": ("mese? {month} {year}",)},
    "{date}": {"en": ("{date}",), "it": ("{date}",)},
    "{date}..{date2}": {"en": ("from|between? {date} to|until|till|through|and|-|– {date2}",),
                        "it": ("dal|da|tra|fra? {date} al|a|fino|e|-|– {date2}", "dal|da? {date} fino al|a {date2}")},
}

COMPARISONS: dict[str, Phrases] = {
    "prev": {"en": ("prev|previous|prior period?", "period before"),
             "it": ("prec|precedente", "periodo precedente|prima")},
    "ly": {"en": ("ly|yoy", "last|previous year", "same period|day|week|month|quarter last|previous year",
                  "year year", "a? year ago", "last-year"),  # "year over year": over and on are filler
           "it": ("ap", "anno scorso|precedente|passato|prima", "scorso anno",
                  "stesso periodo|giorno|settimana|mese|trimestre anno scorso|precedente|passato", "anno fa")},
}

VS_MARKERS: Phrases = {
    "en": ("vs|versus|against", "compared to|with", "compare to|with"),
    "it": ("vs|contro|versus", "rispetto al|allo|alla|all'|ai|agli|alle|a?",
           "confrontato|paragonato con|col|a|al|all'"),
}

BY_MARKERS: Phrases = {
    "en": ("by|per", "split|broken by", "broken down by"),
    "it": ("per", "diviso|divisi|suddiviso|ripartito per"),
}

DIMENSIONS: dict[str, Phrases] = {
    "channel": {"en": ("channel|channels",), "it": ("canale|canali",)},
    "device": {"en": ("device|devices",), "it": ("dispositivo|dispositivi",)},
    "visitor": {"en": ("visitor|visitors", "new and returning"), "it": ("visitatore|visitatori", "tipo visitatore")},
    "campaign": {"en": ("campaign|campaigns",), "it": ("campagna|campagne",)},
    "segment": {"en": ("segment|segments|rfm",), "it": ("segmento|segmenti",)},
    "product": {"en": ("product|products", "item|items"), "it": ("prodotto|prodotti", "articolo|articoli")},
    "product_type": {"en": ("product type|types", "product category|categories"),
                     "it": ("tipo|tipi prodotto|prodotti", "categoria|categorie prodotto|prodotti?")},
    # marketing sources (issue 15): Klaviyo flows and send channels, ad platforms
    "flow": {"en": ("flow|flows",), "it": ("flusso|flussi",)},
    "platform": {"en": ("platform|platforms", "ad platform|platforms"), "it": ("piattaforma|piattaforme",)},
    "send_channel": {"en": ("send|sending channel|channels",), "it": ("canale|canali invio",)},
}

COMMANDS: dict[str, Phrases] = {
    "help": {"en": ("help",), "it": ("aiuto", "guida")},
    "list": {"en": ("list", "kpis"), "it": ("elenco", "lista")},
    "digest": {"en": ("digest",), "it": ("riepilogo",)},
    "targets": {"en": ("targets",), "it": ("obiettivi",)},
    "status": {"en": ("status",), "it": ("stato",)},
    "alerts": {"en": ("alerts",), "it": ("avvisi", "allarmi")},
    "anomalies": {"en": ("anomalies",), "it": ("anomalie",)},
}

# Verbs that name a KPI only when no KPI is named: "how much did we make yesterday".
METRIC_VERBS: dict[str, Phrases] = {
    "revenue": {"en": ("make|made|earn|earned|sell|sold",), "it": ("incassato|guadagnato|venduto|incassi",)},
}

FILLER: dict[str, str] = {
    "en": "what what's whats was were is are be been the our my us me show tell give how much many did do does "
          "we i have has had get got in for of during over at on an please total there it its",
    "it": "quanto quanta quanti quante abbiamo ho hai hanno ha avuto il lo la i gli le l' di d' del dello della "
          "dei degli delle dell' nel nello nella nei negli nelle nell' sul sullo sulla sui sugli sulle sull' in "
          "è e' sono stato stata stati state era erano fatto fatta fatti fatte com' come qual quale quali cosa che "
          "mi dimmi dici mostra mostrami fammi vedere ci un una un' totale nostro nostra nostri nostre "
          "mio mia miei mie andato andata andati andate va sta stiamo facendo",
}
FILLER_PHRASES: Phrases = {"en": ("so far", "to date", "up to now"), "it": ("per favore", "fino ad|a oggi|ora|adesso")}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
           "august aug", "september sep sept", "october oct", "november nov", "december dec"),
    "it": ("gennaio gen", "febbraio feb", "marzo mar", "aprile apr", "maggio mag", "giugno giu", "luglio lug",
           "agosto ago", "settembre set sett", "ottobre ott", "novembre nov", "dicembre dic"),
}

NUMERALS: dict[str, str] = {
    "en": "one two three four five six seven eight nine ten",
    "it": "uno due tre quattro cinque sei sette otto nove dieci",
}
TENS: dict[str, dict[str, int]] = {
    "en": {"fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90},
    "it": {"quattordici": 14, "quindici": 15, "venti": 20, "trenta": 30, "sessanta": 60, "novanta": 90},
}

# The phrase shown when suggesting a period in each language: one per meaning, the usual one.
SUGGESTED_PERIODS: Phrases = {
    "en": ("today", "yesterday", "last 7 days", "last 30 days", "this week", "last week", "this month",
           "last month", "quarter to date", "year to date"),
    "it": ("oggi", "ieri", "ultimi 7 giorni", "ultimi 30 giorni", "questa settimana", "settimana scorsa",
           "questo mese", "mese scorso", "da inizio trimestre", "da inizio anno"),
}
SUGGESTED_COMPARISONS: Phrases = {"en": ("previous period", "last year"), "it": ("periodo precedente", "anno scorso")}

# A whole query to show when nothing better fits, and the KPI put before a lone period.
EXAMPLES: dict[str, str] = {"en": "aov last-30d vs ly by channel",
                            "it": "scontrino medio ultimi 30 giorni vs anno scorso per canale"}
EXAMPLE_METRIC: dict[str, str] = {"en": "revenue", "it": "fatturato"}
