"""Failures are visible: one plain notice after N failures in a row, then quiet until recovery."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from connectors.episodes_store import record_outcome, set_notified
from connectors.warehouse import Warehouse
from kpi.settings import StoreSettings

THRESHOLDS = {"sync": 3, "digest": 1}
NOTICES = {
    "it": {"sync": ":warning: kpibot non riesce a sincronizzare GA4 per {store} da {n} tentativi di fila ({error}). "
                   "Controlla l'accesso del service account alla proprietà GA4, "
                   "poi esegui `kpibot sync --store {store}`.",
           "digest": ":warning: kpibot non è riuscito a preparare il riepilogo di {store} ({error}). "
                     "Esegui `kpibot digest --store {store}` per vedere il problema.",
           "recovered": ":white_check_mark: {what} di {store} di nuovo funzionante."},
    "en": {"sync": ":warning: kpibot has failed to sync GA4 for {store} {n} times in a row ({error}). "
                   "Check the service account's access to the GA4 property and run `kpibot sync --store {store}`.",
           "digest": ":warning: kpibot could not build the digest for {store} ({error}). "
                     "Run `kpibot digest --store {store}` to see the problem.",
           "recovered": ":white_check_mark: {what} for {store} is working again."},
}
WHAT = {"it": {"sync": "La sincronizzazione GA4", "digest": "Il riepilogo"},
        "en": {"sync": "GA4 sync", "digest": "The digest"}}


class Notifier(Protocol):
    def notice(self, store: StoreSettings, text: str) -> None: ...


def note_outcome(db: Warehouse, store: StoreSettings, kind: str, error: str | None, now: datetime,
                 notifier: Notifier) -> str | None:
    """Record a run; post a notice when failures reach the threshold or recover. Returns what was posted."""
    counter = record_outcome(db, store.name, kind, error, now)
    words = NOTICES.get(store.language, NOTICES["en"])
    text = None
    if error and counter["consecutive"] >= THRESHOLDS[kind] and not counter["notified"]:
        text = words[kind].format(store=store.name, n=counter["consecutive"], error=error[:200])
        set_notified(db, store.name, kind, True)
    elif not error and counter["notified"]:
        text = words["recovered"].format(what=WHAT.get(store.language, WHAT["en"])[kind], store=store.name)
        set_notified(db, store.name, kind, False)
    if text:
        notifier.notice(store, text)
    return text
