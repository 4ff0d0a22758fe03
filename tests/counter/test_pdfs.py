"""The printed documents: what the customer, the installer and the manager read on paper."""

from io import BytesIO
from unittest import mock

import pytest
from django.urls import reverse
from pypdf import PdfReader

from billing import services as billing
from tests.counter.conftest import at
from tickets.services import workorders as wo

pytestmark = pytest.mark.django_db


def pdf_text(response) -> tuple[str, object]:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), reader.pages[0]


@pytest.fixture
def order(install, own, default_ll_plan):
    return install(landline_carrier=own, landline_plan=default_ll_plan,
                   phone_number="68012345", prepaid_credit=50, router_setup=True)


def test_the_receipt_is_an_a5_landscape_form_with_the_amount_in_words(client, clerk, order):
    client.force_login(clerk)
    text, page = pdf_text(client.get(reverse("billing:receipt_pdf", args=[order.receipt_id])))
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 420)  # A5 landscape, in points
    for expected in ("大为通信", "金辉社区通信服务中心", "DW2026A-0000001", "张伟1",
                     "柒佰捌拾元整", "¥780.00", "现金", "李晓梅", "DW20260310001"):
        assert expected in text, expected
    assert "作废 ·" not in text  # (the notice says 过期作废; the VOID line is "作废 · time")


def test_the_install_slip_carries_what_the_installer_needs(client, clerk, order):
    client.force_login(clerk)
    text, _page = pdf_text(client.get(reverse("tickets:workorder_slip", args=[order.pk])))
    for expected in (order.number, "dw0120501", order.broadband.password, "68012345",
                     "1#-2-501", "用户签字", "赠送 3 米跳线", "路由器调试"):
        assert expected in text, expected


def test_the_dispatch_log_has_a_signature_line_per_order(client, clerk, installer, install):
    orders = [install(n=n) for n in range(1, 5)]
    dispatch = wo.workorders_dispatch(user=clerk, orders=orders, installer=installer,
                                      now=at("2026-03-10", "17:00"))
    client.force_login(clerk)
    text, _page = pdf_text(client.get(reverse("tickets:dispatch_pdf", args=[dispatch.pk])))
    assert all(order.number in text for order in orders)
    assert "发单登记表" in text and "领单签字" in text and "张建国" in text
    assert "2026-03-17 17:00" in text  # due back


def test_the_daily_close_report_marks_a_late_close(client, clerk, order):
    close = billing.daily_close(user=clerk, day=order.receipt.issued_on, counted_cash="780",
                                now=at("2026-03-10", "19:30"))
    client.force_login(clerk)
    text, _page = pdf_text(client.get(reverse("billing:dailyclose_pdf", args=[close.pk])))
    assert "超时" in text and "780.00" in text and "DW2026A 0000001–0000001" in text


def test_the_carrier_acknowledgement_counts_the_orders(client, clerk, xinyuan, telecom):
    batch = wo.carrier_batch_register(user=clerk, service_point=xinyuan, carrier=telecom, orders=[
        {"customer_name": f"客户{n}", "building": 1, "unit": 1, "room": 100 + n,
         "services": ["broadband"]} for n in range(3)])
    client.force_login(clerk)
    text, _page = pdf_text(client.get(reverse("tickets:carrierbatch_pdf", args=[batch.pk])))
    assert "共收到工单:3 张" in text


@pytest.mark.parametrize("url_name", ["billing:receipt_pdf", "tickets:workorder_slip"])
def test_receipt_and_slip_subset_their_font_with_harfbuzz(client, clerk, order, url_name):
    """The fast path: HarfBuzz subsets the Chinese font (~55 ms a slip). Without Debian's
    libharfbuzz-subset0 WeasyPrint falls back to fontTools (~2 s a slip). Timings are in
    bench/ (`make bench`); here the fallback is made to fail loudly instead."""
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "apt-get install libharfbuzz-subset0 (see README)"
    client.force_login(clerk)
    pk = order.receipt_id if url_name.startswith("billing") else order.pk
    with mock.patch("weasyprint.pdf.fonts.subset.Subsetter",
                    side_effect=AssertionError("fontTools subsetting: the slow path")):
        text, _page = pdf_text(client.get(reverse(url_name, args=[pk])))
    assert text.strip()
