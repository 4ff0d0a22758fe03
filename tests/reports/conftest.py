"""A hand-counted month for the report tests: November 2026, "now" 2026-11-20 15:00.

Rows are written straight to the tables with the exact times the counts depend on (the
workflows that normally write them are tested elsewhere). Expected figures are written
out in the tests beside each assertion, counted by hand from this file.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.models import (
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    LandlineAccount,
    LandlinePlan,
    Premises,
    Subscriber,
)
from billing.models import DailyClose, Receipt, ReceiptBook, ReceiptLine
from tests.fixtures.register import valid_id_number
from tickets.models import (
    CarrierDesk,
    Complaint,
    ComplaintCallback,
    ComplaintRootCause,
    ComplaintStatusChange,
    Dispatch,
    DispatchLine,
    Fault,
    FaultCallback,
    FaultCause,
    Inquiry,
    WorkOrder,
    WorkOrderCallback,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=SH)
TODAY = NOW.date()
MONTH = date(2026, 11, 1)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def month_data(xinyuan, qujiang, clerk, other_clerk, agent, installer, manager):
    cache.clear()  # the reports keep the satisfaction trend for a while
    call_command("loaddata", "tariffs", "calldesk_reference", verbosity=0)
    own = Carrier.objects.get(code="own")
    plan = BroadbandPlan.objects.get(name="自营20M包年")
    ll_plan = LandlinePlan.objects.get(is_default=True)
    cause_a, cause_b = FaultCause.objects.get(pk=1), FaultCause.objects.get(pk=2)
    root_1, root_2 = ComplaintRootCause.objects.get(pk=1), ComplaintRootCause.objects.get(pk=2)

    def customer(point, room, name, expires_on, state="active"):
        premises = Premises.objects.create(service_point=point, building=1, unit=1, room=room)
        subscriber = Subscriber.objects.create(name=name, service_point=point, home=premises,
                                               id_number=valid_id_number(room),
                                               mobile=f"1391234{room:04d}")
        account = BroadbandAccount.objects.create(
            subscriber=subscriber, premises=premises, service_point=point, carrier=own,
            account_name=f"{point.code}01010{room}", password="abc12345", plan=plan,
            state=state, expires_on=expires_on)
        return premises, subscriber, account

    p1, s1, a1 = customer(xinyuan, 101, "张伟", date(2026, 12, 1))       # expiring: in 11 days
    p2, s2, a2 = customer(xinyuan, 102, "李娜", date(2027, 3, 1))        # not expiring
    p3, s3, a3 = customer(qujiang, 103, "王强", date(2026, 11, 25))      # expiring (qj)
    p4, s4, a4 = customer(xinyuan, 104, "赵敏", date(2026, 11, 30))      # another fault line
    landline_low = LandlineAccount.objects.create(
        subscriber=s1, premises=p1, service_point=xinyuan, carrier=own, phone_number="68010101",
        plan=ll_plan, state="active", balance=Decimal("0.50"), alert_threshold=Decimal("1.00"))
    LandlineAccount.objects.create(
        subscriber=s2, premises=p2, service_point=xinyuan, carrier=own, phone_number="68010102",
        plan=ll_plan, state="active", balance=Decimal("5.00"), alert_threshold=Decimal("1.00"))

    # --- work orders ----------------------------------------------------------------------
    def order(point, premises, accepted, state, **kw):
        return WorkOrder.objects.create(
            kind="install", service_point=point, customer_name="客户", premises=premises,
            description="新装宽带", accepted_at=accepted, accepted_by=clerk, state=state, **kw)

    w1 = order(xinyuan, p1, at(11, 3), "archived", dispatched_at=at(11, 3, 14),
               due_at=at(11, 10), slip_received_at=at(11, 5), called_back_at=at(11, 6),
               archived_at=at(11, 7), satisfaction="satisfied", installer=installer)
    order(xinyuan, p2, at(11, 10), "dispatched", dispatched_at=at(11, 10, 11),
          due_at=at(11, 17), installer=installer)                      # overdue
    order(xinyuan, p4, at(11, 20, 9), "accepted")                       # today, awaiting
    w4 = order(qujiang, p3, at(11, 12), "returned", dispatched_at=at(11, 12, 11),
               due_at=at(11, 19), slip_received_at=at(11, 14), installer=installer)
    order(xinyuan, p1, at(10, 15), "archived", dispatched_at=at(10, 15, 11),
          due_at=at(10, 22), slip_received_at=at(10, 17), called_back_at=at(10, 18),
          archived_at=at(10, 19))                                       # October
    w6 = order(xinyuan, p4, at(11, 19), "dispatched", dispatched_at=at(11, 20, 9),
               due_at=at(11, 27), installer=installer)                 # dispatched today
    dispatch = Dispatch.objects.create(service_point=xinyuan, dispatched_at=at(11, 20, 9),
                                       dispatched_by=clerk, installer=installer,
                                       due_at=at(11, 27))
    DispatchLine.objects.create(dispatch=dispatch, order=w6, position=1)
    WorkOrderCallback.objects.create(order=w1, at=at(11, 6), by=clerk, result="confirmed",
                                     satisfaction="satisfied")
    WorkOrderCallback.objects.create(order=w4, at=at(11, 15), by=clerk, result="problem")

    # --- faults ---------------------------------------------------------------------------
    def fault(point, account, premises, reported, state, **kw):
        kw.setdefault("source", "customer")
        return Fault.objects.create(
            service_point=point, broadband_account=account,
            subscriber=account.subscriber if account else None, premises=premises,
            mark=point.fault_mark if point else "D180", service_type="broadband", state=state,
            description="上不了网", reported_at=reported, due_at=reported + timedelta(hours=12),
            received_by=agent, owner=agent, **kw)

    f1 = fault(xinyuan, a1, p1, at(11, 2, 8), "closed", first_fixed_at=at(11, 2, 15),
               fixed_at=at(11, 2, 15), cause=cause_a, satisfaction="satisfied",
               called_back_at=at(11, 3), closed_at=at(11, 3))
    f2 = fault(xinyuan, a1, p1, at(11, 5, 9), "closed", first_fixed_at=at(11, 6, 10),
               fixed_at=at(11, 7), cause=cause_a, satisfaction="dissatisfied",
               failed_callbacks=1, called_back_at=at(11, 8), closed_at=at(11, 8))  # late
    fault(xinyuan, a2, p2, at(11, 20, 8), "dispatched", dispatched_at=at(11, 20, 9))  # today
    fault(xinyuan, a1, p1, at(11, 19, 1), "new")                       # past its 12 hours
    fault(qujiang, a3, p3, at(11, 10), "fixed", first_fixed_at=at(11, 10, 16),
          fixed_at=at(11, 10, 16), cause=cause_b)
    desk = CarrierDesk.objects.get(source="telecom_180")
    f6 = fault(None, None, None, at(11, 11), "reply_owed", source="telecom_180",
               carrier_desk=desk, first_fixed_at=at(11, 11, 12), fixed_at=at(11, 11, 12),
               satisfaction="satisfied", called_back_at=at(11, 11, 13))
    fault(xinyuan, a4, p4, at(11, 8), "cancelled")                     # not counted
    fault(xinyuan, a4, p4, at(10, 20), "closed", first_fixed_at=at(10, 20, 12),
          fixed_at=at(10, 20, 12), closed_at=at(10, 21))               # October
    FaultCallback.objects.create(fault=f1, at=at(11, 3), by=agent, passed=True,
                                 satisfaction="satisfied")
    FaultCallback.objects.create(fault=f2, at=at(11, 6, 12), by=agent, passed=False,
                                 note="还是断网")
    FaultCallback.objects.create(fault=f2, at=at(11, 8), by=agent, passed=True,
                                 satisfaction="dissatisfied")
    FaultCallback.objects.create(fault=f6, at=at(11, 11, 13), by=agent, passed=True,
                                 satisfaction="satisfied")

    # --- complaints -----------------------------------------------------------------------
    def complaint(point, received, urgency_minutes, state, **kw):
        return Complaint.objects.create(
            service_point=point, kind="service_quality", state=state, complainant_name="客户",
            complainant_phone="13900000000", description="投诉", received_at=received,
            contact_due=received + timedelta(minutes=urgency_minutes),
            answer_due=received + timedelta(hours=48), received_by=agent, owner=agent, **kw)

    c1 = complaint(xinyuan, at(11, 3), 60, "closed", contacted_at=at(11, 3, 10, 30),
                   handled_at=at(11, 4), substantiated=True, root_cause=root_1,
                   complainant_count=2, satisfaction="satisfied", closed_at=at(11, 6),
                   close_reason="callback")
    complaint(xinyuan, at(11, 4), 60, "merged", primary=c1, contacted_at=at(11, 4, 10, 20))
    complaint(xinyuan, at(11, 15, 9), 15, "contacted", contacted_at=at(11, 15, 10))
    c4 = complaint(qujiang, at(11, 10, 9), 60, "handled", contacted_at=at(11, 10, 9, 30),
                   handled_at=at(11, 13), callback_due=at(11, 16), substantiated=False,
                   root_cause=root_2)
    complaint(xinyuan, at(10, 5), 60, "closed", contacted_at=at(10, 5, 10, 30),
              handled_at=at(10, 6), closed_at=at(10, 8), close_reason="settled",
              root_cause=root_1)                                        # October
    ComplaintStatusChange.objects.create(complaint=c1, from_state="contacted",
                                         to_state="handled", at=at(11, 4), by=agent)
    ComplaintStatusChange.objects.create(complaint=c4, from_state="contacted",
                                         to_state="handled", at=at(11, 13), by=agent)
    ComplaintCallback.objects.create(complaint=c1, at=at(11, 6), by=agent, outcome="satisfied",
                                     satisfaction="satisfied")

    # --- cases ----------------------------------------------------------------------------
    for day, level in ((5, "very_satisfied"), (6, "neutral")):
        Inquiry.objects.create(service_point=xinyuan, caller_name="客户", question="资费?",
                               phone="13900000001", received_at=at(11, day),
                               due_at=at(11, day + 3), state="answered", answer="已答复",
                               answered_at=at(11, day, 11), satisfaction=level,
                               received_by=agent, owner=agent)

    # --- receipts and closes --------------------------------------------------------------
    books = {p.pk: ReceiptBook.objects.create(service_point=p, series=f"{p.code.upper()}26",
                                              first_number=1, last_number=500, next_number=1,
                                              opened_by=manager)
             for p in (xinyuan, qujiang)}
    numbers = {xinyuan.pk: 0, qujiang.pk: 0}

    def receipt(point, by, when, amount, void=False):
        numbers[point.pk] += 1
        r = Receipt.objects.create(
            book=books[point.pk], number=numbers[point.pk], service_point=point,
            issued_on=when.date(), issued_at=when, issued_by=by, payer_name="客户",
            purpose="renewal", payment_method="cash", total=Decimal(amount),
            status="void" if void else "issued", voided_at=when if void else None,
            void_reason="填错金额" if void else "")
        ReceiptLine.objects.create(receipt=r, description="续费", unit_price=Decimal(amount),
                                   amount=Decimal(amount))
        return r

    receipt(xinyuan, clerk, at(11, 3), "100.00")
    receipt(xinyuan, clerk, at(11, 3, 11), "50.00", void=True)
    receipt(xinyuan, clerk, at(11, 20, 9), "30.00")                    # today
    receipt(qujiang, other_clerk, at(11, 12), "200.00")                # never closed
    receipt(xinyuan, clerk, at(10, 10), "80.00")                       # October
    DailyClose.objects.create(
        service_point=xinyuan, clerk=clerk, day=date(2026, 11, 3), closed_at=at(11, 3, 19, 40),
        receipt_count=1, cash_total=Decimal("100.00"), card_total=0, wechat_total=0,
        alipay_total=0, total=Decimal("100.00"), void_count=1, void_total=Decimal("50.00"),
        expected_cash=Decimal("100.00"), counted_cash=Decimal("100.00"), difference=0,
        is_late=True)
    DailyClose.objects.create(
        service_point=xinyuan, clerk=clerk, day=date(2026, 10, 10), closed_at=at(10, 10, 18),
        receipt_count=1, cash_total=Decimal("80.00"), card_total=0, wechat_total=0,
        alipay_total=0, total=Decimal("80.00"), void_count=0, void_total=0,
        expected_cash=Decimal("80.00"), counted_cash=Decimal("80.00"), difference=0)
    for user in (clerk, other_clerk, agent, installer, manager):
        assert user.role  # read the role (a cached query) before the counted queries
    return SimpleNamespace(xinyuan=xinyuan, qujiang=qujiang, a1=a1, a3=a3, p1=p1,
                           landline_low=landline_low, cause_a=cause_a, root_1=root_1)


def assert_hand_counted(report) -> None:
    """The monthly report of November 2026 at NOW, as counted by hand from month_data
    (its columns: November, October, November 2025)."""
    rows = {row.figure.key: [c.value for c in row.cells] for row in report.comparison}
    assert rows["orders"] == [5, 1, 0]
    assert rows["faults"] == [6, 1, 0]
    assert rows["faults_on_time_rate"] == [50.0, 100.0, None]  # F1, F5, F6 of 6
    assert rows["complaints"] == [3, 1, 0]
    assert rows["complainants"] == [4, 1, 0]
    assert rows["answer_on_time"] == [33.3, 100.0, None]
    assert rows["satisfaction"] == [71.4, None, None]
    assert [str(v) for v in rows["takings"]] == ["330.00", "80.00", "0.00"]
    assert rows["closes_missing"] == [1, 0, 0]
