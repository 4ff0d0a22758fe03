"""The install order: one transaction from the registration to the receipt."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from accounts.models import (
    AccountStateChange,
    BroadbandAccount,
    LandlineAccount,
    Premises,
    SerialCounter,
    Subscriber,
)
from billing.models import BalanceEntry, Receipt, ReceiptBook
from tests.counter.conftest import at, id_number, new_key
from tickets.models import WorkOrder, WorkOrderStatusChange
from tickets.services import workorders as wo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_new_broadband_order_registers_pays_and_creates_everything(install, clerk):
    order = install(opened_at=at("2026-03-10", "09:58"))
    account = order.broadband
    assert account.state == "pending"
    assert account.account_name == "dw0120501"
    assert account.registration_serial == "DW20260310001" == order.registration_serials
    assert account.starts_on == date(2026, 3, 17)  # accepted + 7 days
    assert account.expires_on == date(2027, 3, 16)
    assert order.subscriber.name == "张伟1" and order.subscriber.home == order.premises
    receipt = order.receipt
    assert (receipt.number, receipt.total, receipt.payment_method) == (1, Decimal("700"), "cash")
    assert receipt.reference == "DW20260310001"
    assert "自营20M包年" in receipt.lines.get().description
    assert "2026-03-17" in receipt.lines.get().description
    assert order.state == "accepted" and order.accepted_by == clerk
    assert order.transaction_seconds == 120
    assert list(order.status_changes.values_list("to_state", flat=True)) == ["accepted"]


@pytest.mark.parametrize(("day", "first_month"), [("2026-03-14", "23.00"),
                                                   ("2026-03-15", "11.50")])
def test_a_unicom_line_pays_its_first_month_with_the_prepayment(install, unicom,
                                                               default_ll_plan, day,
                                                               first_month):
    order = install(broadband_plan=None, landline_carrier=unicom, landline_plan=default_ll_plan,
                    phone_number="68690001", prepaid_credit=Decimal("50"), now=at(day))
    lines = list(order.receipt.lines.values_list("code", "amount"))
    assert lines == [("first_month", Decimal(first_month)), ("prepaid", Decimal("50.00"))]
    assert order.receipt.total == Decimal(first_month) + 50
    line = LandlineAccount.objects.get(pk=order.landline_id)
    assert line.balance == Decimal("50.00")  # the first month was charged from the deposit
    assert list(BalanceEntry.objects.filter(landline=line).order_by("pk").values_list(
        "kind", "amount")) == [("deposit", Decimal(first_month) + 50),
                               ("rent", -Decimal(first_month))]  # that month's rent
    assert line.registration_serial == "dw20260310001".replace("0310", day[5:7] + day[8:10])


def test_a_unicom_line_without_call_credit_is_refused(install, unicom, default_ll_plan):
    with pytest.raises(ValidationError) as error:
        install(broadband_plan=None, landline_carrier=unicom, landline_plan=default_ll_plan,
                phone_number="68690001")
    assert "prepaid_credit" in error.value.message_dict


def test_broadband_with_an_own_landline_is_billed_together(install, own, default_ll_plan,
                                                            caller_id):
    order = install(landline_carrier=own, landline_plan=default_ll_plan,
                    phone_number="68012345", add_ons=[caller_id], broadband_points=3,
                    landline_points=3, router_setup=True)
    assert order.landline.bundled_with == order.broadband
    assert order.registration_serials == "DW20260310001 dw20260310001"
    codes = dict(order.receipt.lines.values_list("code", "amount"))
    assert codes == {"broadband": Decimal("700.00"), "extra_points": Decimal("60.00"),
                     "router_setup": Decimal("30.00")}
    assert order.receipt.total == Decimal("790.00")
    assert order.router_setup and (order.broadband_points, order.landline_points) == (3, 3)


def test_the_quote_is_what_the_order_charges(xinyuan, annual_plan, own, tariffs):
    quote = wo.install_order_quote(service_point=xinyuan, accepted_on=date(2026, 3, 10),
                                   broadband_plan=annual_plan, landline_carrier=own,
                                   prepaid_credit=Decimal("20"), broadband_points=4,
                                   router_setup=True, building=1, unit=2, room=502)
    assert quote.total == Decimal("700") + 20 + 60 + 30
    assert quote.total_in_words == "捌佰壹拾元整"
    assert quote.account_name == "dw0120502"
    assert quote.activation_date == date(2026, 3, 17)


def test_an_existing_subscriber_can_order(install, clerk):
    first = install()
    second = install(n=2, new_subscriber=None, subscriber=first.subscriber, room=777,
                     broadband_points=1)
    assert second.subscriber == first.subscriber
    assert second.broadband.account_name == "dw0120777"
    assert Subscriber.objects.count() == 1


def test_a_reposted_form_creates_one_order_and_one_receipt(install):
    key = new_key()
    first = install(idempotency_key=key)
    again = install(idempotency_key=key)
    assert again.pk == first.pk
    assert (WorkOrder.objects.count(), Receipt.objects.count(), Subscriber.objects.count()) == (
        1, 1, 1)


def test_a_failure_in_the_last_step_leaves_nothing_behind(install, books):
    with mock.patch.object(wo, "_record", side_effect=RuntimeError("disk full")), \
            pytest.raises(RuntimeError):
        install()
    assert not WorkOrder.objects.exists()
    assert not Receipt.objects.exists()
    assert not Subscriber.objects.exists()
    assert not BroadbandAccount.objects.exists()
    assert not AccountStateChange.objects.exists()
    assert not WorkOrderStatusChange.objects.exists()
    assert not SerialCounter.objects.filter(last_seq__gt=0).exists()
    assert ReceiptBook.objects.get(pk=books["dw"].pk).next_number == 1
    # …and the next order gets receipt 1 and serial 001.
    order = install()
    assert (order.receipt.number, order.registration_serials) == (1, "DW20260310001")


def test_premises_with_an_active_account_are_refused(install):
    install()
    with pytest.raises(ValidationError) as error:
        install(n=2, room=501)
    assert "premises" in error.value.message_dict
    assert WorkOrder.objects.count() == Receipt.objects.count() == 1


def test_a_package_plan_needs_its_landline(install, package_plan):
    with pytest.raises(ValidationError) as error:
        install(broadband_plan=package_plan)
    assert "landline_carrier" in error.value.message_dict


def test_neither_service_is_refused(install):
    with pytest.raises(ValidationError, match="broadband, a landline"):
        install(broadband_plan=None)


@pytest.mark.parametrize("credit", [Decimal("-5"), Decimal("999999"), Decimal("1.234")])
def test_absurd_call_credit_is_refused(install, own, default_ll_plan, credit):
    with pytest.raises(ValidationError) as error:
        install(landline_carrier=own, landline_plan=default_ll_plan, phone_number="68012345",
                prepaid_credit=credit)
    assert "prepaid_credit" in error.value.message_dict
    assert not WorkOrder.objects.exists()


def test_a_closed_day_takes_no_order(install, clerk):
    from billing import services as billing

    install()
    billing.daily_close(user=clerk, day=date(2026, 3, 10), counted_cash="700",
                        now=at("2026-03-10", "18:00"))
    with pytest.raises(ValidationError, match="closed"):
        install(n=2, now=at("2026-03-10", "18:30"))
    assert WorkOrder.objects.count() == 1
    assert not Subscriber.objects.filter(name="张伟2").exists()


def test_a_clerk_cannot_open_orders_at_another_point(install, qujiang):
    with pytest.raises(ValidationError, match="own service point"):
        install(service_point=qujiang)
    assert not Premises.objects.filter(service_point=qujiang).exists()


def test_a_duplicate_id_number_is_a_field_error(install):
    install()
    with pytest.raises(ValidationError) as error:
        install(n=2, new_subscriber={"kind": "person", "name": "李四", "id_number": id_number(1)})
    assert "id_number" in error.value.message_dict
