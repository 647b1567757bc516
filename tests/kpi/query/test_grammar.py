"""Italian and natural English read into the same query as the short form (SPEC §6).

Expected short forms are written out here or computed from independent sources (Babel's and
the calendar module's month names, ``date`` arithmetic), never read from kpi.query.vocabulary.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pytest
from babel.dates import get_month_names
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.anomalies.args import parse_anomaly_args
from kpi.periods import parse_period, resolve
from kpi.query.grammar import words_of
from kpi.query.parser import Command, Query, parse
from kpi.query.suggest import detect_language
from kpi.query.vocabulary import EXAMPLES, SUGGESTED_COMPARISONS, SUGGESTED_PERIODS
from tests.support.paths import ROOT

AS_OF = date(2026, 11, 24)
README = (ROOT / "README.md").read_text()


def same_query(natural: str, short: str) -> Query:
    query = parse(natural)
    assert isinstance(query, Query), natural
    assert query == parse(short), f"{natural!r} read as {query.canonical()!r}, not {short!r}"
    assert parse(query.canonical()) == query
    return query


@pytest.mark.parametrize("natural, short", [
    ("fatturato ieri", "revenue yesterday"),
    ("scontrino medio ultimi 30 giorni", "aov last-30d"),
    ("ordini mese scorso", "orders last-month"),
    ("cvr settimana scorsa vs anno scorso", "cvr last-week vs ly"),
    ("fatturato da inizio anno", "revenue ytd"),
    ("fatturato novembre 2025", "revenue 2025-11"),
    ("aov dal 2025-11-01 al 2025-11-15", "aov 2025-11-01..2025-11-15"),
    ("fatturato questo mese per canale", "revenue mtd by channel"),
    ("quanto abbiamo fatturato ieri?", "revenue yesterday"),
    ("Quanto abbiamo fatturato, ieri?", "revenue yesterday"),
    ("fatturato oggi", "revenue today"),
    ("ordini ultimi 7 gg", "orders last-7d"),
    ("ordini ultimi 7gg", "orders last-7d"),
    ("sessioni ultimi sette giorni", "sessions last-7d"),
    ("sessioni nell'ultima settimana", "sessions last-7d"),
    ("sessioni ultimo mese", "sessions last-30d"),
    ("sessioni ultime 4 settimane", "sessions last-28d"),
    ("ordini questa settimana", "orders this-week"),
    ("ordini la settimana scorsa", "orders last-week"),
    ("ordini il mese scorso", "orders last-month"),
    ("fatturato dall'inizio del mese", "revenue mtd"),
    ("fatturato da inizio trimestre", "revenue qtd"),
    ("fatturato quest'anno", "revenue ytd"),
    ("fatturato nov 2025", "revenue 2025-11"),
    ("fatturato nel mese di novembre 2025", "revenue 2025-11"),
    ("aov dal 1/11/2025 al 15/11/2025", "aov 2025-11-01..2025-11-15"),
    ("aov tra il 1/11/2025 e il 15/11/2025", "aov 2025-11-01..2025-11-15"),
    ("aov 15/11/2025", "aov 2025-11-15"),
    ("fatturato ieri vs periodo precedente", "revenue yesterday vs prev"),
    ("fatturato ieri rispetto all'anno scorso", "revenue yesterday vs ly"),
    ("fatturato ieri contro l'anno scorso", "revenue yesterday vs ly"),
    ("fatturato ieri rispetto allo stesso giorno dell'anno scorso", "revenue yesterday vs ly"),
    ("fatturato oggi vs ieri", "revenue today vs yesterday"),
    ("fatturato mese scorso per dispositivi", "revenue last-month by device"),
    ("clienti ultimi 30 giorni per visitatore", "customers last-30d by visitor"),
    ("spesa ultimi 30 giorni per campagne", "ad_cost last-30d by campaign"),
    ("tasso di riacquisto da inizio anno per segmento", "repurchase_rate ytd by segment"),
    ("qual è stato il tasso di conversione della settimana scorsa?", "cvr last-week"),
    ("com'è andato il fatturato ieri?", "revenue yesterday"),
    ("fatturato per sessione ieri", "revenue_per_session yesterday"),
    ("fatturato ultimi 30 giorni diviso per canale", "revenue last-30d by channel"),
    ("what was our revenue last month?", "revenue last-month"),
    ("how much did we make yesterday?", "revenue yesterday"),
    ("revenue last 30 days", "revenue last-30d"),
    ("revenue in the last 7 days", "revenue last-7d"),
    ("revenue this week", "revenue this-week"),
    ("revenue last week", "revenue last-week"),
    ("revenue this month", "revenue mtd"),
    ("revenue month to date", "revenue mtd"),
    ("revenue quarter to date", "revenue qtd"),
    ("revenue year to date", "revenue ytd"),
    ("revenue today", "revenue today"),
    ("revenue november 2025", "revenue 2025-11"),
    ("orders from 2025-11-01 to 2025-11-15", "orders 2025-11-01..2025-11-15"),
    ("aov last 30 days vs last year by channel", "aov last-30d vs ly by channel"),
    ("aov last month vs previous period", "aov last-month vs prev"),
    ("how many orders did we get last week compared to last year?", "orders last-week vs ly"),
    ("aov last-30d vs ly by channel store:shop-it", "aov last-30d vs ly by channel store:shop-it"),
])
def test_natural_wording_reads_as_its_short_form(natural, short):
    same_query(natural, short)


@pytest.mark.parametrize("natural, canonical", [
    ("fatturato ieri", "revenue yesterday"),
    ("scontrino medio ultimi 30 giorni vs anno scorso per canale", "aov last-30d vs ly by channel"),
    ("fatturato", "revenue last-7d"),
    ("revenue this-month", "revenue mtd"),
    ("ordini last-007d", "orders last-7d"),
    ("aov dal 1/11/2025 al 15/11/2025 store:shop-it", "aov 2025-11-01..2025-11-15 store:shop-it"),
    ("revenue 2026-10 vs 2025-10 per canale", "revenue 2026-10 vs 2025-10 by channel"),
    ("revenue last-7d vs prev", "revenue last-7d"),
])
def test_canonical_is_the_shortest_form(natural, canonical):
    assert parse(natural).canonical() == canonical


@pytest.mark.parametrize("word, name", [
    ("aiuto", "help"), ("elenco", "list"), ("obiettivi", "targets"), ("stato", "status"), ("avvisi", "alerts"),
    ("anomalie", "anomalies"), ("riepilogo", "digest"), ("Help", "help"),
])
def test_italian_command_words(word, name):
    command = parse(word)
    assert isinstance(command, Command) and command.name == name


def test_command_arguments_are_read_in_any_wording():
    command = parse("anomalie fatturato ultimi 90 giorni store:shop-it")
    assert command == Command("anomalies", ("revenue", "last-90d"), "shop-it")
    assert command.canonical() == "anomalies revenue last-90d store:shop-it"


@pytest.mark.parametrize("words", [["fatturato", "ultimi", "90", "giorni"], ["fatturato ultimi 90 giorni"],
                                   ["revenue", "last-90d"]])
def test_anomalies_accept_italian_periods(words):
    metrics, period = parse_anomaly_args(words, AS_OF)
    assert metrics == ["revenue"]
    assert period == resolve(parse_period("last-90d"), AS_OF)
    assert (period.start, period.end) == (AS_OF - timedelta(days=90), AS_OF - timedelta(days=1))


def test_ieri_is_understood_everywhere():
    assert parse("fatturato ieri").period == parse("revenue yesterday").period
    assert parse("fatturato oggi vs ieri").compare == parse_period("yesterday")
    assert parse("anomalie ieri") == Command("anomalies", ("yesterday",))
    assert parse_anomaly_args(["ieri"], AS_OF)[1] == resolve(parse_period("yesterday"), AS_OF)


# Independent tables for the property test: what people type, and the short form it means.
METRICS = [("fatturato", "revenue"), ("Revenue", "revenue"), ("scontrino medio", "aov"), ("scontrino-medio", "aov"),
           ("AOV", "aov"), ("tasso di conversione", "cvr"), ("ordini", "orders"), ("sessioni", "sessions"),
           ("clienti", "customers"), ("tasso di riacquisto", "repurchase_rate"),
           ("Revenue_Per_Session", "revenue_per_session"), ("fatturato per sessione", "revenue_per_session"),
           ("nuovi clienti", "new_customers"), ("frequenza di rimbalzo", "bounce_rate")]
FIXED_PERIODS = [("", "last-7d"), ("oggi", "today"), ("ieri", "yesterday"), ("today", "today"),
                 ("yesterday", "yesterday"), ("questa settimana", "this-week"), ("this week", "this-week"),
                 ("la settimana scorsa", "last-week"), ("settimana scorsa", "last-week"), ("last week", "last-week"),
                 ("questo mese", "mtd"), ("this month", "mtd"), ("da inizio mese", "mtd"), ("month to date", "mtd"),
                 ("il mese scorso", "last-month"), ("mese scorso", "last-month"), ("last month", "last-month"),
                 ("da inizio trimestre", "qtd"), ("quarter to date", "qtd"), ("da inizio anno", "ytd"),
                 ("year to date", "ytd"), ("ultima settimana", "last-7d"), ("last-30d", "last-30d")]
COMPARISONS = [("", ""), ("vs anno scorso", "vs ly"), ("rispetto all'anno scorso", "vs ly"),
               ("contro l'anno scorso", "vs ly"), ("vs periodo precedente", "vs prev"), ("vs last year", "vs ly"),
               ("vs previous period", "vs prev"), ("compared to last year", "vs ly"), ("vs ieri", "vs yesterday"),
               ("vs mese scorso", "vs last-month"), ("vs ly", "vs ly")]
BREAKDOWNS = [("", ""), ("per canale", "by channel"), ("per canali", "by channel"), ("per dispositivo", "by device"),
              ("per dispositivi", "by device"), ("per visitatore", "by visitor"), ("per visitatori", "by visitor"),
              ("per campagna", "by campaign"), ("per campagne", "by campaign"), ("per segmento", "by segment"),
              ("per segmenti", "by segment"), ("by channel", "by channel"), ("by devices", "by device"),
              ("by campaign", "by campaign")]
LEADS = ["", "quanto abbiamo fatto di", "qual è stato il", "what was our", "show me the", "com'è andato il"]
ENDS = ["", "?", " ?", "!"]
MONTHS = [(name.lower(), number) for locale in ("it", "en") for width in ("wide", "abbreviated")
          for number, name in get_month_names(width, locale=locale).items()]
MONTHS += [(calendar.month_name[number].lower(), number) for number in range(1, 13)]


def _day_first(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


@st.composite
def periods(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["fixed", "days", "weeks", "month", "date", "range"]))
    if kind == "fixed":
        return draw(st.sampled_from(FIXED_PERIODS))
    if kind == "days":
        days = draw(st.integers(1, 3660))
        return draw(st.sampled_from([f"ultimi {days} giorni", f"last {days} days", f"past {days} days"])), \
            f"last-{days}d"
    if kind == "weeks":
        weeks = draw(st.integers(1, 522))
        return draw(st.sampled_from([f"ultime {weeks} settimane", f"last {weeks} weeks"])), f"last-{7 * weeks}d"
    if kind == "month":
        name, number = draw(st.sampled_from(MONTHS))
        year = draw(st.integers(1900, 2999))
        return f"{name.rstrip('.')} {year}", f"{year}-{number:02d}"
    day = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
    if kind == "date":
        return draw(st.sampled_from([day.isoformat(), _day_first(day)])), day.isoformat()
    end = day + timedelta(days=draw(st.integers(0, 3659)))
    typed = draw(st.sampled_from([f"dal {_day_first(day)} al {_day_first(end)}", f"dal {day} al {end}",
                                  f"from {day} to {end}", f"tra il {_day_first(day)} e il {_day_first(end)}"]))
    return typed, f"{day.isoformat()}..{end.isoformat()}"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(METRICS), periods(), st.sampled_from(COMPARISONS), st.sampled_from(BREAKDOWNS),
       st.sampled_from(LEADS), st.sampled_from(ENDS), st.booleans())
def test_every_natural_combination_reads_as_its_short_form(metric, period, comparison, breakdown, lead, end, swap):
    middle = [period[0], breakdown[0], comparison[0]] if swap else [period[0], comparison[0], breakdown[0]]
    natural = " ".join(part for part in [lead, metric[0], *middle] if part) + end
    short = " ".join(part for part in [metric[1], period[1], comparison[1], breakdown[1]] if part)
    query = same_query(natural, short)
    assert query.canonical() == parse(short).canonical()


def readme_table() -> list[tuple[str, str]]:
    section = README.split("### Italian, and English as people type it")[1].split("\n\n- ")[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `")]
    return [(typed, ran.strip().strip("`")) for cell, ran in rows for typed in re.findall(r"`([^`]+)`", cell)]


@pytest.mark.parametrize("typed, ran", readme_table())
def test_the_readme_table_says_what_runs(typed, ran):
    assert parse(typed).canonical() == ran


def test_the_readme_table_is_not_empty():
    assert len(readme_table()) >= 20


@pytest.mark.parametrize("language", ["en", "it"])
def test_suggested_phrases_and_examples_all_read(language):
    for phrase in SUGGESTED_PERIODS[language]:
        period = parse(f"revenue {phrase}").period
        assert period != parse("revenue").period or phrase in ("last 7 days", "ultimi 7 giorni")
    for phrase in SUGGESTED_COMPARISONS[language]:
        assert parse(f"revenue vs {phrase}").compare in ("prev", "ly")
    assert isinstance(parse(EXAMPLES[language]), Query)


@pytest.mark.parametrize("text, language", [
    ("quanto abbiamo fatturato ieri", "it"), ("what was our revenue yesterday", "en"), ("aov", None),
])
def test_the_language_of_a_query_is_the_language_of_its_words(text, language):
    assert detect_language(words_of(text), None) == (language or "en")
    assert detect_language(words_of(text), "it") == (language or "it")
