from datetime import date

import pytest

from kpi.answer import Period
from kpi.periods import PeriodError, last_year, parse_period, previous_period, resolve

AS_OF = date(2026, 11, 24)  # a Tuesday


def p(a: str, b: str) -> Period:
    return Period(date.fromisoformat(a), date.fromisoformat(b))


@pytest.mark.parametrize("text, period, previous", [
    ("today", p("2026-11-24", "2026-11-24"), p("2026-11-23", "2026-11-23")),
    ("yesterday", p("2026-11-23", "2026-11-23"), p("2026-11-22", "2026-11-22")),
    ("last-7d", p("2026-11-17", "2026-11-23"), p("2026-11-10", "2026-11-16")),
    ("last-30d", p("2026-10-25", "2026-11-23"), p("2026-09-25", "2026-10-24")),
    ("this-week", p("2026-11-23", "2026-11-23"), p("2026-11-16", "2026-11-16")),
    ("last-week", p("2026-11-16", "2026-11-22"), p("2026-11-09", "2026-11-15")),
    ("mtd", p("2026-11-01", "2026-11-23"), p("2026-10-01", "2026-10-23")),
    ("this-month", p("2026-11-01", "2026-11-23"), p("2026-10-01", "2026-10-23")),
    ("last-month", p("2026-10-01", "2026-10-31"), p("2026-09-01", "2026-09-30")),
    ("qtd", p("2026-10-01", "2026-11-23"), p("2026-07-01", "2026-08-23")),
    ("ytd", p("2026-01-01", "2026-11-23"), p("2025-01-01", "2025-11-23")),
    ("2026-03", p("2026-03-01", "2026-03-31"), p("2026-02-01", "2026-02-28")),
    ("2026-11-02", p("2026-11-02", "2026-11-02"), p("2026-11-01", "2026-11-01")),
    ("2026-11-01..2026-11-10", p("2026-11-01", "2026-11-10"), p("2026-10-22", "2026-10-31")),
])
def test_periods_and_their_default_comparison(text, period, previous):
    spec = parse_period(text)
    assert resolve(spec, AS_OF) == period
    assert previous_period(spec, period) == previous


def test_vs_ly_is_364_days_earlier_on_the_same_weekday():
    period = resolve(parse_period("last-7d"), AS_OF)
    ly = last_year(period)
    assert ly.start.weekday() == period.start.weekday() and (period.start - ly.start).days == 364


def test_weeks_start_on_monday():
    assert resolve(parse_period("last-week"), AS_OF).start.weekday() == 0


@pytest.mark.parametrize("bad", ["2026-13", "2026-02-30", "2026-05-01..2026-04-01", "last-0d", "last-99999d"])
def test_bad_periods_raise_period_errors(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


@pytest.mark.parametrize("text, canonical", [
    ("this-month", "mtd"), ("MTD", "mtd"), ("last-007d", "last-7d"), ("Yesterday", "yesterday"),
    ("2026-11-01..2026-11-10", "2026-11-01..2026-11-10"), ("2026-03", "2026-03"),
])
def test_text_is_the_canonical_short_form(text, canonical):
    spec = parse_period(text)
    assert spec.text == canonical and parse_period(canonical) == spec


@pytest.mark.parametrize("bad, code, params", [
    ("last-0d", "days_out_of_range", {"days": "0", "max": 3660}),
    ("last-" + "9" * 5000 + "d", "days_out_of_range", {"days": "9" * 12, "max": 3660}),
    ("2026-13", "bad_month", {"text": "2026-13"}),
    ("2026-02-30", "bad_date", {"text": "2026-02-30"}),
    ("2026-05-01..2026-04-01", "range_reversed", {"text": "2026-05-01..2026-04-01"}),
    ("2000-01-01..2026-01-01", "range_too_long", {"text": "2000-01-01..2026-01-01", "max": 3660}),
    ("ieri", "unknown_period", {"word": "ieri"}),
    ("9999-12", "year_out_of_range", {"text": "9999-12", "first": 1900, "last": 2999}),
    ("0001-01-01..0001-01-02", "year_out_of_range", {"text": "0001-01-01", "first": 1900, "last": 2999}),
])
def test_period_errors_carry_a_code_for_any_language(bad, code, params):
    with pytest.raises(PeriodError) as error:
        parse_period(bad)
    assert (error.value.code, error.value.params) == (code, params)


@pytest.mark.parametrize("text", ["1900-01", "1900-01-01", "2999-12", "2999-12-31", "1900-01-01..1910-01-01"])
def test_the_edges_of_the_years_resolve_with_their_comparisons(text):
    period = resolve(parse_period(text), AS_OF)
    assert previous_period(parse_period(text), period).start < period.start
    assert last_year(period).end < period.end


def test_a_reversed_range_suggests_the_right_order():
    with pytest.raises(PeriodError) as error:
        parse_period("2026-05-01..2026-04-01")
    assert error.value.suggestion == "2026-04-01..2026-05-01"
