"""The marketing KPIs and splits in the query language, in English and Italian."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import query_error_text
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue.marketing import MARKETING_METRICS
from kpi.compute import breakdown
from kpi.query.errors import QueryError
from kpi.query.parser import Query, parse
from tests.kpi.query.test_grammar import same_query
from tests.support.ga4 import AS_OF
from tests.support.marketing import MARKETING_STORE


@pytest.mark.parametrize("natural, short", [
    ("email_attributed_revenue last-30d by flow", "email_attributed_revenue last-30d by flow"),
    ("fatturato email ultimi 30 giorni per flusso", "email_attributed_revenue last-30d by flow"),
    ("fatturato email mese scorso per flussi", "email_attributed_revenue last-month by flow"),
    ("recupero carrelli questo mese per flusso", "cart_recovery_rate mtd by flow"),
    ("tasso di recupero carrelli ieri", "cart_recovery_rate yesterday"),
    ("spesa ultimi 7 giorni per piattaforma", "ad_cost last-7d by platform"),
    ("ad spend last 30 days by platform", "ad_cost last-30d by platform"),
    ("ad_cost last-30d by ad platforms", "ad_cost last-30d by platform"),
    ("fatturato email ultimi 30 giorni per canale di invio", "email_attributed_revenue last-30d by send_channel"),
    ("email revenue last month by send channel", "email_attributed_revenue last-month by send_channel"),
    ("email-revenue last-7d by send_channel", "email_attributed_revenue last-7d by send_channel"),
    ("tasso apertura email per campagna", "email_open_rate last-7d by campaign"),
    ("open rate last 30 days by campaigns", "email_open_rate last-30d by campaign"),
    ("riacquisto entro 30 giorni mese scorso", "repurchase_30d last-month"),
    ("tasso di riacquisto ultimi 30 giorni", "repurchase_rate last-30d"),  # the older KPI keeps its words
    ("quanto abbiamo di spesa facebook ieri?", "meta_spend yesterday"),
    ("spesa meta da inizio mese", "meta_spend mtd"),
    ("roas meta ultimi 30 giorni per campagna", "meta_roas last-30d by campaign"),
    ("mer year to date", "mer ytd"),
    ("tasso di riattivazione trimestre corrente", "winback_rate qtd"),
    ("apertura benvenuto ultimi 14 giorni", "welcome_open_rate last-14d"),
    ("quota email klaviyo mese scorso", "email_attributed_share last-month"),
    ("fatturato per canale", "revenue last-7d by channel"),  # `canale` alone is still GA4's channel
])
def test_marketing_words_read_as_their_short_form(natural, short):
    same_query(natural, short)


@pytest.mark.parametrize("metric", MARKETING_METRICS, ids=lambda metric: metric.name)
def test_every_marketing_kpi_answers_to_its_name_and_aliases(metric):
    for word in (metric.name, *metric.aliases):
        query = parse(f"{word} last-30d")
        assert isinstance(query, Query) and query.metric.name == metric.name, word


@pytest.mark.parametrize("text, code, english, italian", [
    ("roas last-30d by platform", "cannot_split_platform", "by platform", "per piattaforma"),
    ("revenue last-30d by flow", "cannot_split_flow", "by flow", "per flusso"),
    ("cvr last-30d by send_channel", "cannot_split_send_channel", "by send channel", "per canale di invio"),
    ("cart_recovery_rate last-30d by campaign", "cannot_split_campaign", "by campaign", "per campagna"),
    ("repurchase_30d last-30d by segment", "cannot_split_segment", "by segment", "per segmento"),
])
def test_a_split_a_kpi_does_not_have_is_one_clear_sentence_in_each_language(text, code, english, italian):
    query = parse(text)
    assert isinstance(query, Query) and query.by is not None
    period = Period(AS_OF - timedelta(days=30), AS_OF - timedelta(days=1))
    with pytest.raises(QueryError) as raised:
        breakdown(open_database(), MARKETING_STORE, query.metric, period, query.by)
    assert raised.value.code == code
    assert english in query_error_text(raised.value, "en") and italian in query_error_text(raised.value, "it")
    assert "Example: `" in query_error_text(raised.value, "en")
