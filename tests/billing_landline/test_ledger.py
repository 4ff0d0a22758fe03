"""The ledger: the database keeps each balance the sum of its rows; top-ups, barring,
the rent run, package credit and adjustments."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.db.models import Sum

from accounts import services as accounts_services
from accounts.models import AccountStateChange, LandlineAccount
from billing import ledger
from billing import services as billing
from billing.models import BalanceEntry, CallCredit, Receipt, ReceiptLine
from tests.billing_landline.conftest import at, check_deferred

D = Decimal


def ledger_sum(line) -> Decimal:
    return BalanceEntry.objects.filter(landline=line).aggregate(s=Sum("amount"))["s"] or D(0)


def fresh(line) -> LandlineAccount:
    return LandlineAccount.objects.get(pk=line.pk)


def top_up(clerk, line, amount, day="2026-11-05"):
    return billing.landline_top_up(user=clerk, account=line, amount=amount,
                                   payment_method="cash", now=at(day))


def test_a_top_up_receipt_credits_the_ledger_and_the_database_agrees(make_line, clerk, books):
    line = make_line()
    receipt = top_up(clerk, line, "30")
    line = fresh(line)
    assert line.balance == D("30.00") == ledger_sum(line)
    entry = BalanceEntry.objects.get(landline=line)
    assert (entry.kind, entry.amount, entry.balance_after, entry.receipt) == (
        "deposit", D("30.00"), D("30.00"), receipt)
    check_deferred()  # balance = ledger sum, receipt lines = deposits


def test_the_balance_cannot_be_typed_in(make_line):
    line = make_line()
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        LandlineAccount.objects.filter(pk=line.pk).update(balance=D("999"))
    line.balance = D("999")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        line.save()
    assert fresh(line).balance == 0


def test_a_line_created_with_a_balance_gets_an_opening_row(make_line):
    line = make_line()
    clone = LandlineAccount.objects.get(pk=line.pk)
    clone.pk = None
    clone.phone_number, clone.state, clone.balance = "68001999", "closed", D("12.50")
    clone.save()
    assert fresh(clone).balance == D("12.50")
    assert list(clone.balance_entries.values_list("kind", "amount")) == [("opening", D("12.50"))]
    check_deferred()


def test_a_receipt_with_top_up_money_off_the_ledger_cannot_commit(clerk, xinyuan, books):
    receipt = billing.receipt_issue(
        user=clerk, service_point=xinyuan, payment_method="cash", payer_name="某人",
        purpose="top_up", lines=[billing.Line("话费", D("20"), code="top_up")])
    assert ReceiptLine.objects.filter(receipt=receipt).exists()
    with pytest.raises(IntegrityError, match="not on the ledger"):
        check_deferred()


def test_a_top_up_above_zero_lifts_the_bar_and_below_does_not(make_line, clerk, manager, books):
    line = make_line(plan="yuezu")  # rent 20, no caller ID
    result = ledger.landline_rent_run(month=date(2026, 11, 1), now=at("2026-11-01", "00:10"))
    assert result.barred == 1
    line = fresh(line)
    assert (line.balance, line.state) == (D("-20.00"), "barred")
    change = AccountStateChange.objects.filter(landline=line).latest("at")
    assert (change.from_state, change.to_state) == ("active", "barred")
    assert "-20.00" in change.note
    top_up(clerk, line, "20")  # back to exactly zero: still in arrears
    assert fresh(line).state == "barred"
    top_up(clerk, line, "5")
    line = fresh(line)
    assert (line.balance, line.state) == (D("5.00"), "active")
    assert AccountStateChange.objects.filter(landline=line, to_state="active",
                                             from_state="barred").count() == 1
    check_deferred()


def test_rent_run_charges_once_a_month_and_still_while_barred(make_line, add_ons):
    line = make_line(plan="daweitest", add_ons=[add_ons["clip"], add_ons["cfu"]])
    month = date(2026, 11, 1)
    first = ledger.landline_rent_run(month=month)
    again = ledger.landline_rent_run(month=month)
    assert (first.rent_rows, first.add_on_rows, first.charged) == (1, 0, D("23.00"))
    assert (again.rent_rows, again.already_charged, again.charged) == (0, 1, D("0"))
    # caller ID is in the plan's 3.00: the 来电显示 add-on is not charged again
    assert list(BalanceEntry.objects.filter(landline=line).values_list("kind", "amount")) == [
        ("rent", D("-23.00"))]
    assert fresh(line).state == "barred"
    ledger.landline_rent_run(month=date(2026, 12, 1))
    assert fresh(line).balance == D("-46.00") == ledger_sum(line)  # rent accrues while barred
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a 2nd
        BalanceEntry.objects.create(landline=line, kind="rent", amount=D("-1"), period=month)
    check_deferred()


def test_rent_rules(make_line, add_ons, package_broadband):
    yuezu_with_id = make_line("68001002", plan="yuezu", add_ons=[add_ons["clip"]])
    default = make_line("68001003", plan="system default billingplan")
    bundled = make_line("68001004", plan="daweitest", bundled_with=package_broadband)
    pending = make_line("68001005", active=False)
    unicom_late = make_line("68690001", carrier="unicom", accepted=date(2026, 11, 20))
    unicom_early = make_line("68690002", carrier="unicom", accepted=date(2026, 11, 2))
    ledger.landline_rent_run(month=date(2026, 11, 1))
    charged = {line.phone_number: ledger_sum(line) for line in LandlineAccount.objects.all()}
    assert charged[yuezu_with_id.phone_number] == D("-23.00")  # 20 rent + 3 caller ID add-on
    assert charged[default.phone_number] == 0
    assert charged[bundled.phone_number] == 0  # billed with broadband: no rent
    assert charged[pending.phone_number] == 0
    assert charged[unicom_late.phone_number] == D("-11.50")  # accepted on the 20th: half
    assert charged[unicom_early.phone_number] == D("-23.00")


def test_a_unicom_first_month_paid_at_the_counter_is_not_charged_again(
        make_line, clerk, books):
    line = make_line("68690003", carrier="unicom", accepted=date(2026, 11, 20))
    receipt = billing.receipt_issue(
        user=clerk, service_point=line.service_point, payment_method="cash", payer_name="x",
        purpose="install", now=at("2026-11-20"),
        lines=[billing.Line("首月", D("11.50"), code="first_month"),
               billing.Line("预存", D("50"), code="prepaid")])
    billing.landline_prepayment_record(user=clerk, account=line, credit=D("50"),
                                       first_month=D("11.50"), receipt=receipt,
                                       now=at("2026-11-20"))
    result = ledger.landline_rent_run(month=date(2026, 11, 1))
    assert result.already_charged == 1
    assert fresh(line).balance == D("50.00")
    check_deferred()


def test_package_credit_is_monthly_and_ends_with_the_broadband_term(
        make_line, package_broadband):
    line = make_line(plan="daweitest", bundled_with=package_broadband)
    ledger.landline_rent_run(month=date(2026, 11, 1))
    ledger.landline_rent_run(month=date(2026, 11, 1))
    ledger.landline_rent_run(month=date(2026, 12, 1))
    ledger.landline_rent_run(month=date(2027, 1, 1))
    credits = list(CallCredit.objects.filter(landline=line).order_by("period")
                   .values_list("period", "amount", "valid_until"))
    assert credits == [(date(2026, 11, 1), D("20.00"), date(2026, 11, 30)),
                       (date(2026, 12, 1), D("20.00"), date(2026, 12, 14))]


def test_only_a_manager_adjusts_with_a_reason(make_line, clerk, manager):
    line = make_line()
    with pytest.raises(ValidationError):
        ledger.landline_balance_adjust(user=clerk, account=line, amount="5", reason="补偿")
    for amount, reason in (("5", ""), ("0", "补偿"), ("abc", "补偿"), ("1.234", "补偿"),
                           ("9000", "补偿"), (5.0, "补偿")):
        with pytest.raises(ValidationError):
            ledger.landline_balance_adjust(user=manager, account=line, amount=amount,
                                           reason=reason)
    assert not BalanceEntry.objects.filter(landline=line).exists()
    key = uuid.uuid4()
    first = ledger.landline_balance_adjust(user=manager, account=line, amount="-3.50",
                                           reason="误充冲正", idempotency_key=key)
    again = ledger.landline_balance_adjust(user=manager, account=line, amount="-3.50",
                                           reason="误充冲正", idempotency_key=key)
    assert first.pk == again.pk
    line = fresh(line)
    assert (line.balance, line.state) == (D("-3.50"), "barred")
    ledger.landline_balance_adjust(user=manager, account=line, amount="10", reason="补偿")
    assert fresh(line).state == "active"
    check_deferred()


def test_voiding_a_top_up_takes_the_money_back_off(make_line, clerk, manager, books):
    line = make_line()
    receipt = top_up(clerk, line, "30")
    billing.receipt_void(user=manager, receipt=receipt, reason="收错", now=at("2026-11-06"))
    line = fresh(line)
    assert line.balance == 0 == ledger_sum(line)
    assert Receipt.objects.get(pk=receipt.pk).is_void
    check_deferred()


def test_a_closed_line_is_not_charged(make_line, clerk):
    line = make_line()
    accounts_services.account_close(user=clerk, account=line, reason="拆机")
    assert ledger.landline_rent_run(month=date(2026, 11, 1)).lines == 0


def test_a_manager_sets_the_alert_threshold_and_the_history_records_who(make_line, clerk,
                                                                        manager):
    from billing import selectors
    from servicedesk.audit import object_history

    line = make_line()
    assert fresh(line).alert_threshold == D("1.00")  # the default
    with pytest.raises(ValidationError):
        ledger.landline_alert_threshold_set(user=clerk, account=line, threshold="5")
    for bad in ("-0.01", "NaN", "Infinity", "1.005", "abc", "", 1.5, "1000.01"):
        with pytest.raises(ValidationError) as refused:
            ledger.landline_alert_threshold_set(user=manager, account=line, threshold=bad)
        assert "alert_threshold" in refused.value.error_dict, bad
    assert fresh(line).alert_threshold == D("1.00")
    ledger.landline_alert_threshold_set(user=manager, account=line, threshold=D("0"))
    assert fresh(line).alert_threshold == D("0.00")
    assert line.pk not in {a.pk for a in selectors.low_balance_lines(manager)}  # 0 < 0: no
    ledger.landline_alert_threshold_set(user=manager, account=line, threshold="5.50")
    assert line.pk in {a.pk for a in selectors.low_balance_lines(manager)}  # 0 < 5.50
    changed = [(change.user_id, str(old), str(new)) for change in object_history(fresh(line))
               for field, old, new in change.changes
               if field == "alert_threshold" and change.label == "update"]
    assert changed == [(manager.pk, "0.0", "5.5"), (manager.pk, "1.0", "0.0")]
