"""Caveats attached to answers: structured, with English and Italian wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXTS: dict[str, tuple[str, str]] = {
    "provisional": ("days still being processed by GA4, which may change: {days}",
                    "giorni ancora in elaborazione in GA4, che possono cambiare: {days}"),
    "thresholded": ("GA4 applied thresholding to some of this data: small counts may be hidden",
                    "GA4 ha applicato una soglia ad alcuni dati: i valori piccoli possono essere nascosti"),
    "other_row": ("GA4 grouped some rows into \"(other)\": breakdowns may be incomplete",
                  "GA4 ha raggruppato alcune righe in \"(other)\": le suddivisioni possono essere incomplete"),
    "sampled": ("GA4 sampled some of this data", "GA4 ha campionato parte di questi dati"),
    "missing_days": ("days of the period with no data: {days} (run kpibot sync)",
                     "giorni del periodo senza dati: {days} (esegui kpibot sync)"),
    "no_data": ("there is no data for this period", "non ci sono dati per questo periodo"),
    "zero_denominator": ("the {part} is zero, so the ratio is undefined",
                         "il denominatore ({part}) è zero, quindi il rapporto non è definito"),
    "zero_revenue_split": ("a zero in revenue, sessions or orders: the traffic/CvR/AOV split is not defined",
                           "uno zero in fatturato, sessioni o ordini: la scomposizione non è definita"),
    "default_target": ("the target is kpibot's default (email 15–20% of revenue); set your own in kpibot.toml",
                       "l'obiettivo è quello predefinito (email 15–20% del fatturato); impostalo in kpibot.toml"),
    "young_cohort": ("customers who first bought after {since} have had less than {months} months to buy again",
                     "i clienti al primo acquisto dopo il {since} hanno avuto meno di {months} mesi per riacquistare"),
    "compare_gap": ("the comparison period {start} – {end} is not fully covered by the data, so the change "
                    "is not like for like", "il periodo di confronto {start} – {end} non è coperto del tutto dai "
                    "dati: la variazione non è omogenea"),
    "no_orders": ("no orders are imported for this store: run kpibot import-orders",
                  "nessun ordine importato per questo negozio: esegui kpibot import-orders"),
}


@dataclass(frozen=True)
class Caveat:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        english, italian = TEXTS[self.code]
        return (italian if language == "it" else english).format(**self.params)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))
