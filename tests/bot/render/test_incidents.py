"""An incident's message, its thread reply and the day's summary, in Italian and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.i18n import CATALOGUE
from bot.render.alerts.incidents import incident_line, incident_message, incident_reply, summary_message
from kpi.anomalies.diagnosis import RULES
from kpi.settings import StoreSettings
from schedules.episodes import Episode
from schedules.incidents import Incident
from schedules.incidents.outbox import Summary

DAY = date(2026, 10, 14)
IT = StoreSettings(name="shop-it", ga4_property="1", language="it")
EN = replace(IT, name="shop-en", language="en")


def kpi(metric: str, value: float, expected: float, kind: str = "anomaly", contributor: str | None = None) -> Episode:
    return Episode(1, "shop-it", metric, kind, DAY, DAY, value, expected, "critical", contributor, None, "open", None,
                   "C0X", None, 7)


def incident(**changes: object) -> Incident:
    base = Incident(7, "shop-it", DAY, DAY, "tracking_tag", {}, "critical", "open", None, "C0X", "1.1", 0, "opened", 0,
                    None, (kpi("revenue", 406.9, 10580.93), kpi("orders", 3, 144, contributor="mobile"),
                           kpi("revenue_per_session", 1.0, 2.0, kind="relative")))
    return replace(base, **changes)


def test_every_rule_has_words_in_both_languages():
    for rule in RULES:
        assert set(CATALOGUE[f"diagnosis_{rule.code}"]) == {"en", "it"}
    assert set(CATALOGUE["diagnosis_tracking_tag_confirmed"]) == {"en", "it"}


def test_the_message_names_the_diagnosis_every_kpi_and_offers_the_buttons():
    blocks, text = incident_message(incident(), IT)
    lines = text.splitlines()
    assert lines[0] == (":red_circle: shop-it · *Il tag di acquisto di GA4 probabilmente ha smesso di funzionare: "
                        "le sessioni sono normali mentre ordini e fatturato in GA4 sono crollati* · dal 14 ott 2026")
    assert lines[1] == "• *Fatturato* 406,90\xa0€ (atteso 10.580,93\xa0€)"
    assert lines[2] == "• *Ordini* 3 (atteso 144) · soprattutto mobile"
    assert "(stesso giorno della settimana prima" in lines[3] and lines[-1] == "_aperto_"
    assert [b["value"] for b in blocks[-1]["elements"]] == ["7"] * 4
    assert [b["action_id"] for b in blocks[-1]["elements"]] == ["incident_acknowledge", "incident_snooze_1d",
                                                              "incident_snooze_7d", "incident_expected"]


@pytest.mark.parametrize("code, params, english", [
    ("tracking_tag", {"shop_orders": 1523.0, "ga4_orders": 4.0}, "the shop took 1,523 orders, GA4 saw 4"),
    ("device_checkout", {"segment": "mobile"}, "Checkout problem on mobile: conversion fell on mobile only"),
    ("bot_traffic", {"segment": "Referral"}, "Bot or spam traffic from Referral"),
    ("campaign", {"segment": "Email"}, "A campaign is working: Email sessions spiked"),
    (None, {}, "Unusual day for Revenue, Orders, Revenue per session"),
])
def test_each_diagnosis_in_english(code, params, english):
    _, text = incident_message(incident(diagnosis=code, params=params), EN)
    assert english in text.splitlines()[0] and text.startswith(":red_circle: shop-en")


def test_resolved_and_relapsed_states_are_said_and_an_ended_incident_has_no_buttons():
    resolved = incident(state="resolved", resolved_on=date(2026, 10, 16), change="resolved")
    blocks, text = incident_message(resolved, IT)
    assert text.startswith(":white_check_mark:") and "_risolto il 16 ott 2026: 2 giorni normali di fila_" in text
    assert all(block["type"] != "actions" for block in blocks)
    back = incident(last_seen_on=date(2026, 10, 19), relapses=1, change="relapsed")
    assert incident_reply(back, IT).endswith("_aperto · ricomparso il 19 ott 2026 (ricaduta 1)_")
    assert "(relapse 1)" in incident_line(back, EN)


def test_the_summary_lists_each_incident_with_its_store():
    summary = Summary(DAY, 3, ((IT, incident(severity="warning")), (EN, incident(diagnosis="campaign",
                                                                                   params={"segment": "SMS"}))))
    blocks, text = summary_message(summary, IT)
    lines = text.splitlines()
    assert lines[0] == ("Altri 2 incidenti il 14 ott 2026, oltre il limite di 3 messaggi di avviso al giorno di "
                        "questo canale:")
    assert lines[1].startswith(":large_orange_circle: shop-it · Il tag di acquisto")
    assert lines[2].startswith(":red_circle: shop-en · A campaign is working: SMS sessions")
    assert lines[-1] == "`/kpi alerts` elenca tutti gli avvisi aperti." and len(blocks) == 2
