"""Pages of the landline ledger: who may open what, upload with progress, statement,
reminder list, lookup, adjustments, and the subscriber page panel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import LandlineAccount
from billing import ledger
from billing.models import BalanceEntry, CdrImport
from tests.billing_landline.test_cdr import GOOD, csv_bytes
from tests.viewtests import assert_access

D = Decimal


@pytest.fixture
def line(make_line):
    return make_line("68001001", plan="daweitest")


@pytest.fixture
def other_point_line(make_line, qujiang):
    return make_line("68003001", plan="yuezu", service_point=qujiang)


def test_who_may_open_the_ledger_pages(client, users, line, other_point_line):
    desk = {"clerk", "agent", "manager"}
    assert_access(client, reverse("billing:landline_billing", args=[line.pk]), users, desk)
    assert_access(client, reverse("billing:landline_billing", args=[other_point_line.pk]),
                  users, {"other_clerk", "agent", "manager"})  # not 馨苑's clerk
    assert_access(client, reverse("billing:landline_statement", args=[line.pk, "2026-11"]),
                  users, desk)
    lists = desk | {"other_clerk"}  # scoped to each one's service point
    assert_access(client, reverse("billing:low_balance"), users, lists)
    assert_access(client, reverse("billing:landline_lookup"), users, lists)
    assert_access(client, reverse("billing:cdrimport_list"), users, {"manager"})
    assert_access(client, reverse("billing:cdr_upload"), users, {"manager"})

def test_only_a_manager_adjusts_through_the_page(client, clerk, manager, line):
    url = reverse("billing:landline_adjust", args=[line.pk])
    data = {"amount": "-5", "reason": "误充冲正",
            "idempotency_key": "8f6f5c1e-1d43-4a0e-9d5c-1f1f1f1f1f1f"}
    client.force_login(clerk)
    assert client.post(url, data).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("billing:landline_billing", args=[line.pk]))
    assert reverse("billing:landline_adjust", args=[line.pk]) in page.content.decode()
    bad = client.post(url, {**data, "reason": ""})
    assert bad.status_code == 400
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same form twice: once
    line = LandlineAccount.objects.get(pk=line.pk)
    assert (line.balance, line.state) == (D("-5.00"), "barred")


@pytest.mark.parametrize(("value", "error"), [
    ("-1", "确保该值大于或等于0"), ("1.234", "小数不超过 2 位"), ("abc", "请输入数字"),
    ("NaN", "请输入数字"), ("1000.01", "告警阀值最多为 ¥1000.00"), ("", "这个字段是必填项"),
])
def test_the_alert_threshold_form_answers_in_chinese(client, manager, line, value, error):
    client.force_login(manager)
    response = client.post(reverse("billing:landline_alert_threshold", args=[line.pk]),
                           {"alert_threshold": value})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert LandlineAccount.objects.get(pk=line.pk).alert_threshold == D("1.00")


def test_only_a_manager_edits_the_alert_threshold_from_the_line_page(client, clerk, manager,
                                                                     line):
    url = reverse("billing:landline_alert_threshold", args=[line.pk])
    page_url = reverse("billing:landline_billing", args=[line.pk])
    client.force_login(clerk)
    assert url not in client.get(page_url).content.decode()
    assert client.post(url, {"alert_threshold": "5"}).status_code == 403
    client.force_login(manager)
    assert url in client.get(page_url).content.decode()
    response = client.post(url, {"alert_threshold": "5.5"})
    assert response.status_code == 302 and response["Location"] == page_url
    assert LandlineAccount.objects.get(pk=line.pk).alert_threshold == D("5.50")
    assert "¥5.50" in client.get(page_url).content.decode()


def test_upload_rates_with_progress_and_shows_the_summary(client, manager, line,
                                                          django_assert_max_num_queries):
    client.force_login(manager)
    refused = client.post(reverse("billing:cdr_upload"),
                          {"file": SimpleUploadedFile("x.csv", b"no,header\n")})
    assert refused.status_code == 400 and not CdrImport.objects.exists()
    data = csv_bytes("V1,68001001,8888,2026-11-03 08:15:00,61,local",
                     "V2,68009999,8888,2026-11-03 08:15:00,61,local")
    response = client.post(reverse("billing:cdr_upload"),
                           {"file": SimpleUploadedFile("nov.csv", data)})
    job = CdrImport.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "hx-post" in page and "<progress" in page and "<script" not in page.split(
        "</head>")[1]
    with django_assert_max_num_queries(40):
        step = client.post(reverse("billing:cdrimport_step", args=[job.pk]),
                           HTTP_HX_REQUEST="true")
    assert step.status_code == 200 and step["HX-Refresh"] == "true"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "hx-post" not in page  # done: no more polling
    assert "68009999" in page  # the rejected row, with its reason
    job.refresh_from_db()
    assert (job.rated, job.rejected, job.total_charged) == (1, 1, D("0.30"))


def test_statement_page_export_and_pdf(client, clerk, line):
    from billing import cdr

    cdr.cdr_import_run(cdr_import=cdr.cdr_import_create(user=None, file_name="a.csv",
                                                         data=GOOD))
    ledger.landline_rent_run(month=date(2026, 11, 1))
    client.force_login(clerk)
    url = reverse("billing:landline_statement", args=[line.pk, "2026-11"])
    page = client.get(url).content.decode()
    assert "88880000" in page and "-23.00" in page
    export = client.get(url + "?_export=csv")
    assert export.status_code == 200 and "88880000" in export.content.decode()
    pdf = client.get(reverse("billing:landline_statement_pdf", args=[line.pk, "2026-11"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("billing:landline_statement", args=[line.pk, "2026-13"])
                      ).status_code == 404


def test_low_balance_list_and_lookup(client, clerk, make_line, line,
                                     django_assert_max_num_queries):
    rich = make_line("68001002", plan="system default billingplan")
    ledger.landline_rent_run(month=date(2026, 11, 1))  # line: -23.00; rich: 0 (< 1.00 too)
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("billing:low_balance")).content.decode()
    assert "68001001" in page and "13912345678" in page
    found = client.get(reverse("billing:landline_lookup"), {"number": "02968001001"})
    assert found.status_code == 302
    assert found["Location"] == reverse("billing:landline_billing", args=[line.pk])
    missing = client.get(reverse("billing:landline_lookup"), {"number": "68000000"})
    assert missing.status_code == 200 and "68000000" in missing.content.decode()
    assert BalanceEntry.objects.filter(landline=rich).count() == 0


def test_the_subscriber_page_shows_balance_plan_add_ons_and_movements(
        client, clerk, installer, line, add_ons):
    line.add_ons.add(add_ons["cfu"])
    ledger.landline_rent_run(month=date(2026, 11, 1))
    client.force_login(clerk)
    page = client.get(line.subscriber.get_absolute_url()).content.decode()
    assert "¥-23.00" in page and "daweitest" in page and add_ons["cfu"].name in page
    assert reverse("billing:landline_billing", args=[line.pk]) in page


def test_the_panel_queries_do_not_grow_with_lines(client, clerk, make_line, package_broadband,
                                                  django_assert_max_num_queries):
    first = make_line("68004001", bundled_with=package_broadband)
    subscriber = first.subscriber
    ledger.landline_rent_run(month=date(2026, 11, 1))
    client.force_login(clerk)
    with django_assert_max_num_queries(40) as one:
        client.get(subscriber.get_absolute_url())
    from accounts import services as accounts_services
    from accounts.models import Carrier, LandlinePlan
    for code, number in (("telecom", "88834002"), ("unicom", "68694003")):
        line = accounts_services.landline_account_open(
            user=clerk, subscriber=subscriber, premises=first.premises,
            carrier=Carrier.objects.get(code=code), plan=LandlinePlan.objects.get(name="yuezu"),
            phone_number=number)
        accounts_services.account_activate(user=clerk, account=line)
    ledger.landline_rent_run(month=date(2026, 12, 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(subscriber.get_absolute_url()).content.decode()
    assert "88834002" in page


def test_a_large_upload_advances_the_bar_a_chunk_a_poll_and_ends_with_the_summary(
        client, manager, line, make_line, django_assert_max_num_queries):
    from billing import cdr

    make_line("68690001", carrier="unicom")  # cannot call abroad: its calls are flagged
    rows = []
    for n in range(12_000):
        if n % 1000 == 999:
            rows.append("bad,row")  # rejected, with its line number
        elif n % 10 == 5:
            rows.append(f"L{n},68690001,0044207946,2026-11-04 10:00:00,300,international")
        else:
            rows.append(f"L{n},68001001,8888,2026-11-03 08:15:00,60,local")
    rows += [f"L{n},68001001,8888,2026-11-03 08:15:00,60,local" for n in range(100)]  # again
    client.force_login(manager)
    client.post(reverse("billing:cdr_upload"),
                {"file": SimpleUploadedFile("big.csv", csv_bytes(*rows))})
    job = CdrImport.objects.get()
    step_url = reverse("billing:cdrimport_step", args=[job.pk])
    seen = []
    for _poll in range(5):
        with django_assert_max_num_queries(40):
            step = client.post(step_url, HTTP_HX_REQUEST="true")
        assert step.status_code == 200
        seen.append(step.content.decode())
        if step.get("HX-Refresh"):
            break
    assert len(seen) == -(-12_100 // cdr.CHUNK_LINES)  # one chunk per poll
    first = seen[0]
    assert '<progress class="flex-grow-1" max="100" value="41">' in first and "hx-post" in first
    assert ">5000</td>" in first  # rows read so far
    job.refresh_from_db()
    assert (job.rows_read, job.rated, job.flagged, job.skipped, job.rejected) == (
        12_100, 10_788, 1_200, 100, 12)
    assert job.total_charged == D("1618.20") and job.is_done
    page = client.get(job.get_absolute_url()).content.decode()
    assert "hx-post" not in page and 'value="100"' in page
    for shown in (">12100<", ">10788<", ">1200<", ">100<", ">12<", "¥1618.20"):
        assert shown in page, shown
    assert "<td>1001</td>" in page  # the first rejected row's line number
    assert LandlineAccount.objects.get(pk=line.pk).balance == D("-1618.20")
