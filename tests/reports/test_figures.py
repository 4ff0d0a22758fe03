"""The apps' report figures against the hand-counted month in conftest.py."""

from datetime import date
from decimal import Decimal

from accounts import reports as accounts_reports
from appraisal.reports.figures import Period
from billing import reports as billing_reports
from tickets import reports as tickets_reports

from .conftest import NOW, TODAY

NOV = Period.month(date(2026, 11, 1))
OCT = Period.month(date(2026, 10, 1))
DAY = Period.day(TODAY)


def test_orders_of_the_month(month_data, manager, django_assert_num_queries):
    dw, qj = month_data.xinyuan.pk, month_data.qujiang.pk
    with django_assert_num_queries(2):
        rows = tickets_reports.order_figures(manager, start=NOV.start, end=NOV.end, now=NOW)
    # 馨苑: W1 archived, W2 overdue, W3 today awaiting, W6 dispatched today (W5 is October)
    assert rows[dw] == {"opened": 4, "dispatched": 3, "returned": 1, "awaiting_dispatch": 1,
                        "overdue": 1, "cancelled": 0, "callbacks": 1, "callbacks_passed": 1}
    # 曲江: W4 returned, its callback found a problem
    assert rows[qj] == {"opened": 1, "dispatched": 1, "returned": 1, "awaiting_dispatch": 0,
                        "overdue": 0, "cancelled": 0, "callbacks": 1, "callbacks_passed": 0}
    october = tickets_reports.order_figures(manager, start=OCT.start, end=OCT.end, now=NOW)
    assert october[dw]["opened"] == 1 and october[dw]["returned"] == 1


def test_orders_today(month_data, manager, django_assert_num_queries):
    dw = month_data.xinyuan.pk
    with django_assert_num_queries(2):
        rows = tickets_reports.order_today(manager, day_start=DAY.start, now=NOW)
    assert rows[dw] == {"opened_today": 1, "awaiting_dispatch_now": 1, "overdue_now": 1,
                        "dispatched_today": 1}


def test_the_homes_order_and_fault_figures_in_fewer_queries(month_data, manager,
                                                            django_assert_num_queries):
    """The manager's home reads this month's cohorts and today's/open work together:
    the same numbers as the separate functions, in 3 order queries (not 4) and 1 fault
    query (not 2)."""
    with django_assert_num_queries(3):
        orders = tickets_reports.order_home(manager, day_start=DAY.start, start=NOV.start,
                                            end=NOV.end, now=NOW)
    with django_assert_num_queries(1):
        faults = tickets_reports.fault_home(manager, day_start=DAY.start, start=NOV.start,
                                            end=NOV.end, now=NOW)
    month_orders = tickets_reports.order_figures(manager, start=NOV.start, end=NOV.end,
                                                 now=NOW)
    today = tickets_reports.order_today(manager, day_start=DAY.start, now=NOW)
    month_faults = tickets_reports.fault_figures(manager, start=NOV.start, end=NOV.end,
                                                 now=NOW)
    live = tickets_reports.fault_live(manager, day_start=DAY.start, now=NOW)
    for together, parts in ((orders, (month_orders, today)), (faults, (month_faults, live))):
        for part in parts:
            for point, values in part.items():
                assert {k: together[point].get(k, 0) for k in values} == values, point


def test_fault_lists_in_one_scan(month_data, manager, django_assert_num_queries):
    """Faults by day, by cause and the repeated premises from one GROUPING SETS query
    (and the premises' labels): the same rows as the three separate queries."""
    kwargs = {"start": NOV.start, "end": NOV.end}
    with django_assert_num_queries(2):
        days, causes, repeats = tickets_reports.fault_lists(manager, now=NOW, **kwargs)
    assert days == tickets_reports.faults_by_day(manager, now=NOW, **kwargs)
    assert causes == tickets_reports.fault_causes(manager, now=NOW, **kwargs)
    assert repeats == tickets_reports.repeat_fault_premises(manager, **kwargs)
    assert days and causes and repeats


def test_faults_of_the_month(month_data, manager, django_assert_num_queries):
    dw, qj = month_data.xinyuan.pk, month_data.qujiang.pk
    with django_assert_num_queries(1):
        rows = tickets_reports.fault_figures(manager, start=NOV.start, end=NOV.end, now=NOW)
    # F1 on time, F2 fixed late, F3 today (still within 12 h), F4 past its 12 h; F7 cancelled
    assert rows[dw] == {"reported": 4, "on_time": 1, "late": 2, "still_open": 2, "closed": 2,
                        "callbacks": 3, "callbacks_passed": 2}
    assert rows[qj] == {"reported": 1, "on_time": 1, "late": 0, "still_open": 1, "closed": 0,
                        "callbacks": 0, "callbacks_passed": 0}
    # the Telecom 180 fault has no compound on file
    assert rows[None] == {"reported": 1, "on_time": 1, "late": 0, "still_open": 1, "closed": 0,
                          "callbacks": 1, "callbacks_passed": 1}


def test_faults_now_by_day_causes_and_repeats(month_data, manager):
    dw = month_data.xinyuan.pk
    live = tickets_reports.fault_live(manager, day_start=DAY.start, now=NOW)
    assert live[dw] == {"open_now": 2, "overdue_now": 1, "reported_today": 1}
    days = tickets_reports.faults_by_day(manager, start=NOV.start, end=NOV.end, now=NOW)
    assert [(d["day"].day, d["reported"], d["on_time"]) for d in days] == [
        (2, 1, 1), (5, 1, 0), (10, 1, 1), (11, 1, 1), (19, 1, 0), (20, 1, 0)]
    causes = tickets_reports.fault_causes(manager, start=NOV.start, end=NOV.end, now=NOW)
    assert [(c["cause__name"], c["total"], c["late"]) for c in causes] == [
        ("入户线路故障", 2, 1), ("光猫/调制解调器故障", 1, 0)]
    repeats = tickets_reports.repeat_fault_premises(manager, start=NOV.start, end=NOV.end)
    assert [(r["premises"], r["total"]) for r in repeats] == [(month_data.p1.pk, 3)]


def test_complaints_and_their_clocks(month_data, manager, django_assert_num_queries):
    dw, qj = month_data.xinyuan.pk, month_data.qujiang.pk
    with django_assert_num_queries(1):
        rows = tickets_reports.complaint_figures(manager, start=NOV.start, end=NOV.end,
                                                 now=NOW)
    # C1 (2 complainants: C2 merged into it) all on time; C3 contacted late, answer overdue
    assert rows[dw] == {"received": 2, "complainants": 3, "substantiated": 1, "closed": 1,
                        "contact_due_count": 2, "contact_on_time": 1,
                        "answer_due_count": 2, "answer_on_time": 1,
                        "callback_due_count": 1, "callback_on_time": 1}
    # C4 answered after 48 h and not called back within 3 days
    assert rows[qj] == {"received": 1, "complainants": 1, "substantiated": 0, "closed": 0,
                        "contact_due_count": 1, "contact_on_time": 1,
                        "answer_due_count": 1, "answer_on_time": 0,
                        "callback_due_count": 1, "callback_on_time": 0}
    live = tickets_reports.complaint_live(manager, now=NOW)
    assert live == {dw: {"open_now": 1, "past_clock_now": 1},
                    qj: {"open_now": 1, "past_clock_now": 1}}
    roots = tickets_reports.complaint_root_causes(manager, start=NOV.start, end=NOV.end)
    assert [(r["root_cause__name"], r["total"], r["complainants"]) for r in roots] == [
        ("业务差错", 1, 1), ("服务态度", 1, 2), (None, 1, 1)]


def test_satisfaction(month_data, manager, django_assert_num_queries):
    with django_assert_num_queries(4):
        dist = tickets_reports.satisfaction_distribution(manager, start=NOV.start, end=NOV.end)
    assert dist == {"faults": {"satisfied": 2, "dissatisfied": 1},
                    "complaints": {"satisfied": 1},
                    "inquiries": {"very_satisfied": 1, "neutral": 1},
                    "orders": {"satisfied": 1}}
    with django_assert_num_queries(4):
        trend = tickets_reports.satisfaction_trend(manager, months=12, end=NOV.end)
    assert [t["month"] for t in trend][0] == date(2025, 12, 1)
    assert trend[-1] == {"month": date(2026, 11, 1), "satisfied": 5, "total": 7, "rate": 71.4}
    assert trend[-2]["rate"] is None  # no answer in October


def test_money(month_data, manager, django_assert_num_queries):
    dw, qj = month_data.xinyuan.pk, month_data.qujiang.pk
    with django_assert_num_queries(1):
        rows = billing_reports.takings(manager, first=NOV.first, last=NOV.last)
    assert rows[dw] == {"receipts": 2, "takings": Decimal("130.00"), "voids": 1,
                        "void_total": Decimal("50.00")}
    assert rows[qj] == {"receipts": 1, "takings": Decimal("200.00"), "voids": 0,
                        "void_total": Decimal("0.00")}
    with django_assert_num_queries(2):
        closes = billing_reports.daily_close_figures(manager, first=NOV.first, last=NOV.last,
                                                     today=TODAY)
    # 馨苑: the close of the 3rd was late; today's receipt is not missing yet.
    # 曲江: the 12th has a receipt and no close.
    assert closes == {dw: {"closes": 1, "late": 1, "difference": Decimal("0.00")},
                      qj: {"missing": 1}}
    by_day = billing_reports.takings_by_day(manager, first=NOV.first, last=NOV.last)
    assert [(r["issued_on"].day, r["takings"]) for r in by_day] == [
        (3, Decimal("100.00")), (12, Decimal("200.00")), (20, Decimal("30.00"))]


def test_scoped_to_the_users_service_point(month_data, clerk):
    """A clerk of 馨苑 gets 馨苑's figures only (restrict(user))."""
    rows = tickets_reports.fault_figures(clerk, start=NOV.start, end=NOV.end, now=NOW)
    assert set(rows) == {month_data.xinyuan.pk}
    assert set(billing_reports.takings(clerk, first=NOV.first, last=NOV.last)) == {
        month_data.xinyuan.pk}


def test_retention_lists(month_data, manager, clerk, django_assert_num_queries):
    expiring = accounts_reports.expiring_broadband(manager, today=TODAY)
    assert [a.account_name for a in expiring] == ["qj01010103", "dw01010104", "dw01010101"]
    assert [a.account_name for a in accounts_reports.expiring_broadband(clerk, today=TODAY)
            ] == ["dw01010104", "dw01010101"]
    low = accounts_reports.low_balance_landlines(manager, today=TODAY)
    assert [line.phone_number for line in low] == ["68010101"]
    with django_assert_num_queries(2):
        counts = accounts_reports.retention_counts(manager, today=TODAY)
    assert counts == {month_data.xinyuan.pk: {"expiring": 2, "low_balance": 1},
                      month_data.qujiang.pk: {"expiring": 1}}
