import math

from hypothesis import given
from hypothesis import strategies as st

from kpi.compute import Totals
from kpi.decompose import decompose_by_channel, decompose_revenue_change

positive = st.floats(min_value=1.0, max_value=1e7, allow_nan=False)
# a day's sums for a shop: (1 + Δ) keeps full precision (at 1e-10 ratios it would not, whatever the code)
shop_sized = st.floats(min_value=1.0, max_value=1e4, allow_nan=False)


def test_spec_style_example():
    before = Totals(sessions=10_000, orders=200, revenue=16_000.0)
    after = Totals(sessions=9_690, orders=175, revenue=14_000.0)
    split = decompose_revenue_change(before, after)
    assert math.isclose(split.change, 14_000 / 16_000 - 1)
    assert math.isclose(sum(split.log_parts.values()), math.log(14_000 / 16_000))
    assert math.isclose(split.log_parts["traffic"], math.log(0.969))
    assert math.isclose(split.factors["traffic"], 9_690 / 10_000 - 1)
    assert math.isclose(split.factors["cvr"], (175 / 9_690) / (200 / 10_000) - 1)
    assert math.isclose(split.factors["aov"], (14_000 / 175) / (16_000 / 200) - 1)
    assert math.isclose(split.shares["traffic"], math.log(0.969) / math.log(14_000 / 16_000))


def test_the_issue_example_multiplies_and_shares_add_to_one():
    # the issue's numbers: revenue +30.0% = traffic +16.5% × CvR +4.0% × AOV +7.3%
    before = Totals(sessions=10_000, orders=200, revenue=16_000.0)
    after = Totals(sessions=11_650, orders=200 * 1.165 * 1.040, revenue=16_000 * 1.165 * 1.040 * 1.073)
    split = decompose_revenue_change(before, after)
    assert [round(split.factors[f] * 100, 1) for f in ("traffic", "cvr", "aov")] == [16.5, 4.0, 7.3]
    assert round(split.change * 100, 1) == 30.0
    shares = {name: round(value * 100) for name, value in split.shares.items()}
    assert shares == {"traffic": 58, "cvr": 15, "aov": 27}


@given(positive, positive, positive, positive, positive, positive)
def test_parts_add_up_to_the_total(s0, o0, r0, s1, o1, r1):
    split = decompose_revenue_change(Totals(s0, o0, r0), Totals(s1, o1, r1))
    assert math.isclose(sum(split.log_parts.values()), math.log(r1 / r0), rel_tol=1e-9, abs_tol=1e-9)
    if split.shares is not None:
        assert math.isclose(sum(split.shares.values()), 1.0, rel_tol=1e-9)
    else:
        assert abs(math.log(r1 / r0)) < 1e-9


@given(shop_sized, shop_sized, shop_sized, shop_sized, shop_sized, shop_sized)
def test_factor_changes_multiply_to_the_revenue_change(s0, o0, r0, s1, o1, r1):
    split = decompose_revenue_change(Totals(s0, o0, r0), Totals(s1, o1, r1))
    product = math.prod(1 + value for value in split.factors.values())
    assert math.isclose(product, r1 / r0, rel_tol=1e-7)
    assert math.isclose(split.factors["traffic"], s1 / s0 - 1, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(split.factors["cvr"], (o1 / s1) / (o0 / s0) - 1, rel_tol=1e-9, abs_tol=1e-12)


def test_no_comparison_day_leaves_the_split_undefined():
    split = decompose_revenue_change(None, Totals(100, 2, 100.0))
    assert not split.defined and split.change is None and split.factors is None


def test_zeros_do_not_divide_and_are_flagged():
    split = decompose_revenue_change(Totals(100, 0, 0.0), Totals(120, 3, 240.0))
    assert not split.defined and split.factors is None and split.change is None
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
