from datetime import date

import pytest

from kpi.answer import Period
from kpi.settings import Target
from kpi.targets import LINEAR, evaluate, paced_goal

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def test_linear_pacing_is_the_share_of_days():
    target = Target("revenue", min=30_000.0, period="month")
    assert paced_goal(target, 30_000.0, Period(date(2026, 11, 1), date(2026, 11, 10)), LINEAR) == pytest.approx(10_000)
    assert paced_goal(target, 30_000.0, NOVEMBER, LINEAR) == pytest.approx(30_000)


def test_weekday_pacing_expects_more_on_strong_days():
    target = Target("revenue", min=30_000.0, period="month")
    weekend_heavy = (0.5, 0.5, 0.5, 0.5, 0.5, 2.0, 2.25)
    saturday = Period(date(2026, 11, 7), date(2026, 11, 7))
    monday = Period(date(2026, 11, 9), date(2026, 11, 9))
    assert paced_goal(target, 30_000, saturday, weekend_heavy) == pytest.approx(4 * paced_goal(target, 30_000, monday,
                                                                                               weekend_heavy))
    assert paced_goal(target, 30_000, NOVEMBER, weekend_heavy) == pytest.approx(30_000)


def test_status_and_pace():
    target = Target("revenue", min=30_000.0, period="month")
    status = evaluate(target, 9_000.0, Period(date(2026, 11, 1), date(2026, 11, 10)))
    assert status.status == "below" and status.expected_to_date == pytest.approx(10_000)
    assert status.pace == pytest.approx(0.9)
    band = Target("email_revenue_share", min=0.15, max=0.20, is_default=True)
    assert evaluate(band, 0.22, NOVEMBER).status == "above"
    assert evaluate(band, 0.17, NOVEMBER).status == "ok"
    assert evaluate(band, None, NOVEMBER).status == "no_data"
