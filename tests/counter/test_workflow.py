"""Dispatch (下发工单), return (回单), callback (回访), carrier report and archive."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import BroadbandAccount
from servicedesk.roles import Role
from tests.counter.conftest import at
from tests.factories import UserFactory
from tickets.models import Dispatch, WorkOrder
from tickets.services import workorders as wo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def dispatched(install, clerk, installer):
    orders = [install(n=n) for n in (1, 2, 3)]
    dispatch = wo.workorders_dispatch(user=clerk, orders=orders, installer=installer,
                                      now=at("2026-03-10", "16:00"))
    return dispatch, [WorkOrder.objects.get(pk=o.pk) for o in orders]


def test_dispatch_hands_orders_to_the_installer_with_a_due_date(dispatched, installer):
    dispatch, orders = dispatched
    assert [line.order_id for line in dispatch.lines.all()] == [o.pk for o in orders]
    for order in orders:
        assert order.state == "dispatched" and order.installer == installer
        assert order.due_at == at("2026-03-17", "16:00")  # 7 days, the install time limit
    assert WorkOrder.objects.overdue(now=at("2026-03-17", "16:01")).count() == 3
    assert WorkOrder.objects.overdue(now=at("2026-03-17", "15:59")).count() == 0
    # the installer sees only what was dispatched to them
    other = UserFactory(username="t_inst2", role=Role.INSTALLER)
    assert WorkOrder.objects.restrict(installer).count() == 3
    assert WorkOrder.objects.restrict(other).count() == 0
    assert Dispatch.objects.restrict(other).count() == 0


def test_the_time_limit_is_a_setting(install, clerk, settings):
    settings.INSTALL_TIME_LIMIT_DAYS = 3
    dispatch = wo.workorders_dispatch(user=clerk, orders=[install()], installer_name="王师傅",
                                      now=at("2026-03-10", "16:00"))
    assert dispatch.due_at == at("2026-03-13", "16:00")
    assert dispatch.installer_label == "王师傅"


def test_dispatch_refuses_orders_not_waiting_and_non_installers(dispatched, clerk, agent,
                                                                install):
    _dispatch, orders = dispatched
    with pytest.raises(ValidationError, match="Only accepted orders"):
        wo.workorders_dispatch(user=clerk, orders=orders[:1], installer_name="x")
    with pytest.raises(ValidationError) as not_installer:
        wo.workorders_dispatch(user=clerk, orders=[install(n=9)], installer=agent)
    assert "installer" in not_installer.value.message_dict
    with pytest.raises(ValidationError) as nobody:
        wo.workorders_dispatch(user=clerk, orders=[install(n=8)])
    assert "installer" in nobody.value.message_dict


def test_another_service_point_cannot_dispatch(install, other_clerk):
    with pytest.raises(ValidationError, match="own service point"):
        wo.workorders_dispatch(user=other_clerk, orders=[install()], installer_name="x")


def test_return_activates_the_accounts_then_callback_then_archive(dispatched, clerk):
    _dispatch, orders = dispatched
    order = orders[0]
    with pytest.raises(ValidationError, match="signed slip"):
        wo.workorder_archive(user=clerk, order=order)
    wo.workorder_return(user=clerk, order=order, installed_on=date(2026, 3, 12),
                        now=at("2026-03-12", "17:00"))
    order.refresh_from_db()
    assert order.state == "returned" and order.slip_received_by == clerk
    account = BroadbandAccount.objects.get(pk=order.broadband_id)
    assert account.state == "active" and account.starts_on == date(2026, 3, 17)
    with pytest.raises(ValidationError, match="called back"):
        wo.workorder_archive(user=clerk, order=order)

    wo.workorder_callback_record(user=clerk, order=order, result="not_reached",
                                 now=at("2026-03-13", "10:00"))
    assert WorkOrder.objects.get(pk=order.pk).state == "returned"
    with pytest.raises(ValidationError) as no_satisfaction:
        wo.workorder_callback_record(user=clerk, order=order, result="confirmed")
    assert "satisfaction" in no_satisfaction.value.message_dict
    wo.workorder_callback_record(user=clerk, order=order, result="confirmed",
                                 satisfaction="very_satisfied", now=at("2026-03-13", "15:00"))
    order.refresh_from_db()
    assert order.state == "called_back" and order.satisfaction == "very_satisfied"
    assert order.callbacks.count() == 2

    wo.workorder_archive(user=clerk, order=order, now=at("2026-03-13", "15:05"))
    order.refresh_from_db()
    assert order.state == "archived"
    assert list(order.status_changes.values_list("to_state", flat=True)) == [
        "accepted", "dispatched", "returned", "called_back", "archived"]
    assert all(change.by == clerk for change in order.status_changes.all())


def test_a_callback_finding_a_problem_sends_the_order_back_to_dispatch(dispatched, clerk):
    _dispatch, orders = dispatched
    order = orders[1]
    wo.workorder_return(user=clerk, order=order, now=at("2026-03-12", "17:00"))
    with pytest.raises(ValidationError) as no_note:
        wo.workorder_callback_record(user=clerk, order=order, result="problem")
    assert "note" in no_note.value.message_dict
    wo.workorder_callback_record(user=clerk, order=order, result="problem", note="上不了网")
    assert WorkOrder.objects.get(pk=order.pk).state == "accepted"
    wo.workorders_dispatch(user=clerk, orders=[order], installer_name="李师傅")
    assert order.dispatch_lines.count() == 2


def test_the_database_refuses_an_archive_without_slip_and_callback(install):
    order = install()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(state="archived")


def test_the_transition_map_refuses_skipping_steps(install, clerk):
    order = install()
    with pytest.raises(ValidationError, match="cannot become"):
        wo.workorder_return(user=clerk, order=order)
    with pytest.raises(ValidationError, match="signed return"):
        wo.workorder_callback_record(user=clerk, order=order, result="confirmed",
                                     satisfaction="satisfied")


def test_a_return_date_cannot_be_in_the_future(dispatched, clerk):
    _dispatch, orders = dispatched
    with pytest.raises(ValidationError) as error:
        wo.workorder_return(user=clerk, order=orders[0], installed_on=date(2026, 3, 20),
                            now=at("2026-03-12"))
    assert "installed_on" in error.value.message_dict


def test_recall_and_cancel(dispatched, clerk, manager):
    _dispatch, orders = dispatched
    wo.workorder_recall(user=clerk, order=orders[2])
    assert WorkOrder.objects.get(pk=orders[2].pk).state == "accepted"
    wo.workorder_cancel(user=manager, order=orders[2], reason="用户搬家, 不装了")
    order = WorkOrder.objects.get(pk=orders[2].pk)
    assert order.state == "cancelled"
    assert BroadbandAccount.objects.get(pk=order.broadband_id).state == "closed"


# --- carrier orders --------------------------------------------------------------------------


def test_a_carrier_fax_goes_through_to_the_report_back(clerk, xinyuan, telecom, installer):
    batch = wo.carrier_batch_register(
        user=clerk, service_point=xinyuan, carrier=telecom, fax_ref="电信 0310-02",
        orders=[
            {"customer_name": "刘强", "contact_phone": "13800001111", "building": 3, "unit": 1,
             "room": 1201, "services": ["broadband"], "carrier_ref": "XA20260310-77"},
            {"customer_name": "陈红", "building": 5, "unit": 2, "room": 302,
             "services": ["broadband", "landline"], "carrier_account": "88831234"},
        ], now=at("2026-03-10", "09:00"))
    assert batch.order_count == 2 and batch.orders.count() == 2
    wo.carrier_batch_acknowledge(user=clerk, batch=batch)
    with pytest.raises(ValidationError, match="already acknowledged"):
        wo.carrier_batch_acknowledge(user=clerk, batch=batch)

    order = batch.orders.order_by("pk").first()
    assert order.source == "carrier" and order.premises.label == "3#-1-1201"
    wo.workorders_dispatch(user=clerk, orders=[order], installer=installer)
    wo.workorder_return(user=clerk, order=order)
    wo.workorder_callback_record(user=clerk, order=order, result="confirmed",
                                 satisfaction="satisfied")
    with pytest.raises(ValidationError, match="carrier first"):
        wo.workorder_archive(user=clerk, order=order)
    wo.workorder_report_to_carrier(user=clerk, order=order)
    wo.workorder_archive(user=clerk, order=order)
    assert WorkOrder.objects.get(pk=order.pk).state == "archived"


def test_a_carrier_batch_with_a_bad_order_saves_nothing(clerk, xinyuan, telecom, own):
    with pytest.raises(ValidationError, match="Order 2"):
        wo.carrier_batch_register(user=clerk, service_point=xinyuan, carrier=telecom, orders=[
            {"customer_name": "刘强", "building": 3, "unit": 1, "room": 1201,
             "services": ["broadband"]},
            {"customer_name": "陈红", "building": 500, "unit": 2, "room": 302,
             "services": ["landline"]},
        ])
    assert not WorkOrder.objects.exists()
    with pytest.raises(ValidationError):
        wo.carrier_batch_register(user=clerk, service_point=xinyuan, carrier=own,
                                  orders=[{"customer_name": "x", "building": 1, "unit": 1,
                                           "room": 1, "services": ["broadband"]}])


def test_own_orders_are_not_reported_to_a_carrier(dispatched, clerk):
    _dispatch, orders = dispatched
    with pytest.raises(ValidationError, match="Only carrier orders"):
        wo.workorder_report_to_carrier(user=clerk, order=orders[0])


def test_overdue_is_relative_to_now(dispatched):
    assert WorkOrder.objects.overdue(now=at("2026-03-10") + timedelta(days=30)).count() == 3
