import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import CATALOGUE, query_error_text, t
from kpi.query.parser import Command, Query, QueryError, parse


def test_full_query():
    query = parse("AOV last-30d vs ly by channel store:shop-it")
    assert isinstance(query, Query)
    assert (query.metric.name, query.period.text, query.compare, query.by, query.store) == \
        ("aov", "last-30d", "ly", "channel", "shop-it")


@pytest.mark.parametrize("text, metric", [
    ("scontrino-medio", "aov"), ("scontrino medio mtd", "aov"), ("tasso-conversione", "cvr"),
    ("fatturato", "revenue"), ("ordini", "orders"), ("sessioni", "sessions"),
    ("Revenue_Per_Session", "revenue_per_session"),
])
def test_italian_aliases_and_case(text, metric):
    query = parse(text)
    assert isinstance(query, Query) and query.metric.name == metric


def test_defaults_are_last_7d_vs_previous():
    query = parse("revenue")
    assert isinstance(query, Query) and query.period.text == "last-7d" and query.compare == "prev" and query.by is None


def test_explicit_comparison_period_and_italian_dimension():
    query = parse("revenue 2026-10 vs 2025-10 per canale")
    assert isinstance(query, Query) and query.compare.text == "2025-10" and query.by == "channel"


@pytest.mark.parametrize("word", ["help", "list", "digest", "targets", "status", "alerts", "anomalies"])
def test_commands(word):
    command = parse(f"{word} cvr last-30d store:x")
    assert isinstance(command, Command) and command.name == word and command.store == "x"
    assert command.args == ("cvr", "last-30d")


@pytest.mark.parametrize("text, suggestion", [
    ("aovv last-30d", "aov"), ("revenue last-7d by chanel", "by channel"), ("fatturato lastweek", "last-week"),
    ("revenue last-7d vs lyy", "vs ly"), ("hepl", "help"),
])
def test_errors_say_what_is_wrong_with_did_you_mean_and_example(text, suggestion):
    with pytest.raises(QueryError) as error:
        parse(text)
    assert error.value.suggestion == suggestion
    assert "Example:" in query_error_text(error.value, "en") and error.value.exit_code == 2


def test_empty_text_asks_for_a_kpi():
    with pytest.raises(QueryError) as error:
        parse("   ")
    assert query_error_text(error.value, "en").startswith("Ask for a KPI")


@pytest.mark.parametrize("text, code, params", [
    ("aovv last-30d", "unknown_metric", {"word": "aovv"}),
    ("ieri", "no_metric", {}),
    ("fatturato ordini ieri", "two_metrics", {"first": "fatturato", "second": "ordini"}),
    ("fatturato ieri settimana scorsa", "two_periods", {"first": "ieri", "second": "settimana scorsa"}),
    ("fatturato ultimi 99999999999 giorni", "days_out_of_range", {"days": "99999999999", "max": 3660}),
    ("aov dal 2025-11-15 al 2025-11-01", "range_reversed", {"text": "2025-11-15..2025-11-01"}),
    ("aov 2025-02-30", "bad_date", {"text": "2025-02-30"}),
    ("aov dal 30/02/2025 al 3/03/2025", "bad_date", {"text": "30/02/2025"}),
    ("aov 2026-13", "bad_month", {"text": "2026-13"}),
    ("fatturato novembre", "month_needs_year", {"month": "novembre"}),
    ("fatturato anno scorso", "compare_needs_vs", {"word": "anno scorso"}),
    ("fatturato ieri vs", "missing_comparison", {}),
    ("revenue a b store:x store:y", "two_stores", {}),
    ("revenue store:", "empty_store", {}),
])
def test_errors_carry_a_code_and_parameters(text, code, params):
    with pytest.raises(QueryError) as error:
        parse(text)
    assert (error.value.code, error.value.params) == (code, params)


@pytest.mark.parametrize("text, suggestion, example", [
    ("fatturrato ieri", "fatturato", "fatturato ieri"),
    ("scontrino medo ultimi 30 giorni", "scontrino medio", "scontrino medio ultimi 30 giorni"),
    ("fatturato settimana dei pazzi", "settimana scorsa", "fatturato settimana scorsa"),
    ("fatturato iery", "ieri", "fatturato ieri"),
    ("fatturato ieri per canalee", "per canale", "fatturato ieri per canale"),
    ("fatturato ieri vs anno scorsso", "vs anno scorso", "fatturato ieri vs anno scorso"),
    ("fatturato ieri settimana scorsa", "vs settimana scorsa", "fatturato ieri vs settimana scorsa"),
    ("fatturato anno scorso", "vs anno scorso", "fatturato vs anno scorso"),
    ("aov dal 2025-11-15 al 2025-11-01", "2025-11-01..2025-11-15", "aov 2025-11-01..2025-11-15"),
    ("aov 11/15/2025", "2025-11-15", "aov 2025-11-15"),
    ("ieri", None, "fatturato ieri"),
    ("yesterday", None, "revenue yesterday"),
])
def test_suggestions_and_examples_speak_the_users_words(text, suggestion, example):
    with pytest.raises(QueryError) as error:
        parse(text)
    assert (error.value.suggestion, error.value.example) == (suggestion, example)
    assert isinstance(parse(example), Query)


def test_the_stores_language_picks_the_example_when_the_words_do_not():
    with pytest.raises(QueryError) as italian:
        parse("xyz", language="it")
    with pytest.raises(QueryError) as english:
        parse("xyz", language="en")
    assert italian.value.language == "it" and english.value.language == "en"
    assert italian.value.example != english.value.example
    assert isinstance(parse(italian.value.example), Query) and isinstance(parse(english.value.example), Query)


def test_errors_are_worded_in_both_languages_and_english_on_the_cli():
    with pytest.raises(QueryError) as error:
        parse("fatturrato ieri")
    assert query_error_text(error.value, "en") == ("I don't know the KPI `fatturrato`. Did you mean `fatturato`? "
                                                   "Example: `fatturato ieri`")
    assert query_error_text(error.value, "it") == ("Non conosco il KPI `fatturrato`. Forse intendevi `fatturato`? "
                                                   "Esempio: `fatturato ieri`")


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, words in CATALOGUE.items():
        if key.startswith("query_"):
            english, italian = words["en"], words["it"]
            assert english and italian and english != italian
            assert _fields(english) == _fields(italian), key


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


WORDS = st.sampled_from(["aov", "revenue", "vs", "by", "ly", "prev", "channel", "last-30d", "2026-02",
                         "2026-02-30", "store:", "store:x", "..", "mtd", "public", "last-0d", "2026-01-01..2025-01-01",
                         "dal", "al", "ultimi", "giorni", "per", "rispetto", "all'", "novembre", "nov", "2025",
                         "30/02/2025", "1/11/2025", "31.12.2025", "tra", "e", "settimana", "scorsa", "quanto", "?",
                         "fatturato", "scontrino", "medio", "anno", "scorso", "from", "to", "last", "weeks", "-"])
NUMBERS = st.integers(min_value=0, max_value=10**40).map(str)
DATES = st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).flatmap(
    lambda ymd: st.sampled_from([f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}", f"{ymd[2]}/{ymd[1]}/{ymd[0]}"]))


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.one_of(WORDS, NUMBERS, DATES, st.text(max_size=8)), max_size=9)
                 .map(" ".join)), st.sampled_from([None, "en", "it"]))
def test_no_input_raises_anything_but_query_error(text, language):
    try:
        query = parse(text, language)
    except QueryError as error:
        assert query_error_text(error, "it") and query_error_text(error, "en")
    else:
        assert parse(query.canonical()) == query


@pytest.mark.parametrize("text", ["fatturato ultimi 99999999999 giorni", "ordini last-99999999999999999999d",
                                  "aov ultime " + "9" * 5000 + " settimane", "aov dal 2025-11-15 al 2025-11-01",
                                  "aov 2025-02-30", "cvr dal 31/12/2025 al 1/1/2025",
                                  "revenue from 2010-01-01 to 2025-01-01"])
def test_huge_numbers_impossible_dates_and_reversed_ranges_are_query_errors(text):
    with pytest.raises(QueryError):
        parse(text)


def test_the_bot_words_query_errors_from_its_string_table():
    with pytest.raises(QueryError) as error:
        parse("scontrino medo ultimi 30 giorni")
    assert query_error_text(error.value, "it").startswith("Non conosco il KPI `scontrino medo`. Forse intendevi "
                                                          "`scontrino medio`?")
    assert t("query_echo", "it", canonical="revenue yesterday") == "Eseguito come `revenue yesterday`"


def test_a_split_that_does_not_exist_is_worded_in_both_languages():
    error = QueryError("cannot_split_campaign", {"by": "campaign"}, example="ad_cost last-30d by campaign")
    assert query_error_text(error, "en").startswith("This KPI cannot be split by campaign")
    assert query_error_text(error, "it").startswith("Questo KPI non si può dividere per campagna")
    assert query_error_text(error, "it").endswith("Esempio: `ad_cost last-30d by campaign`")


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_help_line_for_plain_words_shows_queries_that_read(language):
    line = CATALOGUE["query_help_natural"][language]
    examples = re.findall(r"`([^`]+)`", line)
    assert len(examples) == 4 and all(isinstance(parse(example), Query) for example in examples)
