"""Order exports as people really send them: Italian day-first dates, a wrong header, a Shopify
export missing columns, a file mixing currencies. Expectations are read from the fixture files
with the csv module and plain arithmetic, never from the importer."""

from __future__ import annotations

import csv
import math
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.main import main
from connectors.orders.cells import parse_datetime
from connectors.orders.importer import BadOrderFile, import_file
from connectors.orders.store import counted_orders
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.settings import StoreSettings
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "orders"
ROME = ZoneInfo("Europe/Rome")
STORE = StoreSettings(name="shop", ga4_property="1", margin=0.10, ltv_months=24)
SPEC_SHOPIFY_COLUMNS = ["Name", "Email", "Created at", "Total", "Currency", "Financial Status", "Cancelled at"]


def fixture_rows(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    with open(FIXTURES / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def italian_amount(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def day_first(text: str) -> datetime:
    for form in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d-%m-%Y %H:%M:%S"):
        try:
            return datetime.strptime(text, form).replace(tzinfo=ROME)
        except ValueError:
            continue
    raise AssertionError(f"the fixture has a date the test cannot read: {text}")


def kpi(db, metric: str, start: date, end: date) -> float | None:
    return metric_value(db, STORE, BY_NAME[metric], Period(start, end))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kpibot.toml"
    path.write_text('[kpibot]\ndatabase = "k.db"\n[[stores]]\nname = "shop"\nga4_property = "1"\ncurrency = "EUR"\n'
                    'timezone = "Europe/Rome"\n')
    return path


def stored_orders(tmp_path: Path) -> int:
    return open_database(tmp_path / "k.db").execute("SELECT COUNT(*) FROM orders").fetchone()[0]


def test_an_italian_export_with_day_first_dates_and_decimal_commas_imports_as_written():
    db = open_database()
    rows = fixture_rows("ordini_it_giorno_primo.csv", ";")
    result = import_file(db, FIXTURES / "ordini_it_giorno_primo.csv", "shop", "Europe/Rome", "EUR")
    assert result.counts.inserted == len(rows) and not result.skipped
    stored = {r["order_id"]: r for r in db.query("SELECT order_id, created_at, date, total, counted FROM orders")}
    for row in rows:
        moment = day_first(row["created_at"])
        assert stored[row["order_id"]]["created_at"] == moment.isoformat(), row
        assert stored[row["order_id"]]["date"] == moment.date().isoformat(), row
        assert stored[row["order_id"]]["total"] == italian_amount(row["total"]), row
        assert stored[row["order_id"]]["counted"] == (row["status"] not in ("rimborsato", "annullato")), row
    kept = [row for row in rows if row["status"] == "pagato"]
    assert math.isclose(counted_orders(db, "shop").total.sum(), sum(italian_amount(r["total"]) for r in kept))
    assert kpi(db, "customers", date(2024, 1, 1), date(2024, 12, 31)) == len({r["customer_id"] for r in kept})
    # a day after the 12th proves the file is day first: 13/03 is the 13th of March, not a 13th month
    assert stored["IT-102"]["date"] == "2024-03-13" and stored["IT-106"]["date"] == "2024-05-07"


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=ROME)),
    ("2024-03-05T14:22:10", datetime(2024, 3, 5, 14, 22, 10, tzinfo=ROME)),
    ("2024-03-05T14:22:10+01:00", datetime(2024, 3, 5, 13, 22, 10, tzinfo=ZoneInfo("UTC"))),
    ("2024-03-05 14:22:10 +0100", datetime(2024, 3, 5, 13, 22, 10, tzinfo=ZoneInfo("UTC"))),
    ("2024-03-05T13:22:10Z", datetime(2024, 3, 5, 13, 22, 10, tzinfo=ZoneInfo("UTC"))),
    ("05/03/2024", datetime(2024, 3, 5, tzinfo=ROME)),
    ("5/3/2024", datetime(2024, 3, 5, tzinfo=ROME)),
    ("05/03/2024 14:22", datetime(2024, 3, 5, 14, 22, tzinfo=ROME)),
    ("05/03/2024 14:22:10", datetime(2024, 3, 5, 14, 22, 10, tzinfo=ROME)),
    ("05/03/2024 14:22:10 +0100", datetime(2024, 3, 5, 13, 22, 10, tzinfo=ZoneInfo("UTC"))),
    ("05-03-2024", datetime(2024, 3, 5, tzinfo=ROME)),
    ("05-03-2024 14:22", datetime(2024, 3, 5, 14, 22, tzinfo=ROME)),
    ("31/12/2024 23:59:59", datetime(2024, 12, 31, 23, 59, 59, tzinfo=ROME)),
    ("13/01/2024", datetime(2024, 1, 13, tzinfo=ROME)),
])
def test_every_date_form_reads_as_the_same_moment(text, expected):
    assert parse_datetime(text, ROME, "created_at") == expected


@pytest.mark.parametrize("text", ["31/02/2024", "32/01/2024", "05/13/2024x", "05/03/24", "24/25/2024",
                                  "05/03/2024 25:00", "2024/03/05"])
def test_a_date_that_is_no_day_is_a_bad_row_not_a_guess(tmp_path, text):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,created_at,total\nO1,C1,2024-01-10,10.00\n" f"O2,C2,{text},5.00\n")
    with pytest.raises(BadOrderFile) as error:
        import_file(open_database(), path, "shop", "Europe/Rome", "EUR")
    assert [(p.row, p.column, p.fatal) for p in error.value.problems] == [(3, "created_at", False)]


@pytest.mark.parametrize(("text", "form", "suggested"), [
    ("03/15/2024", "mm/dd/yyyy", "15/03/2024"), ("03-15-2024 10:00", "mm-dd-yyyy", "15-03-2024"),
])
def test_a_month_first_date_refuses_the_whole_file_naming_row_and_expected_form(tmp_path, config, capsys, text,
                                                                                form, suggested):
    # 04/03 on row 2 reads as 4 March; row 3 proves the file is month first, so row 2 meant 3 April
    path = tmp_path / "orders.csv"
    path.write_text(f"order_id,customer_id,created_at,total\nO1,C1,04/03/2024,10.00\nO2,C2,{text},5.00\n")
    assert main(["--config", str(config), "import-orders", str(path), "--skip-bad"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line, not the problem listed and then repeated
    last = err.strip()
    assert last.startswith(f"kpibot: orders.csv: row 3, column 'created_at', value '{text}': a month-first date "
                           f"({form})")
    assert suggested in last and last.endswith("nothing imported")
    assert stored_orders(tmp_path) == 0


def test_a_wrong_header_is_one_line_naming_every_missing_column(tmp_path, config, capsys):
    path = FIXTURES / "intestazione_sbagliata.csv"
    assert main(["--config", str(config), "import-orders", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad row" not in err
    header = next(csv.reader(path.open(), delimiter=";"))
    missing = [column for column in ("order_id", "customer_id", "created_at", "total") if column not in header]
    assert len(missing) == 4
    named = f"kpibot: intestazione_sbagliata.csv: the header lacks the column(s) {', '.join(map(repr, missing))}"
    assert err.startswith(named) and err[len(named)] in " :"  # every missing column, and no other
    assert "order_id,customer_id,created_at,total" in err  # what row 1 should say
    assert stored_orders(tmp_path) == 0


def test_a_header_that_nearly_matches_says_which_cells_look_like_the_missing_columns(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Order_ID,customer_id,Created_At,total\nO1,C1,2024-01-10,10.00\n")
    with pytest.raises(BadOrderFile) as error:
        import_file(open_database(), path, "shop", "Europe/Rome", "EUR")
    assert "('Order_ID' looks like 'order_id', 'Created_At' looks like 'created_at')" in str(error.value)


def test_a_shopify_export_missing_three_required_columns_is_refused_naming_them(tmp_path, config, capsys):
    path = FIXTURES / "shopify_missing_columns.csv"
    header = next(csv.reader(path.open()))
    missing = [column for column in SPEC_SHOPIFY_COLUMNS if column not in header]
    assert missing == ["Currency", "Financial Status", "Cancelled at"]
    assert main(["--config", str(config), "import-orders", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"kpibot: shopify_missing_columns.csv: the header lacks the column(s) "
                          f"{', '.join(map(repr, missing))}: a Shopify export needs all seven of")
    assert stored_orders(tmp_path) == 0
    # --format and --skip-bad do not let it through either: no row can say whether it was cancelled
    assert main(["--config", str(config), "import-orders", str(path), "--format", "shopify", "--skip-bad"]) == 2
    assert stored_orders(tmp_path) == 0


def test_orders_in_another_currency_are_kept_flagged_and_never_summed(tmp_path, config, capsys):
    rows = fixture_rows("mixed_currencies.csv")
    foreign = [row for row in rows if row["currency"].upper() != "EUR"]
    counted = [row for row in rows if row["currency"].upper() == "EUR" and row["status"] == "paid"]
    assert foreign and counted
    assert main(["--config", str(config), "import-orders", str(FIXTURES / "mixed_currencies.csv")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith(f"flagged {len(foreign)} order(s) not in the store's currency EUR "
                              f"({len(foreign)} in USD): kept, but left out of revenue")
    db = open_database(tmp_path / "k.db")
    flagged = {order_id for (order_id,) in db.execute("SELECT order_id FROM orders WHERE other_currency = 1")}
    assert flagged == {row["order_id"] for row in foreign}
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == len(rows)
    revenue = sum(float(row["total"]) for row in counted)
    assert math.isclose(counted_orders(db, "shop").total.sum(), revenue)
    customers = {row["customer_id"] for row in counted}
    may = (date(2024, 5, 1), date(2024, 5, 31))
    assert kpi(db, "customers", *may) == len(customers)
    assert math.isclose(kpi(db, "ltv", *may), revenue / len(customers))  # every customer's first order is in May
