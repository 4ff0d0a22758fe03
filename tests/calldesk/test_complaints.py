"""Complaints (投诉): escalation clocks, renegotiated deadlines, investigation by root cause,
the callback, merging the same complaint, closing a week after handling, and the
scorecard evidence; cases (咨询工单) answered within 3 days."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from tests.calldesk.conftest import sh
from tickets.models import (
    Complaint,
    ComplaintRootCause,
    ComplaintState,
    ComplaintStatusChange,
    InquiryState,
)
from tickets.selectors.calldesk import (
    calldesk_statistics,
    substantiated_complaints_against,
)
from tickets.services import calldesk as services
from tickets.services.calldesk import TransitionNotAllowed


@pytest.mark.parametrize(("urgency", "minutes"), [("critical", 15), ("high", 30),
                                                  ("normal", 60), ("low", 120)])
def test_urgency_sets_the_first_contact_clock_and_the_answer_is_due_in_48_hours(
        complaint, urgency, minutes):
    received = timezone.now() - timedelta(minutes=5)
    c = complaint(urgency=urgency, received_at=received)
    assert c.contact_due == received + timedelta(minutes=minutes)
    assert c.answer_due == received + timedelta(hours=48)
    assert c.complainant_name == "张伟"  # from the subscriber on file
    assert c.service_point.code == "dw"
    assert c.overdue_clocks(received + timedelta(minutes=minutes + 1)) == ["contact"]


def test_a_complaint_across_midnight_at_month_end(complaint, monkeypatch):
    received = sh(2026, 3, 31, 23, 50)
    monkeypatch.setattr(timezone, "now", lambda: received + timedelta(minutes=1))
    c = complaint(urgency="critical", received_at=received)
    assert timezone.localtime(c.contact_due) == sh(2026, 4, 1, 0, 5)
    assert timezone.localtime(c.answer_due) == sh(2026, 4, 2, 23, 50)


def test_a_renegotiated_deadline_becomes_the_clock_and_keeps_its_history(complaint, agent):
    c = complaint()
    first = c.answer_due
    new_due = timezone.now() + timedelta(days=4)
    c = services.complaint_reschedule(user=agent, complaint=c, new_due=new_due,
                                      reason="需要电信配合,与用户约定延期")
    c = services.complaint_reschedule(user=agent, complaint=c,
                                      new_due=new_due + timedelta(days=1), reason="再延一天")
    assert c.answer_due == new_due + timedelta(days=1)
    assert [(d.old_due, d.new_due) for d in c.deadline_changes.all()] == [
        (first, new_due), (new_due, new_due + timedelta(days=1))]
    with pytest.raises(ValidationError) as exc:
        services.complaint_reschedule(user=agent, complaint=c,
                                      new_due=timezone.now() - timedelta(hours=1), reason="x")
    assert "new_due" in exc.value.message_dict


def test_handling_needs_a_root_cause_and_a_staff_complaint_names_the_staff(
        complaint, agent, root_cause, clerk):
    c = complaint(kind="staff_attitude")
    with pytest.raises(ValidationError) as exc:
        services.complaint_handle(user=agent, complaint=c, substantiated=None,
                                  root_cause=None, result="")
    assert set(exc.value.message_dict) == {"substantiated", "root_cause", "result"}
    with pytest.raises(ValidationError) as exc, override("zh-hans"):
        services.complaint_handle(user=agent, complaint=c, substantiated=True,
                                  root_cause=root_cause, result="属实,已批评教育")
    assert "计入其考评" in exc.value.message_dict["against_staff"][0]

    c = services.complaint_handle(user=agent, complaint=c, substantiated=True,
                                  root_cause=root_cause, result="属实,已批评教育",
                                  against_staff=clerk)
    assert c.state == ComplaintState.HANDLED
    assert c.contacted_at == c.handled_at  # answered at once: contacted then too
    assert c.callback_due == c.handled_at + timedelta(days=3)


def test_the_callback_closes_a_satisfied_complaint_and_reopens_an_unsatisfied_one(
        complaint, agent, root_cause):
    c = complaint()
    c = services.complaint_contact(user=agent, complaint=c, note="已联系")
    with pytest.raises(TransitionNotAllowed) as exc, override("zh-hans"):
        services.complaint_callback_record(user=agent, complaint=c, outcome="satisfied",
                                           satisfaction="satisfied")
    assert "答复后才能回访投诉人" in exc.value.messages[0]
    c = services.complaint_handle(user=agent, complaint=c, substantiated=False,
                                  root_cause=root_cause, result="已解释")

    c = services.complaint_callback_record(user=agent, complaint=c, outcome="unreachable")
    assert c.state == ComplaintState.HANDLED  # an attempt, nothing more
    c = services.complaint_callback_record(user=agent, complaint=c, outcome="dissatisfied",
                                           note="要求领导回复")
    assert c.state == ComplaintState.CONTACTED and c.handled_at is None
    c = services.complaint_handle(user=agent, complaint=c, substantiated=False,
                                  root_cause=root_cause, result="经理已回电说明")
    c = services.complaint_callback_record(user=agent, complaint=c, outcome="satisfied",
                                           satisfaction="satisfied")
    assert c.state == ComplaintState.CLOSED and c.close_reason == "callback"
    assert c.callbacks.count() == 3
    assert [s.to_state for s in c.status_changes.all()] == [
        "received", "contacted", "handled", "contacted", "handled", "closed"]


def test_merged_complaints_count_once_with_their_complainants(complaint, agent, make_customer,
                                                              root_cause):
    primary = complaint(description="小区断网一整天")
    others = [complaint(subscriber=make_customer(room=600 + n)[0], description="断网")
              for n in range(3)]
    # one of them had already absorbed another
    services.complaint_merge(user=agent, complaint=others[2], into=others[1])
    services.complaint_merge(user=agent, complaint=others[0], into=primary)
    primary = services.complaint_merge(user=agent, complaint=others[1], into=primary)

    assert primary.complainant_count == 4
    assert set(Complaint.objects.filter(primary=primary)) == set(others)
    with pytest.raises(ValidationError):
        services.complaint_merge(user=agent, complaint=primary, into=others[0])

    services.complaint_handle(user=agent, complaint=primary, substantiated=True,
                              root_cause=root_cause, result="光缆被挖断,已抢修")
    month = timezone.localdate().replace(day=1)
    stats = calldesk_statistics(agent, month)
    assert stats.complaints["total"] == 1
    assert stats.complaints["complainants"] == 4
    assert stats.complaints_by_root_cause == [
        {"root_cause__name": "服务态度", "total": 1, "complainants": 4, "substantiated": 1}]


def test_a_repeat_complaint_reopens_an_answered_one(complaint, agent, root_cause, make_customer):
    primary = complaint()
    primary = services.complaint_handle(user=agent, complaint=primary, substantiated=False,
                                        root_cause=root_cause, result="已解释")
    repeat = complaint(subscriber=make_customer(room=701)[0])
    primary = services.complaint_merge(user=agent, complaint=repeat, into=primary)
    assert primary.state == ComplaintState.CONTACTED
    assert primary.handled_at is None and primary.complainant_count == 2


def test_statistics_classify_by_root_cause_not_by_the_customers_words(complaint, agent,
                                                                      reference):
    network = ComplaintRootCause.objects.get(name="网络质量")
    attitude = ComplaintRootCause.objects.get(name="服务态度")
    for kind, cause in [("staff_attitude", network), ("service_quality", network),
                        ("service_quality", attitude)]:
        c = complaint(kind=kind)
        services.complaint_handle(user=agent, complaint=c, substantiated=False,
                                  root_cause=cause, result="核实")
    complaint()  # not investigated yet
    stats = calldesk_statistics(agent, timezone.localdate().replace(day=1))
    assert [(r["root_cause__name"], r["total"]) for r in stats.complaints_by_root_cause] == [
        ("网络质量", 2), ("服务态度", 1), (None, 1)]


def test_close_settled_complaints_closes_a_week_after_handling_and_is_idempotent(
        complaint, agent, root_cause):
    handled = timezone.now() - timedelta(days=2)
    old = complaint(received_at=handled - timedelta(hours=1))
    old = services.complaint_handle(user=agent, complaint=old, substantiated=False,
                                    root_cause=root_cause, result="已解释", at=handled)
    fresh = complaint()
    fresh = services.complaint_handle(user=agent, complaint=fresh, substantiated=False,
                                      root_cause=root_cause, result="已解释")

    assert services.close_settled_complaints(now=handled + timedelta(days=6, hours=23)) == 0
    later = handled + timedelta(days=7, minutes=1)
    assert services.close_settled_complaints(now=later) == 1
    assert services.close_settled_complaints(now=later) == 0  # safe to run again

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.state == ComplaintState.CLOSED and old.close_reason == "settled"
    assert old.closed_at == handled + timedelta(days=7)
    assert fresh.state == ComplaintState.HANDLED
    change = ComplaintStatusChange.objects.filter(complaint=old).last()
    assert change.by is None and change.to_state == "closed"


def test_the_command_reports_what_it_closed(complaint, agent, root_cause):
    c = complaint(received_at=timezone.now() - timedelta(days=2))
    services.complaint_handle(user=agent, complaint=c, substantiated=False,
                              root_cause=root_cause, result="已解释",
                              at=timezone.now() - timedelta(days=2))
    Complaint.objects.filter(pk=c.pk).update(handled_at=timezone.now() - timedelta(days=8))
    out = StringIO()
    call_command("close_settled_complaints", stdout=out)
    assert "1" in out.getvalue()
    c.refresh_from_db()
    assert c.state == ComplaintState.CLOSED


def test_substantiated_complaints_against_a_member_of_staff_by_month(
        complaint, agent, clerk, root_cause, make_customer, monkeypatch):
    def handle(at, substantiated=True, staff=clerk, subscriber=None):
        monkeypatch.setattr(timezone, "now", lambda: at)
        c = complaint(kind="staff_attitude", against_staff=staff, received_at=at,
                      **({"subscriber": subscriber} if subscriber else {}))
        return services.complaint_handle(user=agent, complaint=c,
                                         substantiated=substantiated,
                                         root_cause=root_cause, result="核实", at=at)

    in_march = handle(sh(2026, 3, 31, 23, 30))
    handle(sh(2026, 4, 1, 0, 10))  # April in Shanghai, still March 31 in UTC
    handle(sh(2026, 3, 10, 9, 0), substantiated=False)
    handle(sh(2026, 3, 11, 9, 0), staff=agent)
    merged = handle(sh(2026, 3, 12, 9, 0))
    Complaint.objects.filter(pk=merged.pk).update(state="merged", primary=in_march)

    march = substantiated_complaints_against(clerk, date(2026, 3, 1))
    assert list(march) == [in_march]
    assert substantiated_complaints_against(clerk, date(2026, 4, 1)).count() == 1


def test_a_case_is_answered_within_three_days_by_a_callback(agent, customer):
    inquiry = services.inquiry_open(user=agent, caller_name="", phone="", subscriber=customer[0],
                                    question="包年到期后能否改 50M")
    assert inquiry.due_at == inquiry.received_at + timedelta(days=3)
    assert inquiry.caller_name == "张伟" and inquiry.place.endswith("1#-2-502")
    assert not inquiry.is_overdue()
    assert inquiry.is_overdue(inquiry.received_at + timedelta(days=3, seconds=1))
    with pytest.raises(ValidationError):
        services.inquiry_answer(user=agent, inquiry=inquiry, answer=" ")
    inquiry = services.inquiry_answer(user=agent, inquiry=inquiry, answer="可以,到期时办理",
                                      satisfaction="satisfied")
    assert inquiry.state == InquiryState.ANSWERED
    with pytest.raises(TransitionNotAllowed):
        services.inquiry_answer(user=agent, inquiry=inquiry, answer="再答一次")
    with pytest.raises(TransitionNotAllowed):
        services.matter_hand_over(user=agent, matter=inquiry, to_user=agent, note="x")
