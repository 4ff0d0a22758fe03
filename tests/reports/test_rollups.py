"""The monthly report's kept closed months (appraisal/reports/rollups.py): the same
figures as counted live, never trusted after a late change or a passing deadline."""

from datetime import date, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from appraisal.reports import figures, rollups
from appraisal.reports.models import DayFigures, MonthFigures, ReportDay, ReportMonth
from billing.models import Receipt
from tickets.models import Fault

from .conftest import NOW, SH, assert_hand_counted, at

LATER = datetime(2026, 12, 5, 10, 0, tzinfo=SH)  # November closed
THIRTEEN = [date(2025, 11, 1)] + [date(2026, m, 1) for m in range(1, 12)]  # + Dec 2025
THIRTEEN.insert(1, date(2025, 12, 1))


@pytest.fixture(autouse=True)
def _months_closed_in_the_database(db):
    """The triggers compare with the database's clock: the fixture's months must be over."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now() >= '2026-12-01 00:00+08'")
        if not cursor.fetchone()[0]:
            pytest.skip("the database's clock is before December 2026")


def _figures(report: figures.MonthlyReport) -> dict:
    """Everything the page prints, as plain values."""
    return {
        "comparison": {row.figure.key: [c.value for c in row.cells]
                       for row in report.comparison},
        "by_point": [(row.point, [c.value for c in row.cells]) for row in report.by_point],
        "satisfaction": report.satisfaction,
        "trend": report.satisfaction_trend,
        "days": report.fault_days, "causes": report.fault_causes,
        "root_causes": report.root_causes, "repeats": report.repeat_premises,
        "takings": report.takings_by_point, "sla": report.sla,
    }


def test_hand_counted_month_from_live_and_kept_figures(client, manager, month_data,
                                                       django_assert_max_num_queries):
    """Every month treated as closed at NOW: the first request counts November live and
    keeps it, the command keeps the other months, the second request reads them all
    back; both give the hand-counted figures."""
    client.force_login(manager)
    url = reverse("reports:monthly")
    with (mock.patch("django.utils.timezone.now", return_value=NOW),
          mock.patch.object(rollups, "is_closed", return_value=True)):
        live = client.get(url, {"month": "2026-11"}).context["report"]
        assert MonthFigures.objects.filter(month=date(2026, 11, 1)).exists()
        assert len(figures.keep_months(THIRTEEN, now=NOW)) == 12
        with django_assert_max_num_queries(9):  # no aggregation over the tickets
            kept = client.get(url, {"month": "2026-11"}).context["report"]
    assert_hand_counted(live)
    assert_hand_counted(kept)
    assert _figures(kept) == _figures(live)


def test_a_closed_month_is_kept_and_read_back(manager, month_data,
                                              django_assert_num_queries):
    live = figures.monthly_report(manager, date(2026, 11, 1), now=LATER)
    assert set(MonthFigures.objects.values_list("month", flat=True)) == {date(2026, 11, 1)}
    figures.keep_months(THIRTEEN, now=LATER)
    with django_assert_num_queries(2):  # the kept months, the service points
        kept = figures.monthly_report(manager, date(2026, 11, 1), now=LATER)
    assert _figures(kept) == _figures(live)
    # 13 months kept (last November to this one), each with its month row
    assert MonthFigures.objects.filter(service_point_id=rollups.MONTH_ROW).count() == 13


def test_the_live_month_is_never_kept(manager, month_data):
    figures.monthly_report(manager, date(2026, 11, 1), now=NOW)
    assert not MonthFigures.objects.exists()
    assert figures.keep_months([date(2026, 10, 1), date(2026, 11, 1)], now=NOW) == [
        date(2026, 10, 1)]


def test_a_late_change_to_a_closed_month_is_counted(manager, month_data, clerk):
    november = date(2026, 11, 1)
    before = figures.monthly_report(manager, november, now=LATER)
    version = ReportMonth.objects.get(month=november).version
    # A November receipt voided in December, and a November fault's fix entered late
    # (fixed within its 12 hours, recorded in December).
    receipt = Receipt.objects.filter(issued_on__month=11, status="issued").order_by("pk")[0]
    Receipt.objects.filter(pk=receipt.pk).update(status="void", voided_at=LATER,
                                                 voided_by=clerk, void_reason="写错")
    assert ReportMonth.objects.get(month=november).version > version
    assert Fault.objects.filter(reported_at__gte=at(11, 19, 0), reported_at__lt=at(11, 20, 0),
                                state="new").update(state="fixed", first_fixed_at=at(11, 19, 9),
                                                    fixed_at=at(11, 19, 9)) == 1
    after = figures.monthly_report(manager, november, now=LATER)
    takings = {row.figure.key: row.cells[0].value for row in after.comparison}
    before_takings = {row.figure.key: row.cells[0].value for row in before.comparison}
    assert takings["takings"] == before_takings["takings"] - receipt.total
    assert takings["voids"] == before_takings["voids"] + 1
    assert takings["faults_late"] == before_takings["faults_late"] - 1
    assert takings["faults_on_time"] == before_takings["faults_on_time"] + 1
    # counted again and kept at the new version
    assert set(MonthFigures.objects.filter(month=november).values_list("version", flat=True)) \
        == {ReportMonth.objects.get(month=november).version}
    again = figures.monthly_report(manager, november, now=LATER)
    assert _figures(again) == _figures(after)


def test_a_passing_deadline_makes_a_kept_month_count_again(manager, month_data):
    """A fault reported at 23:00 on the last day is not late at 00:30 when the month is
    kept; at noon it is, with no write in between."""
    november = date(2026, 11, 1)
    Fault.objects.filter(reported_at__gte=at(11, 19, 0), reported_at__lt=at(11, 20, 0),
                         state="new").update(reported_at=at(11, 30, 23),
                                             due_at=at(11, 30, 23) + timedelta(hours=12))
    early = datetime(2026, 12, 1, 1, 30, tzinfo=SH)
    first = figures.monthly_report(manager, november, now=early)
    kept = MonthFigures.objects.filter(month=november).first()
    assert kept.valid_until == at(11, 30, 23) + timedelta(hours=12)
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=SH)
    later = figures.monthly_report(manager, november, now=noon)
    late = [{row.figure.key: row.cells[0].value for row in r.comparison}["faults_late"]
            for r in (first, later)]
    assert late[1] == late[0] + 1


def test_only_users_who_see_every_point_read_kept_months(manager, clerk, installer):
    assert rollups.sees_all(manager)
    assert not rollups.sees_all(clerk) and not rollups.sees_all(installer)


def test_refresh_command_keeps_the_missing_months(month_data):
    kept = figures.keep_months([date(2026, 10, 1), date(2026, 11, 1)], now=LATER)
    assert kept == [date(2026, 10, 1), date(2026, 11, 1)]
    assert figures.keep_months([date(2026, 10, 1), date(2026, 11, 1)], now=LATER) == []
    assert figures.keep_months([date(2026, 12, 1)], now=LATER) == []  # still live


# --- the manager's home: this month's closed days kept ------------------------------------


def _home(user, now) -> dict:
    home = figures.manager_home(user, now=now)
    columns = [c[1] for c in figures.HOME_COLUMNS]
    return {row.point: dict(zip(columns, (c.value for c in row.cells), strict=True))
            for row in [*home.rows, home.total]}


def test_the_home_adds_kept_days_to_the_live_rest(manager, month_data,
                                                  django_assert_max_num_queries):
    """The closed days of November (1-19 at NOW) kept on the first view; read back the
    figures are those counted live (as a clerk's restricted view would count them)."""
    with mock.patch.object(rollups, "sees_all", return_value=False):
        live = _home(manager, NOW)
    first = _home(manager, NOW)
    assert DayFigures.objects.filter(service_point_id=rollups.MONTH_ROW).count() == 19
    with django_assert_max_num_queries(17):
        kept = _home(manager, NOW)
    assert first == kept == live
    assert kept[None]["reported"] == 6  # the total row


def test_a_late_change_to_a_kept_day_is_counted_on_the_home(manager, month_data, clerk):
    _home(manager, NOW)
    receipt = Receipt.objects.filter(issued_on__lt=NOW.date(), status="issued").order_by("pk")[0]
    version = ReportDay.objects.get(day=receipt.issued_on).version
    before = _home(manager, NOW)[None]
    Receipt.objects.filter(pk=receipt.pk).update(status="void", voided_at=NOW,
                                                 voided_by=clerk, void_reason="写错")
    assert ReportDay.objects.get(day=receipt.issued_on).version == version + 1
    after = _home(manager, NOW)[None]
    assert after["takings"] == before["takings"] - receipt.total
    assert after["receipts"] == before["receipts"] - 1
    assert set(DayFigures.objects.filter(day=receipt.issued_on)
               .values_list("version", flat=True)) == {version + 1}


def test_a_passing_deadline_makes_a_kept_day_count_again(manager, month_data):
    """A fault reported at 22:00 yesterday, not fixed: not late at 01:30, late at 10:00
    (a figure the day keeps, though the home shows none counted against "now"): the day
    kept at 01:30 is counted again once that deadline passed."""
    Fault.objects.filter(reported_at__gte=at(11, 19, 0), reported_at__lt=at(11, 20, 0),
                         state="new").update(reported_at=at(11, 19, 22),
                                             due_at=at(11, 19, 22) + timedelta(hours=12))
    early, later = at(11, 20, 1, 30), at(11, 20, 10, 30)
    _home(manager, early)
    assert DayFigures.objects.filter(day=date(2026, 11, 19)).first().valid_until == \
        at(11, 19, 22) + timedelta(hours=12)
    with mock.patch.object(rollups, "sees_all", return_value=False):
        live = _home(manager, later)
    assert _home(manager, later) == live
    recounted = DayFigures.objects.filter(day=date(2026, 11, 19)).first()
    assert recounted.computed_at == later and recounted.valid_until > later


def test_the_refresh_command_keeps_this_months_closed_days(month_data):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("refresh_report_rollups", months=1, stdout=StringIO())
    assert sorted(DayFigures.objects.filter(service_point_id=rollups.MONTH_ROW)
                  .values_list("day", flat=True)) == [date(2026, 11, d) for d in range(1, 20)]


def test_the_live_months_report_adds_kept_days_to_the_live_rest(manager, month_data):
    """November at NOW (the 20th): days 1-19 kept on the first view; the report read back
    from them and today counted live is the report counted live."""
    november = date(2026, 11, 1)
    with mock.patch.object(rollups, "sees_all", return_value=False):
        live = figures.monthly_report(manager, november, now=NOW)
    first = figures.monthly_report(manager, november, now=NOW)
    assert DayFigures.objects.filter(service_point_id=rollups.MONTH_ROW).count() == 19
    kept = figures.monthly_report(manager, november, now=NOW)
    assert_hand_counted(kept)
    assert _figures(first) == _figures(kept) == _figures(live)
    assert not MonthFigures.objects.filter(month=november).exists()  # still live
