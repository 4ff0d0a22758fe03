"""The other counter work: move, extra points, router setup, removal, renewal, plan change,
landline top-up, invoice requests."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts import services as accounts_services
from accounts.models import BroadbandAccount, LandlineAccount
from billing import services as billing
from billing.models import BalanceEntry, InvoiceRequest, Receipt
from tests.counter.conftest import at, new_key
from tickets.models import WorkOrder
from tickets.services import workorders as wo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def active_broadband(install, clerk):
    """An active annual broadband account (accepted 2026-03-10, runs 03-17 to 2027-03-16)."""
    order = install()
    return accounts_services.account_activate(user=clerk, account=order.broadband)


@pytest.fixture
def own_landline(install, clerk, own, default_ll_plan):
    order = install(n=5, broadband_plan=None, landline_carrier=own,
                    landline_plan=default_ll_plan, phone_number="68012345",
                    prepaid_credit=Decimal("30"))
    return accounts_services.account_activate(user=clerk, account=order.landline)


def test_a_move_within_the_compound_costs_30_for_broadband(active_broadband, clerk):
    order = wo.counter_order_open(user=clerk, kind="move", account=active_broadband,
                                  to_building=2, to_unit=1, to_room=301,
                                  now=at("2026-04-01"))
    assert order.kind == "move" and order.to_premises.label == "2#-1-301"
    assert order.receipt.total == Decimal("30.00") and order.receipt.purpose == "move"


def test_a_landline_move_costs_10(own_landline, clerk):
    order = wo.counter_order_open(user=clerk, kind="move", account=own_landline,
                                  to_building=2, to_unit=1, to_room=301, now=at("2026-04-01"))
    assert order.receipt.total == Decimal("10.00")


def test_a_move_to_another_compound_is_refused(active_broadband, clerk, qujiang):
    with pytest.raises(ValidationError) as error:
        wo.counter_order_open(user=clerk, kind="move", account=active_broadband,
                              to_service_point=qujiang, to_building=2, to_unit=1, to_room=301,
                              now=at("2026-04-01"))
    assert "to_service_point" in error.value.message_dict
    assert not Receipt.objects.filter(purpose="move").exists()


def test_a_move_to_the_same_room_is_refused(active_broadband, clerk):
    with pytest.raises(ValidationError):
        wo.counter_order_open(user=clerk, kind="move", account=active_broadband,
                              to_building=1, to_unit=2, to_room=501, now=at("2026-04-01"))


@pytest.mark.parametrize(("bb", "ll", "fee"), [(3, 2, "30.00"), (4, 3, "90.00")])
def test_extra_points_are_charged_beyond_the_free_two(active_broadband, clerk, bb, ll, fee):
    order = wo.counter_order_open(user=clerk, kind="extra_points", account=active_broadband,
                                  broadband_points=bb, landline_points=ll,
                                  now=at("2026-04-01"))
    assert order.receipt.total == Decimal(fee)


def test_free_points_need_no_order(active_broadband, clerk):
    with pytest.raises(ValidationError, match="free"):
        wo.counter_order_open(user=clerk, kind="extra_points", account=active_broadband,
                              broadband_points=2, landline_points=2, now=at("2026-04-01"))


def test_router_setup_charges_the_fee_from_the_data(active_broadband, clerk, tariffs):
    from accounts.models import Fee

    Fee.objects.filter(code="router_setup").update(amount=Decimal("35.00"))
    order = wo.counter_order_open(user=clerk, kind="router_setup", account=active_broadband,
                                  payment_method="alipay", now=at("2026-04-01"))
    assert order.receipt.total == Decimal("35.00")
    assert order.receipt.payment_method == "alipay"


def test_an_annual_term_cannot_be_removed_mid_term(active_broadband, clerk):
    with pytest.raises(ValidationError, match="before it ends"):
        wo.counter_order_open(user=clerk, kind="removal", account=active_broadband,
                              reason="搬走", now=at("2026-05-01"))
    assert BroadbandAccount.objects.get(pk=active_broadband.pk).state == "active"
    assert not WorkOrder.objects.filter(kind="removal").exists()


def test_a_monthly_account_is_removed_with_a_work_order(install, clerk, monthly_plan):
    order = install(broadband_plan=monthly_plan)
    account = accounts_services.account_activate(user=clerk, account=order.broadband)
    removal = wo.counter_order_open(user=clerk, kind="removal", account=account,
                                    reason="用户搬走", now=at("2026-05-01"))
    assert removal.receipt is None and removal.kind == "removal"
    assert BroadbandAccount.objects.get(pk=account.pk).state == "closed"


def test_counter_orders_are_idempotent(active_broadband, clerk):
    key = new_key()
    for _ in range(2):
        wo.counter_order_open(user=clerk, kind="router_setup", account=active_broadband,
                              idempotency_key=key, now=at("2026-04-01"))
    assert WorkOrder.objects.filter(kind="router_setup").count() == 1
    assert Receipt.objects.filter(purpose="router_setup").count() == 1


# --- renewal and plan change -----------------------------------------------------------------


def test_renewal_reuses_the_serial_and_extends_the_term(active_broadband, clerk):
    receipt = billing.broadband_renewal_pay(user=clerk, account=active_broadband,
                                            payment_method="card", now=at("2027-03-01"))
    account = BroadbandAccount.objects.get(pk=active_broadband.pk)
    assert account.expires_on == date(2028, 3, 16)
    assert receipt.reference.startswith("DW20260310001")  # the original serial
    assert receipt.total == Decimal("700.00") and receipt.purpose == "renewal"


def test_a_plan_change_waits_for_the_term_end(active_broadband, clerk, tariffs):
    from accounts.models import BroadbandPlan

    faster = BroadbandPlan.objects.get(name="自营50M包年")
    with pytest.raises(ValidationError) as error:
        billing.broadband_renewal_pay(user=clerk, account=active_broadband, plan=faster,
                                      payment_method="cash", now=at("2026-09-01"))
    assert "plan" in error.value.message_dict
    assert not Receipt.objects.filter(purpose="plan_change").exists()
    receipt = billing.broadband_renewal_pay(user=clerk, account=active_broadband, plan=faster,
                                            payment_method="cash", now=at("2027-03-16"))
    assert receipt.purpose == "plan_change" and receipt.total == Decimal("960.00")
    assert BroadbandAccount.objects.get(pk=active_broadband.pk).plan == faster


def test_a_renewal_quote_matches_the_renewal(active_broadband):
    quote = billing.broadband_renewal_quote(account=active_broadband, today=date(2027, 3, 1))
    assert (quote.starts_on, quote.expires_on, quote.price) == (
        date(2027, 3, 17), date(2028, 3, 16), Decimal("700.00"))


# --- top-up ----------------------------------------------------------------------------------


def test_a_top_up_is_a_receipt_a_ledger_row_and_a_balance(own_landline, clerk):
    receipt = billing.landline_top_up(user=clerk, account=own_landline, amount="100",
                                      payment_method="wechat", now=at("2026-04-01"))
    line = LandlineAccount.objects.get(pk=own_landline.pk)
    assert line.balance == Decimal("130.00")  # 30 at installation, 100 now
    entry = BalanceEntry.objects.filter(landline=line).first()  # the newest
    assert (entry.amount, entry.balance_after, entry.receipt) == (Decimal("100"),
                                                                  Decimal("130"), receipt)


@pytest.mark.parametrize("amount", ["-10", "0", "5000.01", "abc"])
def test_a_bad_top_up_changes_nothing(own_landline, clerk, amount):
    with pytest.raises(ValidationError):
        billing.landline_top_up(user=clerk, account=own_landline, amount=amount,
                                payment_method="cash", now=at("2026-04-01"))
    assert LandlineAccount.objects.get(pk=own_landline.pk).balance == Decimal("30.00")
    assert BalanceEntry.objects.count() == 1


def test_a_top_up_without_a_receipt_book_changes_nothing(own_landline, clerk, manager, books):
    billing.receipt_book_close(user=manager, book=books["dw"], note="遗失")
    with pytest.raises(ValidationError):
        billing.landline_top_up(user=clerk, account=own_landline, amount="100",
                                payment_method="cash", now=at("2026-04-01"))
    assert LandlineAccount.objects.get(pk=own_landline.pk).balance == Decimal("30.00")
    assert BalanceEntry.objects.count() == 1


# --- invoices --------------------------------------------------------------------------------


def test_an_invoice_is_requested_within_a_month_and_ready_a_week_later(active_broadband,
                                                                       clerk):
    receipt = Receipt.objects.get(purpose="install")  # issued 2026-03-10
    request = billing.invoice_request(user=clerk, receipt=receipt, title="张伟1",
                                      today=date(2026, 4, 10))
    assert request.ready_on == date(2026, 4, 17)
    with pytest.raises(ValidationError, match="already"):
        billing.invoice_request(user=clerk, receipt=receipt, title="x", today=date(2026, 4, 10))
    with pytest.raises(ValidationError, match="ready on"):
        billing.invoice_collect(user=clerk, request=request, now=at("2026-04-16"))
    billing.invoice_collect(user=clerk, request=request, now=at("2026-04-17"))


def test_an_invoice_after_a_month_is_refused(active_broadband, clerk):
    receipt = Receipt.objects.get(purpose="install")
    with pytest.raises(ValidationError, match="2026-04-10"):
        billing.invoice_request(user=clerk, receipt=receipt, title="张伟",
                                today=date(2026, 4, 11))
    assert not InvoiceRequest.objects.exists()
