"""The words of a scheduled report: `schedule "QUERY" every monday 09:00`, in English and Italian."""

from __future__ import annotations

from datetime import time

import pytest

from kpi.query.errors import QueryError
from kpi.query.schedule import ReportPlan, is_schedule, is_schedule_list, parse_schedule


@pytest.mark.parametrize("text, plan", [
    ('schedule "revenue last-7d by channel" every monday 09:00', ReportPlan("revenue last-7d by channel", 0, time(9))),
    ("pianifica \"fatturato ultimi 7 giorni per canale\" ogni lunedì alle 9",
     ReportPlan("fatturato ultimi 7 giorni per canale", 0, time(9))),
    ('schedule "aov last-30d" every day 08:30', ReportPlan("aov last-30d", None, time(8, 30))),
    ("pianifica “ordini ieri” ogni giorno alle 8:30", ReportPlan("ordini ieri", None, time(8, 30))),
    ("pianifica «ordini ieri» tutti i giorni alle 7", ReportPlan("ordini ieri", None, time(7))),
    ('Schedule "cvr yesterday" every Friday at 5pm', ReportPlan("cvr yesterday", 4, time(17))),
    ('schedule "cvr yesterday" every sundays 12am', ReportPlan("cvr yesterday", 6, time(0))),
    ("pianifica 'sessioni ieri' ogni domenica all'8", ReportPlan("sessioni ieri", 6, time(8))),
    ('schedule "revenue" on wed 23.59', ReportPlan("revenue", 2, time(23, 59))),
])
def test_schedules_read_in_both_languages(text, plan):
    assert is_schedule(text) and not is_schedule_list(text)
    assert parse_schedule(text, "en") == plan


@pytest.mark.parametrize("text, code", [
    ("schedule revenue every monday 9", "schedule_quotes"),
    ('schedule "" every monday 9', "schedule_quotes"),
    ('schedule "revenue"', "schedule_when"),
    ('schedule "revenue" every monday', "schedule_when"),
    ('schedule "revenue" every 9', "schedule_when"),
    ('schedule "revenue" every funday 9', "schedule_day"),
    ('schedule "revenue" every monday 24:00', "schedule_time"),
    ('schedule "revenue" every monday 9:60', "schedule_time"),
    ('schedule "revenue" every monday 13pm', "schedule_time"),
    ('schedule "revenue" every monday 9 and 10', "schedule_time"),
    ('schedule "schedule \'x\' every day 9" every day 9', "schedule_nested"),
    ('schedule "schedules" every day 9', "schedule_nested"),
])
def test_what_cannot_be_read_says_why_with_an_example_in_the_users_language(text, code):
    with pytest.raises(QueryError) as raised:
        parse_schedule(text, "it")
    assert raised.value.code == code and raised.value.example.startswith("pianifica \"")


def test_the_list_commands():
    assert all(is_schedule_list(word) for word in ("schedules", "pianificati", "Pianificazioni"))
    assert not is_schedule("revenue yesterday") and not is_schedule_list("")
