import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.periods import PeriodError
from kpi.query import Command, Query, QueryError, parse


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
    assert "Example:" in str(error.value) and error.value.exit_code == 2


def test_empty_text_asks_for_a_kpi():
    with pytest.raises(QueryError, match="Ask for a KPI"):
        parse("   ")


WORDS = st.sampled_from(["aov", "revenue", "vs", "by", "ly", "prev", "channel", "last-30d", "2026-02",
                         "2026-02-30", "store:", "store:x", "..", "mtd", "public", "last-0d", "2026-01-01..2025-01-01"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=7).map(" ".join)))
def test_no_input_raises_anything_but_query_error(text):
    try:
        parse(text)
    except QueryError:
        pass
    except PeriodError as error:  # pragma: no cover - would be a bug
        raise AssertionError(f"PeriodError leaked: {error}") from error
