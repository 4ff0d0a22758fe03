"""Faults (障碍): logging with the handbook's marks and 12-hour deadline, dispatch, ✓, the
callback loop ☆ / ×, the carrier reply, refusals, history rows and ownership."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from servicedesk.models import ServicePoint
from tests.calldesk.conftest import sh
from tests.factories import ServicePointFactory
from tickets.models import CarrierDesk, Fault, FaultState, HandOver
from tickets.services import calldesk as services
from tickets.services.calldesk import TransitionNotAllowed, fault_mark_for


@pytest.mark.parametrize(("point", "room", "mark"), [("dw", 502, "X"), ("qj", 301, "Q"),
                                                     ("rq", 1102, "R")])
def test_a_customer_fault_is_marked_by_compound_and_due_in_12_hours(
        make_customer, agent, point, room, mark):
    _subscriber, broadband, _line = make_customer(point=point, room=room)
    reported = timezone.now() - timedelta(minutes=30)

    fault = services.fault_report(user=agent, source="customer", account=broadband,
                                  description="上不了网", reported_at=reported)

    assert fault.mark == mark
    assert str(fault) == f"{mark}-{fault.pk:05d}"
    assert fault.due_at == reported + timedelta(hours=12)
    assert fault.state == FaultState.NEW
    assert fault.service_type == "broadband"
    assert fault.owner == agent and fault.received_by == agent
    assert fault.contact_phone == "13912345678"  # the subscriber's mobile on file
    assert fault.address.endswith(f"1#-2-{room}")
    assert [(c.from_state, c.to_state) for c in fault.status_changes.all()] == [("", "new")]


@pytest.mark.parametrize(("source", "mark"), [("telecom_180", "D180"),
                                              ("telecom_test_desk", "DC")])
def test_a_carrier_desk_may_report_a_number_not_in_our_register(reference, agent, source,
                                                                mark):
    fault = services.fault_report(
        user=agent, source=source, service_type="landline", service_number="88831234",
        address="金辉社区 12#-1-301", reported_by="180 王工", description="无拨号音")

    assert fault.mark == mark
    assert fault.subscriber is None
    assert fault.contact_phone == "88831234"  # a landline fault is called back on its line
    assert fault.carrier_desk == CarrierDesk.objects.get(source=source)


def test_a_typed_number_needs_the_number_and_the_address(reference, agent):
    with pytest.raises(ValidationError) as exc:
        services.fault_report(user=agent, source="telecom_180", service_type="landline",
                              description="无拨号音")
    assert set(exc.value.message_dict) == {"service_number", "address"}


def test_a_customer_fault_needs_an_account_of_ours(reference, agent):
    with pytest.raises(ValidationError) as exc, override("zh-hans"):
        services.fault_report(user=agent, source="customer", service_type="broadband",
                              description="上不了网", service_number="x", address="y")
    assert exc.value.message_dict["account"] == ["请选择用户报修的账户。"]
    assert not Fault.objects.exists()


def test_the_same_account_cannot_have_two_open_faults(report):
    first = report()
    with pytest.raises(ValidationError) as exc, override("zh-hans"):
        report(description="还是上不了网")
    assert str(first) in exc.value.message_dict["account"][0]
    assert Fault.objects.count() == 1


def test_a_closed_fault_frees_the_account_for_the_next_one(report, walk):
    walk(report(), "called_back")
    assert report().state == FaultState.NEW


def test_the_report_time_may_be_copied_from_the_log_book_but_not_from_the_future(report):
    with pytest.raises(ValidationError) as exc:
        report(reported_at=timezone.now() + timedelta(hours=1))
    assert "reported_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        report(reported_at=timezone.now() - timedelta(days=4))
    assert "reported_at" in exc.value.message_dict


def test_a_landline_fault_takes_its_service_type_from_the_account(make_customer, agent):
    _s, _bb, line = make_customer(landline="68012345")
    fault = services.fault_report(user=agent, source="customer", account=line,
                                  description="无拨号音")
    assert fault.service_type == "landline"
    assert fault.service_number == "68012345"


def test_a_new_compound_uses_the_mark_a_manager_keeps_on_file(db):
    point = ServicePointFactory(code="jh", fault_mark="J")
    assert fault_mark_for("customer", point) == "J"
    assert fault_mark_for("customer", ServicePoint.objects.get(code="dw")) == "X"
    assert fault_mark_for("telecom_180", None) == "D180"


def test_the_full_loop_with_a_failed_callback_keeps_the_original_deadline(
        report, walk, agent, office, installer, cause):
    reported = timezone.now() - timedelta(hours=20)
    fault = report(reported_at=reported)
    due = fault.due_at
    fault = walk(fault, "fixed")
    assert fault.state == FaultState.FIXED and fault.fixed_at is not None
    first_fix = fault.first_fixed_at

    fault = services.fault_callback_record(user=agent, fault=fault, passed=False,
                                           note="还是掉线")
    assert fault.state == FaultState.REOPENED
    assert fault.failed_callbacks == 1
    assert fault.fixed_at is None and fault.callback_note == "还是掉线"
    assert fault.reported_at == reported and fault.due_at == due  # the clock is not reset
    assert fault.is_overdue()

    fault = services.fault_dispatch(user=agent, fault=fault, maintenance_office=office,
                                    repairer=installer, note="再去看一下")
    fault = services.fault_fix(user=installer, fault=fault, cause=cause)
    assert fault.first_fixed_at == first_fix
    fault = services.fault_callback_record(user=agent, fault=fault, passed=True,
                                           satisfaction="very_satisfied")

    assert fault.state == FaultState.CLOSED  # a customer's fault needs no carrier reply
    assert fault.satisfaction == "very_satisfied" and fault.closed_at is not None
    assert fault.dispatch_count == 2
    assert [c.to_state for c in fault.status_changes.all()] == [
        "new", "dispatched", "fixed", "reopened", "dispatched", "fixed", "closed"]
    assert [c.passed for c in fault.callbacks.all()] == [False, True]
    assert all(c.by_id for c in fault.status_changes.all())


def test_a_carrier_fault_waits_for_the_reply_to_its_desk(reference, agent, walk):
    fault = services.fault_report(
        user=agent, source="telecom_test_desk", service_type="landline",
        service_number="88830001", address="融侨城 3#-1-1201", description="线路测试不通")
    fault = walk(fault, "called_back")
    assert fault.state == FaultState.REPLY_OWED

    fault = services.fault_carrier_reply(user=agent, fault=fault, note="刘工接听")

    assert fault.state == FaultState.CLOSED
    assert fault.replied_to == "88218050"  # handbook §2.2.2: 测量台障碍修好后回复 88218050
    assert fault.status_changes.last().note.startswith("电信测量台 · 88218050")


@pytest.mark.parametrize("state", ["new", "dispatched"])
def test_a_callback_before_the_repairers_tick_is_refused_in_chinese(report, walk, agent,
                                                                    state):
    fault = report()
    if state == "dispatched":
        fault = walk(fault, "dispatched")
    with pytest.raises(TransitionNotAllowed) as exc, override("zh-hans"):
        services.fault_callback_record(user=agent, fault=fault, passed=True,
                                       satisfaction="satisfied")
    assert "维修人说修好(✓)后才能回访" in exc.value.messages[0]
    fault.refresh_from_db()
    assert fault.state == state and not fault.callbacks.exists()


def test_closing_a_carrier_fault_without_a_callback_is_refused(reference, agent, walk):
    fault = services.fault_report(user=agent, source="telecom_180", service_type="broadband",
                                  service_number="029001", address="馨苑 2#-1-101",
                                  contact_phone="13800001111", description="掉线")
    fault = walk(fault, "fixed")
    with pytest.raises(TransitionNotAllowed) as exc, override("zh-hans"):
        services.fault_carrier_reply(user=agent, fault=fault)
    assert "回访通过后才能回复运营商台席" in exc.value.messages[0]


def test_a_passed_callback_needs_the_satisfaction_and_a_failed_one_a_note(report, walk, agent):
    fault = walk(report(), "fixed")
    with pytest.raises(ValidationError) as exc:
        services.fault_callback_record(user=agent, fault=fault, passed=True)
    assert "satisfaction" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.fault_callback_record(user=agent, fault=fault, passed=False)
    assert "note" in exc.value.message_dict
    fault.refresh_from_db()
    assert fault.state == FaultState.FIXED


def test_an_installer_marks_fixed_only_what_is_dispatched_to_them(report, walk, installer_qj,
                                                                  cause):
    fault = walk(report(), "dispatched")
    with pytest.raises(TransitionNotAllowed):
        services.fault_fix(user=installer_qj, fault=fault, cause=cause)


def test_dispatch_needs_an_office_and_an_installer_or_a_name(report, agent, office, clerk):
    fault = report()
    with pytest.raises(ValidationError) as exc:
        services.fault_dispatch(user=agent, fault=fault, maintenance_office=None)
    assert "maintenance_office" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.fault_dispatch(user=agent, fault=fault, maintenance_office=office,
                                repairer=clerk)
    assert "repairer" in exc.value.message_dict
    fault = services.fault_dispatch(user=agent, fault=fault, maintenance_office=office,
                                    repairer_name="电信 马师傅")
    assert fault.repairer_label == "电信 马师傅"


def test_a_fixed_fault_cannot_be_cancelled_it_closes_by_its_callback(report, walk, agent):
    fault = walk(report(), "fixed")
    with pytest.raises(TransitionNotAllowed):
        services.fault_cancel(user=agent, fault=fault, reason="重复")
    fault = report(account=None, source="telecom_180", service_type="landline",
                   service_number="88839999", address="馨苑 9#-1-101")
    fault = services.fault_cancel(user=agent, fault=fault, reason="重复登记")
    assert fault.state == FaultState.CANCELLED


def test_the_fix_time_cannot_precede_the_dispatch(report, walk, installer, cause):
    fault = walk(report(reported_at=timezone.now() - timedelta(hours=3)), "dispatched")
    with pytest.raises(ValidationError) as exc:
        services.fault_fix(user=installer, fault=fault, cause=cause,
                           at=fault.dispatched_at - timedelta(minutes=5))
    assert "at" in exc.value.message_dict


def test_the_owner_hands_a_fault_over_with_a_note(report, agent, agent2, manager):
    fault = report()
    with pytest.raises(TransitionNotAllowed):
        services.matter_hand_over(user=agent2, matter=fault, to_user=agent2, note="我来")
    with pytest.raises(ValidationError) as exc:
        services.matter_hand_over(user=agent, matter=fault, to_user=agent2, note="")
    assert "note" in exc.value.message_dict

    fault = services.matter_hand_over(user=agent, matter=fault, to_user=agent2,
                                      note="下班交接,用户下午在家")

    assert fault.owner == agent2 and fault.received_by == agent
    hand_over = HandOver.objects.get(fault=fault)
    assert (hand_over.from_owner, hand_over.to_owner, hand_over.by) == (agent, agent2, agent)
    # a manager may move anyone's matter
    services.matter_hand_over(user=manager, matter=fault, to_user=agent, note="经理调整")
    assert HandOver.objects.filter(fault=fault).count() == 2


def test_a_matter_cannot_be_handed_to_someone_who_cannot_work_it(report, agent, installer):
    with pytest.raises(ValidationError) as exc:
        services.matter_hand_over(user=agent, matter=report(), to_user=installer, note="x")
    assert "to_user" in exc.value.message_dict


@pytest.mark.parametrize(("reported", "due"), [
    (sh(2026, 1, 31, 18, 30), sh(2026, 2, 1, 6, 30)),    # across midnight and month end
    (sh(2026, 12, 31, 23, 59), sh(2027, 1, 1, 11, 59)),  # and year end
    (sh(2028, 2, 28, 20, 0), sh(2028, 2, 29, 8, 0)),     # leap day
])
def test_deadlines_in_shanghai_time_across_midnight_and_month_ends(report, reported, due,
                                                                   monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: reported + timedelta(minutes=1))
    fault = report(reported_at=reported)
    assert timezone.localtime(fault.due_at) == due
    fault.refresh_from_db()
    assert timezone.localtime(fault.due_at).strftime("%Y-%m-%d %H:%M") == \
        due.strftime("%Y-%m-%d %H:%M")


def test_fault_actions_follow_the_transition_map(report, walk, agent, clerk, installer):
    fault = report()
    assert services.fault_actions(fault, agent) == {"dispatch", "cancel", "hand_over"}
    assert services.fault_actions(fault, clerk) == set()
    fault = walk(fault, "dispatched")
    assert services.fault_actions(fault, installer) == {"fix"}
    fault = walk(fault, "fixed")
    assert services.fault_actions(fault, agent) == {"callback", "hand_over"}
    fault = walk(fault, "called_back")
    assert services.fault_actions(fault, agent) == set()
