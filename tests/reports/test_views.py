"""The report pages: who may open them, the figures they show, their links, their cost."""

import re
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from accounts.models import RetentionCall
from appraisal.reports import figures
from tests.viewtests import assert_access

from .conftest import NOW, assert_hand_counted


@pytest.fixture
def at_now():
    """Pin "now" for the figures (the pages read timezone.now())."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def test_who_may_open_the_reports(client, users, month_data):
    for name in ("reports:manager_home", "reports:monthly"):
        assert_access(client, reverse(name), users, allowed={"manager"})
    for name in ("reports:retention_broadband", "reports:retention_landline"):
        assert_access(client, reverse(name), users, allowed={"manager", "clerk", "other_clerk"})


def test_manager_home_is_the_managers_start_page(client, manager, month_data, at_now,
                                                 django_assert_max_num_queries):
    client.force_login(manager)
    first = client.get(reverse("home"))  # counts November 1-19 and keeps them
    with django_assert_max_num_queries(18):  # the kept days read back, today counted live
        response = client.get(reverse("home"))
    assert response.status_code == 200
    home = response.context["home"]
    assert [[c.value for c in r.cells] for r in first.context["home"].rows] == [
        [c.value for c in r.cells] for r in home.rows]
    columns = [c[1] for c in figures.HOME_COLUMNS]
    xinyuan = next(r for r in home.rows if r.point == month_data.xinyuan)
    values = dict(zip(columns, (c.value for c in xinyuan.cells), strict=True))
    assert values["opened_today"] == 1
    assert values["orders_overdue_now"] == 1
    assert values["faults_open_now"] == 2
    assert values["faults_overdue_now"] == 1
    assert values["complaints_late_now"] == 1
    assert values["on_time_rate"] == 25.0        # 1 of 4 faults fixed within 12 h
    assert values["callback_rate"] == 75.0       # fault 2 of 3 + order 1 of 1
    assert str(values["takings"]) == "130.00"
    assert str(values["takings_today"]) == "30.00"
    assert values["late_closes"] == 1
    assert values["expiring"] == 2 and values["low_balance"] == 1
    total = dict(zip(columns, (c.value for c in home.total.cells), strict=True))
    assert total["reported"] == 6 and total["missing"] == 1 and str(total["takings"]) == "330.00"
    html = response.content.decode()
    assert 'id="manager-overview"' in html and "<svg" in html and "style=" not in html


def test_every_home_figure_links_to_a_list_that_opens(client, manager, month_data, at_now):
    client.force_login(manager)
    home = client.get(reverse("home")).context["home"]
    hrefs = {cell.href for cell in home.rows[0].cells}
    assert all(hrefs)
    for href in sorted(hrefs):
        assert client.get(href).status_code == 200, href


def test_the_overdue_link_lists_the_overdue_faults(client, manager, month_data, at_now):
    client.force_login(manager)
    home = client.get(reverse("home")).context["home"]
    index = [c[1] for c in figures.HOME_COLUMNS].index("faults_overdue_now")
    row = next(r for r in home.rows if r.point == month_data.xinyuan)
    listed = client.get(row.cells[index].href).context["table"].data.data
    assert len(listed) == row.cells[index].value == 1


def test_monthly_report(client, manager, month_data, at_now, django_assert_max_num_queries):
    client.force_login(manager)
    client.get(reverse("reports:monthly"), {"month": "2026-11"})  # keeps Nov 1-19
    # the other two months (not kept here) in one query per subject, November's kept
    # days (2), the rest of November live (~10: a query per subject and list)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("reports:monthly"), {"month": "2026-11"})
    assert response.status_code == 200
    report = response.context["report"]
    assert_hand_counted(report)
    html = response.content.decode()
    assert html.count("<svg") == 4 and "style=" not in html and "<script>" not in html
    assert [point for point, _value in report.takings_by_point][:2] == [
        month_data.qujiang, month_data.xinyuan]


def test_monthly_report_pdf(client, manager, month_data, at_now):
    client.force_login(manager)
    response = client.get(reverse("reports:monthly_pdf"), {"month": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_retention_mark_is_idempotent(client, clerk, month_data, at_now):
    client.force_login(clerk)
    url = reverse("reports:retention_broadband_mark", args=[month_data.a1.pk])
    for _ in range(2):
        response = client.post(url, {"outcome": "will_renew",
                                     "next": reverse("reports:retention_broadband")})
        assert response.status_code == 302
    calls = RetentionCall.objects.filter(broadband=month_data.a1)
    assert [(c.period, c.outcome, c.called_by) for c in calls] == [
        (date(2026, 12, 1), "will_renew", clerk)]
    page = client.get(reverse("reports:retention_broadband")).content.decode()
    assert "Mark called" not in page or page.count('name="outcome"') == 1  # one left: dw01010104


def test_retention_mark_of_another_point_is_refused(client, clerk, month_data):
    client.force_login(clerk)
    url = reverse("reports:retention_broadband_mark", args=[month_data.a3.pk])
    assert client.post(url, {"outcome": "reached"}).status_code == 404
    assert client.get(reverse("reports:retention_landline_mark",
                              args=[month_data.landline_low.pk])).status_code == 405
    assert not RetentionCall.objects.exists()


def test_retention_export(client, manager, month_data, at_now, django_assert_max_num_queries):
    client.force_login(manager)
    RetentionCall.objects.create(landline=month_data.landline_low, period=date(2026, 11, 1),
                                 service_point=month_data.xinyuan, called_by=manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:retention_landline"), {"_export": "xlsx"})
    assert response.status_code == 200
    assert re.search(r"retention-landline-\d{8}\.xlsx", response["Content-Disposition"])
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][1] == "68010101"
    assert "周海燕" in values[1][-1]  # the called mark, exported
