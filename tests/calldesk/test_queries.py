"""At volume (a few thousand closed tickets, a handful open, as on a real desk) the queue's
and the lists' queries are served by their indexes, and the queue stays fast."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tickets.models import Complaint, Fault, FaultState, Inquiry
from tickets.models.calldesk import OPEN_FAULT_STATES, REPAIR_STATES
from tickets.selectors.calldesk import (
    calldesk_evidence,
    calldesk_statistics,
    desk_queue,
    substantiated_complaints_against,
)

CLOSED_FAULTS = 3000


@pytest.fixture
def volume(agent, installer, xinyuan, qujiang):
    """3000 closed faults over 90 days, 60 open ones, 600 complaints, 300 cases."""
    now = timezone.now()
    points = [xinyuan, qujiang, None]
    faults = []
    for n in range(CLOSED_FAULTS + 60):
        reported = now - timedelta(minutes=43 * n + 5)
        state = (FaultState.CLOSED if n >= 60 else
                 [FaultState.NEW, FaultState.DISPATCHED, FaultState.FIXED,
                  FaultState.REOPENED, FaultState.REPLY_OWED][n % 5])
        faults.append(Fault(
            # carrier desks' numbers: no subscriber needed for a bulk insert
            source="telecom_180" if n % 4 else "telecom_test_desk",
            mark="D180" if n % 4 else "DC",
            service_type="landline", state=state, service_point=points[n % 3],
            service_number=f"6801{n:04d}", contact_phone=f"1391234{n:04d}",
            description="无拨号音", reported_at=reported, due_at=reported + timedelta(hours=12),
            received_by=agent, owner=agent,
            repairer=installer if state == FaultState.DISPATCHED else None,
            fixed_at=reported + timedelta(hours=3) if state == FaultState.FIXED else None,
            called_back_at=reported + timedelta(hours=5)
            if state == FaultState.REPLY_OWED else None,
        ))
    Fault.objects.bulk_create(faults, batch_size=1000)
    Complaint.objects.bulk_create([Complaint(
        kind="service_quality", state="closed" if n >= 20 else ["received", "contacted",
                                                                "handled"][n % 3],
        complainant_name="王先生", complainant_phone=f"1380000{n:04d}", description="慢",
        received_at=now - timedelta(hours=3 * n), contact_due=now - timedelta(hours=3 * n - 1),
        answer_due=now - timedelta(hours=3 * n - 48), received_by=agent, owner=agent,
        handled_at=now - timedelta(hours=3 * n) if n % 3 == 2 or n >= 20 else None,
        callback_due=now - timedelta(hours=3 * n - 72) if n % 3 == 2 or n >= 20 else None,
    ) for n in range(600)])
    Inquiry.objects.bulk_create([Inquiry(
        state="answered" if n >= 10 else "open", caller_name="李女士", question="资费",
        phone=f"1370000{n:04d}", received_at=now - timedelta(hours=5 * n),
        due_at=now - timedelta(hours=5 * n - 72), received_by=agent, owner=agent,
    ) for n in range(300)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_fault, tickets_complaint, tickets_inquiry")
    return now


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_queue_and_list_queries_use_their_indexes(volume, installer):
    now = volume
    # The queues must read a partial index over the open faults only (which of them the
    # planner prefers for a dozen rows depends on its statistics); the lists their own.
    # fault_state_reported (the reports' index on state, reported_at) reaches the same rows by
    # state, so the planner may take it too; what must not happen is a scan of all faults.
    open_only = ["fault_open_state", "fault_state_reported"]
    expected = [
        (Fault.objects.filter(state__in=REPAIR_STATES).order_by("due_at", "pk")[:25],
         ["fault_repair_due", *open_only]),
        (Fault.objects.filter(state=FaultState.FIXED).order_by("fixed_at", "pk")[:25],
         ["fault_callback_wait", *open_only]),
        (Fault.objects.filter(state=FaultState.REPLY_OWED).order_by("called_back_at")[:25],
         ["fault_reply_owed", *open_only]),
        # any partial index on the open states serves the GROUP BY (all of them are small)
        (Fault.objects.filter(state__in=OPEN_FAULT_STATES).values("state").order_by(),
         ["fault_open_state", "fault_repair_due", "fault_one_open_per_landline",
          "fault_one_open_per_broadband"]),
        (Fault.objects.filter(state=FaultState.DISPATCHED, repairer=installer)
         .order_by("due_at")[:25], ["fault_repairer_due"]),
        (Fault.objects.order_by("-reported_at")[:51], ["fault_reported"]),
        (Fault.objects.filter(service_point_id=1).order_by("-reported_at")[:51],
         ["fault_sp_reported"]),
        (Fault.objects.filter(source="telecom_test_desk").order_by("-reported_at")[:51],
         ["fault_source_reported"]),
        (Fault.objects.filter(contact_phone__startswith="13912340"),
         ["fault_phone_prefix"]),
        (Complaint.objects.filter(state="handled", handled_at__lte=now),
         ["complaint_settling", "complaint_callback_due"]),
        (Inquiry.objects.filter(state="open").order_by("due_at")[:25], ["inquiry_open_due"]),
    ]
    wrong = []
    for queryset, indexes in expected:
        plan = _plan(queryset)
        if not any(re.search(rf"\b(?:on|using) {name}\b", plan) for name in indexes):
            wrong.append(f"{indexes}:\n{plan}")
    assert not wrong, "\n\n".join(wrong)


def test_the_queue_reads_only_open_work_fast(volume, agent, django_assert_num_queries):
    assert agent.role == "agent"
    desk_queue(agent)  # warm
    with django_assert_num_queries(8):
        queue = desk_queue(agent)
    assert queue.faults_to_repair == 36 and queue.callbacks_waiting == 12
    assert queue.replies_owed == 12 and len(queue.repair) == 25
    assert queue.repair[0].due_at <= queue.repair[-1].due_at  # overdue first


def test_the_scorecard_evidence_of_an_agent(agent, report, walk, clerk):
    fault = walk(report(), "called_back")
    month = timezone.localdate().replace(day=1)
    evidence = calldesk_evidence(agent, month)
    assert evidence == {"received": 1, "late": 0, "callbacks": 1,
                        "substantiated_complaints": 0}
    assert calldesk_evidence(agent, date(2020, 1, 1))["received"] == 0
    assert fault.received_by == agent
    assert substantiated_complaints_against(clerk, month).count() == 0


def test_the_statistics_page_reads_each_month_once_per_table(agent, report, walk,
                                                              django_assert_num_queries):
    """By mark, by cause, by satisfaction, by root cause: the totals are sums of the rows
    by mark and by root cause, not two more passes over the month."""
    walk(report(), "called_back")
    report()
    month = timezone.localdate().replace(day=1)
    assert agent.role == "agent"  # the role (a cached query) before the counted ones
    with django_assert_num_queries(4):
        stats = calldesk_statistics(agent, month)
    assert (stats.faults["total"], stats.faults["on_time"], stats.faults["late"]) == (2, 1, 0)
    assert stats.faults["on_time_rate"] == 50.0 and stats.faults["failed_callbacks"] == 0
    assert stats.complaints == {"total": 0, "complainants": 0, "substantiated": 0,
                                "closed": 0}
