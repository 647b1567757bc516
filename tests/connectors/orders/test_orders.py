"""Orders: imports (Shopify, Italian generic, bad rows) and customer KPIs against independent pandas."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from bot.cli.main import main
from connectors.orders.importer import BadOrderFile, import_file
from connectors.warehouse import open_database, write_chunk
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import breakdown, metric_value
from kpi.orders.rfm import SEGMENTS
from kpi.query.parser import parse
from kpi.service import answer
from kpi.settings import StoreSettings
from tests.support.engines import ENGINES, warehouse_on
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "orders"
STORE = StoreSettings(name="shop", ga4_property="1", margin=0.10, ltv_months=24)


def load(db, name: str, **kwargs):
    return import_file(db, FIXTURES / name, "shop", "Europe/Rome", "EUR", **kwargs)


def value(db, metric: str, start: str, end: str, store: StoreSettings = STORE) -> float | None:
    return metric_value(db, store, BY_NAME[metric], Period(date.fromisoformat(start), date.fromisoformat(end)))


def test_spec_worked_example_ltv_and_cac_budget(warehouse, tmp_path):
    csv = tmp_path / "one_customer.csv"
    amounts = ["249.00", "549.99", "90.00", "130.00", "999.00"]
    days = ["2024-01-15", "2024-06-02", "2024-11-20", "2025-05-04", "2025-12-30"]  # within 24 months
    csv.write_text("order_id,customer_id,created_at,total\n" + "".join(
        f"O{i},C-1,{day}T12:00:00+01:00,{amount}\n"
        for i, (day, amount) in enumerate(zip(days, amounts, strict=True))))
    db = warehouse
    import_file(db, csv, "shop", "Europe/Rome", "EUR")
    assert round(value(db, "ltv", "2024-01-01", "2024-01-31"), 2) == 2017.99
    assert round(value(db, "cac_budget", "2024-01-01", "2024-01-31"), 2) == 201.80
    assert round(value(db, "cac_budget_first_order", "2024-01-01", "2024-01-31"), 2) == 24.90
    twelve = StoreSettings(name="shop", ga4_property="1", margin=0.10, ltv_months=12)
    assert round(value(db, "ltv", "2024-01-01", "2024-01-31", twelve), 2) == 249.00 + 549.99 + 90.00


def test_shopify_export_keeps_one_order_per_name_and_excludes_refunds_and_cancellations(warehouse):
    db = warehouse
    result = load(db, "shopify_export.csv")
    assert result.format == "shopify" and result.counts.inserted == 7
    rows = {r["order_id"]: r for r in db.query("SELECT * FROM orders")}
    assert rows["#1002"]["total"] == 429.90 and rows["#1001"]["date"] == "2024-03-05"
    assert {k for k, r in rows.items() if not r["counted"]} == {"#1004", "#1005", "#1006"}
    assert math.isclose(value(db, "customers", "2024-01-01", "2024-12-31"), 3)  # giulia, marco, a guest
    assert math.isclose(value(db, "repurchase_rate", "2024-01-01", "2024-12-31"), 1 / 3)
    dump = "\n".join(str(r) for r in db.query("SELECT * FROM orders"))
    assert "example.it" not in dump and "giulia" not in dump


def test_emails_never_reach_the_database_file(tmp_path):
    db = open_database(tmp_path / "k.db")
    load(db, "shopify_export.csv")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"example.it" not in (tmp_path / "k.db").read_bytes()


def test_italian_semicolon_file_with_decimal_commas(warehouse):
    db = warehouse
    assert load(db, "ordini_it.csv").counts.inserted == 4
    totals = dict(db.execute("SELECT order_id, total FROM orders").fetchall())
    assert totals == {"A-1": 1249.00, "A-2": 89.90, "A-3": 349.50, "A-4": 19.99}
    assert db.execute("SELECT counted FROM orders WHERE order_id = 'A-4'").fetchone()[0] == 0


def test_three_bad_rows_refuse_the_file_unless_skip_bad(warehouse, tmp_path, capsys):
    db = warehouse
    with pytest.raises(BadOrderFile) as error:
        load(db, "three_bad_rows.csv")
    assert [(p.row, p.column) for p in error.value.problems] == [(3, "created_at"), (4, "customer_id"), (5, "total")]
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
    result = load(db, "three_bad_rows.csv", skip_bad=True)
    assert result.counts.inserted == 2 and len(result.skipped) == 3
    config = tmp_path / "kpibot.toml"
    config.write_text('[kpibot]\ndatabase = "k.db"\n[[stores]]\nname = "shop"\nga4_property = "1"\n')
    assert main(["--config", str(config), "import-orders", str(FIXTURES / "three_bad_rows.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 3, column 'created_at', value 'not-a-date'" in err and "--skip-bad" in err
    assert main(["--config", str(config), "import-orders", str(FIXTURES / "three_bad_rows.csv"), "--skip-bad"]) == 0
    assert "2 new" in capsys.readouterr().out


def test_reimport_changes_nothing_and_a_changed_export_updates(warehouse, tmp_path):
    db = warehouse
    load(db, "ordini_it.csv")
    before = list(db.query("SELECT * FROM orders ORDER BY order_id"))
    again = load(db, "ordini_it.csv").counts
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert list(db.query("SELECT * FROM orders ORDER BY order_id")) == before
    changed = tmp_path / "changed.csv"
    changed.write_text((FIXTURES / "ordini_it.csv").read_text().replace("89,90;EUR;paid", "89,90;EUR;refunded"))
    counts = import_file(db, changed, "shop", "Europe/Rome", "EUR").counts
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 1, 3)
    assert db.execute("SELECT counted FROM orders WHERE order_id = 'A-2'").fetchone()[0] == 0


def test_a_failure_mid_file_writes_nothing():
    db = open_database()
    db.execute("CREATE TRIGGER boom BEFORE INSERT ON orders WHEN NEW.order_id = 'B-5' "
               "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(Exception, match="disk full"):
        load(db, "three_bad_rows.csv", skip_bad=True)
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0


@pytest.fixture(scope="module", params=ENGINES)
def random_shop(request, tmp_path_factory):
    rng = np.random.default_rng(7)
    rows = []
    for customer in range(400):
        first = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 500)))
        for n in range(int(rng.geometric(0.45))):
            day = first + timedelta(days=int(n * rng.integers(20, 120)))
            rows.append((f"O{len(rows)}", f"C{customer}", day, round(float(rng.gamma(3, 30)), 2)))
    frame = pd.DataFrame(rows, columns=["order_id", "customer", "date", "total"])
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    path.write_text("order_id,customer_id,created_at,total\n" + "".join(
        f"{o},{c},{d.isoformat()}T12:00:00+01:00,{t}\n" for o, c, d, t in rows))
    with warehouse_on(request.param, tmp_path_factory.mktemp("db")) as db:
        import_file(db, path, "shop", "Europe/Rome", "EUR")
        ads = [{"store": "shop", "date": d.isoformat(), "channel": "Paid Search", "campaign": "c", "ad_cost": 40.0,
                "ad_clicks": 80, "ad_impressions": 900} for d in pd.date_range("2024-01-01", "2026-06-30").date]
        write_chunk(db, "ga4_ads", ads, {"store": "shop", "report": "ads", "start_date": "2024-01-01",
                                         "end_date": "2026-06-30", "currency": "EUR", "time_zone": "Europe/Rome",
                                         "thresholded": 0, "other_row": 0, "sampled": 0, "rows": 0, "fetched_at": "x"})
        frame["date"] = pd.to_datetime(frame["date"])
        yield db, frame


def expected(frame: pd.DataFrame, metric: str, start: str, end: str, months: int = 24) -> float:
    frame = frame.sort_values(["date", "order_id"])
    first = frame.groupby("customer")["date"].transform("min")
    is_first = ~frame.duplicated("customer")
    inside = frame[(frame.date >= start) & (frame.date <= end)]
    cohort_ids = set(frame[is_first & (first >= start) & (first <= end)].customer)
    if metric == "customers":
        return inside.customer.nunique()
    if metric == "new_customers":
        return len(cohort_ids)
    if metric == "repurchase_rate":
        return (inside.groupby("customer").size() >= 2).mean()
    if metric == "purchase_frequency":
        return len(inside) / inside.customer.nunique()
    if metric == "aov_new":
        new = inside[is_first.loc[inside.index]]
        return new.total.sum() / len(new)
    if metric == "aov_returning":
        old = inside[~is_first.loc[inside.index]]
        return old.total.sum() / len(old)
    if metric in ("ltv", "cac"):
        cohort = frame[frame.customer.isin(cohort_ids)]
        start_of = cohort.groupby("customer").date.transform("min")
        ltv = cohort[cohort.date < start_of + pd.DateOffset(months=months)].total.sum() / len(cohort_ids)
        days = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
        return ltv if metric == "ltv" else 40.0 * days / len(cohort_ids)
    raise KeyError(metric)


@pytest.mark.parametrize("period", [("2024-01-01", "2024-12-31"), ("2024-03-01", "2024-03-31"),
                                    ("2025-01-01", "2025-06-30"), ("2024-06-15", "2025-02-10")])
@pytest.mark.parametrize("metric", ["customers", "new_customers", "repurchase_rate", "purchase_frequency",
                                    "aov_new", "aov_returning", "ltv", "cac"])
def test_order_kpis_match_pandas(random_shop, metric, period):
    db, frame = random_shop
    assert math.isclose(value(db, metric, *period), expected(frame, metric, *period), rel_tol=1e-9)


def test_segments_partition_the_customers(random_shop):
    db, _ = random_shop
    period = Period(date(2025, 1, 1), date(2025, 6, 30))
    rows = breakdown(db, STORE, BY_NAME["customers"], period, "segment")
    assert {r.key for r in rows} <= set(SEGMENTS) and len(rows) >= 3
    assert sum(r.value for r in rows) == value(db, "customers", "2025-01-01", "2025-06-30")


@pytest.mark.parametrize("start, end", [("2024-06-01", "2024-12-31"), ("2025-01-01", "2025-06-30")])
def test_new_and_returning_customers_add_up_to_the_customers(random_shop, start, end):
    """`clienti by visitor`: a customer is new when their first order ever falls in the period (even if they
    buy again in it), else returning, so the split adds up to the customers and to the orders."""
    db, frame = random_shop
    period = Period(date.fromisoformat(start), date.fromisoformat(end))
    first = frame.groupby("customer")["date"].min()
    inside = frame[(frame.date >= start) & (frame.date <= end)]
    new_ids = {c for c in inside.customer.unique() if first[c] >= pd.Timestamp(start)}
    rows = {r.key: r.value for r in breakdown(db, STORE, BY_NAME["customers"], period, "visitor")}
    assert rows == {"new": len(new_ids), "returning": inside.customer.nunique() - len(new_ids)}
    assert rows["new"] + rows["returning"] == value(db, "customers", start, end)
    both = inside[inside.customer.isin(new_ids)].groupby("customer").size()
    assert (both >= 2).any()  # the case that used to count twice: new, then back again in the same period
    orders = {r.key: r.value for r in breakdown(db, STORE, BY_NAME["purchase_frequency"], period, "visitor")}
    assert math.isclose(orders["new"], inside.customer.isin(new_ids).sum() / len(new_ids), rel_tol=1e-12)


def test_tracking_gap_compares_ga4_with_the_shop(random_shop):
    db, frame = random_shop
    day = frame.date.min().date()
    shop_orders = int((frame.date == pd.Timestamp(day)).sum())
    write_chunk(db, "ga4_sessions", [{"store": "shop", "date": day.isoformat(), "channel": "Direct",
                                      "device": "mobile", "visitor": "new", "sessions": 100, "engaged_sessions": 50,
                                      "orders": shop_orders - 1, "revenue": 10.0, "add_to_carts": 5, "checkouts": 3,
                                      "key_events": 1}],
                {"store": "shop", "report": "sessions", "start_date": day.isoformat(), "end_date": day.isoformat(),
                 "currency": "EUR", "time_zone": "Europe/Rome", "thresholded": 0, "other_row": 0, "sampled": 0,
                 "rows": 1, "fetched_at": "x"})
    assert math.isclose(value(db, "tracking_gap", day.isoformat(), day.isoformat()), 1 / shop_orders)


def test_ltv_answers_say_when_the_cohort_is_young(random_shop):
    db, _ = random_shop
    result = answer(db, STORE, parse("ltv 2025-06"), date(2025, 12, 1))
    assert "young_cohort" in [c.code for c in result.caveats]
