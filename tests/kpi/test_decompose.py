import math

from hypothesis import given
from hypothesis import strategies as st

from kpi.compute import Totals
from kpi.decompose import decompose_by_channel, decompose_revenue_change

positive = st.floats(min_value=1.0, max_value=1e7, allow_nan=False)


def test_spec_style_example():
    before = Totals(sessions=10_000, orders=200, revenue=16_000.0)
    after = Totals(sessions=9_690, orders=175, revenue=14_000.0)
    split = decompose_revenue_change(before, after)
    assert math.isclose(split.change, 14_000 / 16_000 - 1)
    assert math.isclose(sum(split.log_parts.values()), math.log(14_000 / 16_000))
    assert math.isclose(split.log_parts["traffic"], math.log(0.969))
    assert split.contributions["traffic"] < 0 and split.contributions["cvr"] < 0


@given(positive, positive, positive, positive, positive, positive)
def test_parts_add_up_to_the_total(s0, o0, r0, s1, o1, r1):
    split = decompose_revenue_change(Totals(s0, o0, r0), Totals(s1, o1, r1))
    assert math.isclose(sum(split.log_parts.values()), math.log(r1 / r0), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(sum(split.contributions.values()), r1 / r0 - 1, rel_tol=1e-9, abs_tol=1e-9)


def test_zeros_do_not_divide_and_are_flagged():
    split = decompose_revenue_change(Totals(100, 0, 0.0), Totals(120, 3, 240.0))
    assert not split.defined and split.contributions is None and split.change is None
    split = decompose_revenue_change(Totals(100, 2, 100.0), Totals(0, 0, 0.0))
    assert not split.defined and split.change == -1


@given(st.dictionaries(st.sampled_from(["Email", "Direct", "Organic Search"]),
                       st.tuples(positive, positive, positive), min_size=1),
       st.dictionaries(st.sampled_from(["Email", "Direct", "Organic Search"]),
                       st.tuples(positive, positive, positive), min_size=1))
def test_channel_contributions_add_up_to_the_total_change(before, after):
    b = {k: Totals(*v) for k, v in before.items()}
    a = {k: Totals(*v) for k, v in after.items()}
    rows = decompose_by_channel(b, a)
    total = sum(t.revenue for t in a.values()) / sum(t.revenue for t in b.values()) - 1
    assert math.isclose(sum(r.contribution for r in rows), total, rel_tol=1e-9, abs_tol=1e-9)
