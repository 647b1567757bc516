"""The parser of GA4's runReport answers, on saved JSON (the REST wire form the official client receives)."""

from __future__ import annotations

import json

import pytest

from connectors.ga4.checks import CheckFailed
from connectors.ga4.fetch import parse_json_report
from connectors.ga4.reports import ADS, SESSIONS, USERS
from tests.support.paths import FIXTURES


def saved(name: str) -> dict:
    return json.loads((FIXTURES / "ga4" / f"{name}.json").read_text())


@pytest.mark.parametrize("spec, name", [(SESSIONS, "sessions_page"), (USERS, "users"), (ADS, "ads")])
def test_every_row_of_a_saved_answer_becomes_one_warehouse_row(spec, name):
    payload = saved(name)
    rows = parse_json_report(spec, "shop", payload)
    assert len(rows) == len(payload["rows"])
    dimensions = [h["name"] for h in payload["dimensionHeaders"]]
    metrics = [h["name"] for h in payload["metricHeaders"]]
    for row, raw in zip(rows, payload["rows"], strict=True):
        assert row["store"] == "shop"
        for name_, cell in zip(dimensions, raw["dimensionValues"], strict=True):
            column, value = spec.dimensions[name_], cell["value"]
            expected = f"{value[:4]}-{value[4:6]}-{value[6:]}" if name_ == "date" else value
            assert row[column] == expected
        for header, cell in zip(payload["metricHeaders"], raw["metricValues"], strict=True):
            value = row[spec.metrics[header["name"]]]
            if header["type"] == "TYPE_CURRENCY":  # money keeps its cents; counts are whole numbers
                assert isinstance(value, float) and value == pytest.approx(float(cell["value"]))
            else:
                assert isinstance(value, int) and value == int(cell["value"])
    assert set(metrics) == set(spec.metrics)


def test_the_other_row_and_float_noise_are_kept_as_ga4_sends_them():
    rows = parse_json_report(SESSIONS, "shop", saved("sessions_other_row"))
    assert [row["channel"] for row in rows][2] == "(other)"
    assert rows[0]["revenue"] == pytest.approx(1234.56)


def test_a_non_finite_metric_is_refused_naming_the_metric_and_the_day():
    payload = saved("sessions_nan")
    day = payload["rows"][1]["dimensionValues"][0]["value"]
    with pytest.raises(CheckFailed) as refused:
        parse_json_report(SESSIONS, "shop", payload)
    assert "purchaseRevenue" in str(refused.value) and f"{day[:4]}-{day[4:6]}-{day[6:]}" in str(refused.value)


def test_a_row_with_a_missing_value_is_refused():
    payload = saved("sessions_page")
    payload["rows"][0]["metricValues"].pop()
    with pytest.raises(CheckFailed, match="values"):
        parse_json_report(SESSIONS, "shop", payload)
