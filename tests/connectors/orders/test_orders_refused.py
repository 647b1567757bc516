"""Order rows that must be refused, named by row and column, in the generic, Italian and Shopify formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli.main import main
from connectors.orders.cells import FIRST_DAY
from connectors.orders.importer import BadOrderFile, import_file
from connectors.warehouse import open_database

GENERIC = "order_id,customer_id,created_at,total,currency,status\n"
ITALIAN = "order_id;customer_id;created_at;total;currency;status\n"
SHOPIFY = "Name,Email,Financial Status,Currency,Total,Created at,Lineitem name,Cancelled at\n"


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(tmp_path: Path, text: str, **kwargs) -> list[tuple[int, str]]:
    db = open_database()
    with pytest.raises(BadOrderFile) as error:
        import_file(db, write(tmp_path, text), "shop", "Europe/Rome", "EUR", **kwargs)
    assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
    return [(problem.row, problem.column) for problem in error.value.problems]


def stored(tmp_path: Path, text: str, **kwargs) -> dict[str, float]:
    db = open_database()
    import_file(db, write(tmp_path, text), "shop", "Europe/Rome", "EUR", **kwargs)
    return dict(db.execute("SELECT order_id, total FROM orders").fetchall())


@pytest.mark.parametrize(("text", "expected"), [
    (GENERIC + "O1,C1,2024-01-10T10:00:00+01:00,100.00,EUR,paid\nO2,C2,2024-01-11T10:00:00+01:00,5.00,EUR,paid\n"
     "O1,C1,2024-01-10T10:00:00+01:00,120.00,EUR,paid\n", [(4, "total")]),
    (ITALIAN + "A-1;C-1;2024-01-10T10:00:00+01:00;1.249,00;EUR;paid\nA-1;C-1;2024-01-10T10:00:00+01:00;1.249,00;EUR;"
     "rimborsato\n", [(3, "status")]),
    (SHOPIFY + "#1,a@x.it,paid,EUR,50.00,2024-03-05 14:22:10 +0100,Casco,\n"
     "#1,a@x.it,paid,EUR,55.00,2024-03-05 14:22:10 +0100,Luce,\n", [(3, "Total")]),
], ids=["generic", "italian", "shopify"])
def test_an_order_repeated_with_other_values_is_refused_with_its_rows(tmp_path, text, expected):
    assert refused(tmp_path, text) == expected


def test_with_skip_bad_neither_row_of_a_conflicting_order_is_imported(tmp_path):
    text = (GENERIC + "O1,C1,2024-01-10T10:00:00+01:00,100.00,EUR,paid\nO2,C2,2024-01-11T10:00:00+01:00,5.00,EUR,paid\n"
            "O1,C1,2024-01-10T10:00:00+01:00,120.00,EUR,paid\n")
    assert stored(tmp_path, text, skip_bad=True) == {"O2": 5.00}


def test_identical_repeats_and_shopify_line_items_are_one_order(tmp_path):
    generic = GENERIC + "O1,C1,2024-01-10T10:00:00+01:00,100.00,EUR,paid\n" * 2
    assert stored(tmp_path, generic) == {"O1": 100.00}
    shopify = (SHOPIFY + "#1,a@x.it,paid,EUR,50.00,2024-03-05 14:22:10 +0100,Casco,\n"
               "#1,a@x.it,,,,2024-03-05 14:22:10 +0100,Luce,\n"  # a line item repeating name, email and date
               "#1,a@x.it,paid,EUR,50.00,2024-03-05 14:22:10 +0100,Campanello,\n")  # order columns repeated alike
    assert stored(tmp_path, shopify) == {"#1": 50.00}


@pytest.mark.parametrize("total", ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "2e12"])
def test_a_total_that_is_not_a_finite_plausible_amount_is_refused(tmp_path, total):
    generic = GENERIC + f"O1,C1,2024-01-10T10:00:00+01:00,{total},EUR,paid\n"
    assert refused(tmp_path, generic) == [(2, "total")]
    italian = ITALIAN + f"A-1;C-1;2024-01-10T10:00:00+01:00;{total};EUR;paid\n"
    assert refused(tmp_path, italian) == [(2, "total")]
    shopify = SHOPIFY + f"#1,a@x.it,paid,EUR,{total},2024-03-05 14:22:10 +0100,Casco,\n"
    assert refused(tmp_path, shopify) == [(2, "Total")]


def test_a_row_with_more_cells_than_the_header_is_refused_not_shifted(tmp_path):
    # "1,234.00" unquoted in a comma file: before, total 1 and status "EUR" (not counted)
    generic = GENERIC + "O1,C1,2024-01-10T10:00:00+01:00,1,234.00,EUR,paid\n"
    assert refused(tmp_path, generic) == [(2, "(cell 7)")]
    italian = ITALIAN + "A-1;C-1;2024-01-10T10:00:00+01:00;1.249;00;EUR;paid\n"
    assert refused(tmp_path, italian) == [(2, "(cell 7)")]
    shopify = SHOPIFY + "#1,a@x.it,paid,EUR,1,234.00,2024-03-05 14:22:10 +0100,Casco,\n"
    assert refused(tmp_path, shopify) == [(2, "(cell 9)")]
    stray = ITALIAN + "A-1;C-1;2024-01-10T10:00:00+01:00;1.249,00;EUR;paid;\n"  # even an empty extra cell
    assert refused(tmp_path, stray) == [(2, "(cell 7)")]


@pytest.mark.parametrize("day", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "1989-12-31T10:00:00",
                                 "2027-01-02T10:00:00+01:00"])
def test_a_date_out_of_range_is_refused_naming_the_column(tmp_path, day):
    last_day = date(2026, 11, 25)
    assert refused(tmp_path, GENERIC + f"O1,C1,{day},10.00,EUR,paid\n", last_day=last_day) == [(2, "created_at")]
    shopify_day = day.replace("T", " ")
    assert refused(tmp_path, SHOPIFY + f"#1,a@x.it,paid,EUR,10.00,{shopify_day},Casco,\n",
                   last_day=last_day) == [(2, "Created at")]


def test_the_first_and_last_allowed_days_are_accepted(tmp_path):
    text = GENERIC + (f"O1,C1,{FIRST_DAY}T00:00:00+01:00,10.00,EUR,paid\n"
                      "O2,C1,2026-11-25T23:59:00+01:00,12.00,EUR,paid\n")
    assert stored(tmp_path, text, last_day=date(2026, 11, 25)) == {"O1": 10.00, "O2": 12.00}


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "kpibot.toml"
    path.write_text('[kpibot]\ndatabase = "k.db"\n[[stores]]\nname = "shop"\nga4_property = "1"\n')
    return path


def test_a_ten_megabyte_field_names_its_row_and_refuses_the_file_even_with_skip_bad(tmp_path, config, capsys):
    text = GENERIC + "O1,C1,2024-01-10T10:00:00+01:00,10.00,EUR,paid\n" + f'O2,C2,"{"x" * 10_000_000}",5,EUR,paid\n'
    path = write(tmp_path, text)
    assert main(["--config", str(config), "import-orders", str(path), "--skip-bad"]) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("kpibot: orders.csv: row 3 cannot be read as CSV (field larger than field limit")
    assert "unexpected error" not in err and "Traceback" not in err
    assert open_database(tmp_path / "k.db").execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0


@pytest.mark.parametrize(("data", "says"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, "is not a CSV text file (it holds binary data)"),
    (b"PK\x03\x04\x14\x06\xff\xfe" + b"\xc3\x28" * 100, "is not UTF-8 text (byte 7 is not)"),
], ids=["png", "zip-like"])
def test_a_file_that_is_not_csv_gets_one_clear_line(tmp_path, config, capsys, data, says):
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    assert main(["--config", str(config), "import-orders", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"kpibot: export.csv {says}: export the orders")
