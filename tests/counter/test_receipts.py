"""Receipts, receipt books, voids and the daily close (billing.services), against Postgres."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from billing import selectors
from billing import services as billing
from billing.models import DailyClose, Receipt, ReceiptBook, ReceiptLine
from tests.counter.conftest import at, new_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def issue(user, point, lines, method="cash", when="2026-03-10 10:00", **extra):
    day, hm = when.split()
    return billing.receipt_issue(user=user, service_point=point, lines=lines,
                                 payment_method=method, payer_name="张伟",
                                 purpose="install", now=at(day, hm), **extra)


# --- numbering -------------------------------------------------------------------------------


def test_numbers_follow_the_book_and_a_rollback_gives_the_number_back(clerk, xinyuan, books,
                                                                      lines):
    first = issue(clerk, xinyuan, lines("50"))
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(clerk, xinyuan, lines("70"))
        raise RuntimeError("the order failed after the receipt")
    second = issue(clerk, xinyuan, lines("30", "20.50"))
    assert (first.number, second.number) == (1, 2)
    assert second.number_display == "DW2026A-0000002"
    assert second.total == Decimal("50.50")
    assert list(second.lines.values_list("amount", flat=True)) == [Decimal("30.00"),
                                                                   Decimal("20.50")]
    assert Receipt.objects.count() == 2


def test_a_used_up_book_refuses_and_a_manager_opens_the_next(clerk, manager, xinyuan, lines,
                                                             tariffs):
    billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW", first_number=7,
                              last_number=8)
    assert [issue(clerk, xinyuan, lines("10")).number for _ in range(2)] == [7, 8]
    with pytest.raises(ValidationError, match="used up"):
        issue(clerk, xinyuan, lines("10"))
    book = billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW",
                                     first_number=9, last_number=20)
    assert issue(clerk, xinyuan, lines("10")).book == book
    assert ReceiptBook.objects.filter(service_point=xinyuan, closed_at__isnull=True).count() == 1


def test_book_ranges_never_overlap_and_unused_numbers_are_accounted_for(manager, xinyuan,
                                                                         qujiang, tariffs):
    billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW", first_number=1,
                              last_number=100)
    with pytest.raises(ValidationError) as overlap:
        billing.receipt_book_open(user=manager, service_point=qujiang, series="DW",
                                  first_number=100, last_number=200)
    assert "first_number" in overlap.value.message_dict
    with pytest.raises(ValidationError, match="100 unused"):
        billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW",
                                  first_number=101, last_number=200)
    book = ReceiptBook.objects.get(series="DW")
    with pytest.raises(ValidationError) as no_note:
        billing.receipt_book_close(user=manager, book=book, note="")
    assert "note" in no_note.value.message_dict
    billing.receipt_book_close(user=manager, book=book, note="本子受潮, 剩余作废")
    billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW",
                              first_number=101, last_number=200)


@pytest.mark.parametrize(("first", "last"), [(0, 10), (10, 9), (1, 200_001), (1, 10**8)])
def test_bad_book_ranges_are_refused(manager, xinyuan, first, last):
    with pytest.raises(ValidationError):
        billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW",
                                  first_number=first, last_number=last)
    assert not ReceiptBook.objects.exists()


def test_no_open_book_no_receipt(clerk, xinyuan, lines, tariffs):
    with pytest.raises(ValidationError, match="No receipt book"):
        issue(clerk, xinyuan, lines("10"))


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("amounts", [
    ("-5",), ("0",), ("0", "0"), ("20000.01",), ("1e9",), ("10.005",), ("NaN",),
])
def test_absurd_amounts_are_refused_and_nothing_is_saved(clerk, xinyuan, books, amounts):
    lines = [billing.Line("x", Decimal(a)) for a in amounts]
    with pytest.raises(ValidationError):
        issue(clerk, xinyuan, lines)
    assert not Receipt.objects.exists()
    assert ReceiptBook.objects.get(pk=books["dw"].pk).next_number == 1


def test_a_float_amount_is_refused(clerk, xinyuan, books):
    with pytest.raises(ValidationError):
        issue(clerk, xinyuan, [billing.Line("x", 10.5)])


def test_a_clerk_takes_payments_only_at_their_service_point(clerk, qujiang, books, lines):
    with pytest.raises(ValidationError, match="own service point"):
        issue(clerk, qujiang, lines("10"))


# --- what the schema guarantees --------------------------------------------------------------


def test_the_database_refuses_a_receipt_whose_total_is_not_its_lines(clerk, xinyuan, books):
    receipt = Receipt.objects.create(
        book=books["dw"], number=99, service_point=xinyuan, issued_on="2026-03-10",
        issued_at=at("2026-03-10"), issued_by=clerk, payer_name="x", purpose="install",
        payment_method="cash", total=Decimal("100.00"))
    ReceiptLine.objects.create(receipt=receipt, description="x", unit_price=Decimal("90"),
                               amount=Decimal("90"))
    with pytest.raises(IntegrityError, match="not the sum of its lines"), connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_receipt_is_never_deleted_and_its_amounts_never_change(clerk, xinyuan, books, lines):
    receipt = issue(clerk, xinyuan, lines("50"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Receipt.objects.filter(pk=receipt.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Receipt.objects.filter(pk=receipt.pk).update(total=Decimal("5.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        ReceiptLine.objects.filter(receipt=receipt).update(amount=Decimal("5.00"))
    assert Receipt.objects.get(pk=receipt.pk).total == Decimal("50.00")


def test_an_idempotency_key_takes_the_money_once(clerk, xinyuan, books, lines):
    key = new_key()
    first = issue(clerk, xinyuan, lines("50"), idempotency_key=key)
    again = issue(clerk, xinyuan, lines("50"), idempotency_key=key)
    assert first.pk == again.pk
    assert Receipt.objects.count() == 1


# --- voids -----------------------------------------------------------------------------------


def test_a_clerk_voids_their_own_receipt_the_same_day(clerk, xinyuan, books, lines):
    receipt = issue(clerk, xinyuan, lines("50"))
    billing.receipt_void(user=clerk, receipt=receipt, reason="金额写错",
                         now=at("2026-03-10", "11:00"))
    receipt.refresh_from_db()
    assert receipt.is_void and receipt.void_reason == "金额写错"
    assert receipt.number == 1  # the number stays used
    assert issue(clerk, xinyuan, lines("40")).number == 2
    with pytest.raises(ValidationError, match="already void"):
        billing.receipt_void(user=clerk, receipt=receipt, reason="again",
                             now=at("2026-03-10", "11:00"))


@pytest.mark.parametrize(("who", "when", "message"), [
    ("other", "2026-03-10 11:00", "another clerk"),
    ("self", "2026-03-11 09:00", "earlier day"),
])
def test_a_clerk_cannot_void_other_receipts_or_old_ones(clerk, xinyuan, books, lines,
                                                        who, when, message):
    from servicedesk.roles import Role
    from tests.factories import UserFactory

    receipt = issue(clerk, xinyuan, lines("50"))
    user = clerk if who == "self" else UserFactory(username="t_clerk2", role=Role.CLERK,
                                                   service_point=xinyuan)
    day, hm = when.split()
    with pytest.raises(ValidationError, match=message):
        billing.receipt_void(user=user, receipt=receipt, reason="错误", now=at(day, hm))
    assert not Receipt.objects.get(pk=receipt.pk).is_void


def test_after_the_daily_close_only_a_manager_voids(clerk, manager, xinyuan, books, lines):
    receipt = issue(clerk, xinyuan, lines("50"))
    billing.daily_close(user=clerk, day=receipt.issued_on, counted_cash=Decimal("50"),
                        now=at("2026-03-10", "18:00"))
    with pytest.raises(ValidationError, match="day is closed"):
        billing.receipt_void(user=clerk, receipt=receipt, reason="错误",
                             now=at("2026-03-10", "18:10"))
    billing.receipt_void(user=manager, receipt=receipt, reason="客户退回, 经理批准",
                         now=at("2026-03-12", "09:00"))
    assert Receipt.objects.get(pk=receipt.pk).is_void


def test_a_void_needs_a_reason(clerk, xinyuan, books, lines):
    receipt = issue(clerk, xinyuan, lines("50"))
    with pytest.raises(ValidationError) as error:
        billing.receipt_void(user=clerk, receipt=receipt, reason=" ", now=at("2026-03-10"))
    assert "reason" in error.value.message_dict


# --- daily close -----------------------------------------------------------------------------


def test_the_daily_close_counts_by_method_and_closes_the_day(clerk, xinyuan, books, lines):
    issue(clerk, xinyuan, lines("700"), "cash", "2026-03-10 09:30")
    issue(clerk, xinyuan, lines("50"), "wechat", "2026-03-10 10:30")
    issue(clerk, xinyuan, lines("30"), "cash", "2026-03-10 11:30")
    mistake = issue(clerk, xinyuan, lines("99"), "cash", "2026-03-10 12:30")
    billing.receipt_void(user=clerk, receipt=mistake, reason="重复收费",
                         now=at("2026-03-10", "12:31"))
    summary = selectors.day_summary(clerk=clerk, day=mistake.issued_on)
    assert summary.expected_cash == Decimal("730.00")
    assert summary.total == Decimal("780.00")
    assert summary.stubs == "DW2026A 0000001–0000004 (4)"

    with pytest.raises(ValidationError) as unexplained:
        billing.daily_close(user=clerk, day=mistake.issued_on, counted_cash="720",
                            now=at("2026-03-10", "18:30"))
    assert "explanation" in unexplained.value.message_dict
    close = billing.daily_close(user=clerk, day=mistake.issued_on, counted_cash="720",
                                explanation="找零多找 10 元", now=at("2026-03-10", "18:30"))
    assert (close.receipt_count, close.void_count) == (3, 1)
    assert (close.cash_total, close.wechat_total, close.void_total) == (
        Decimal("730.00"), Decimal("50.00"), Decimal("99.00"))
    assert close.difference == Decimal("-10.00") and not close.is_late

    with pytest.raises(ValidationError, match="is closed"):
        issue(clerk, xinyuan, lines("10"), "cash", "2026-03-10 18:40")
    with pytest.raises(ValidationError, match="already closed"):
        billing.daily_close(user=clerk, day=mistake.issued_on, counted_cash="720",
                            explanation="x", now=at("2026-03-10", "18:45"))
    # The next day is a new day.
    assert issue(clerk, xinyuan, lines("10"), "cash", "2026-03-11 09:00").number == 5


def test_a_close_after_seven_pm_is_late_and_the_future_cannot_be_closed(clerk, xinyuan, books,
                                                                        lines):
    receipt = issue(clerk, xinyuan, lines("10"))
    with pytest.raises(ValidationError):
        billing.daily_close(user=clerk, day=receipt.issued_on, counted_cash="10",
                            now=at("2026-03-09", "18:00"))
    close = billing.daily_close(user=clerk, day=receipt.issued_on, counted_cash="10",
                                now=at("2026-03-10", "19:20"))
    assert close.is_late


@pytest.mark.parametrize("counted", ["-1", "abc", "1e12", 10.5])
def test_a_bad_counted_cash_is_refused(clerk, xinyuan, books, lines, counted):
    receipt = issue(clerk, xinyuan, lines("10"))
    with pytest.raises(ValidationError):
        billing.daily_close(user=clerk, day=receipt.issued_on, counted_cash=counted,
                            explanation="x", now=at("2026-03-10", "18:00"))
    assert not DailyClose.objects.exists()


def test_unclosed_days_are_listed(clerk, xinyuan, books, lines):
    issue(clerk, xinyuan, lines("10"), when="2026-03-09 10:00")
    issue(clerk, xinyuan, lines("10"), when="2026-03-10 10:00")
    from datetime import date

    assert [row["issued_on"] for row in selectors.unclosed_days(
        clerk, today=date(2026, 3, 11))] == [date(2026, 3, 10), date(2026, 3, 9)]
    billing.daily_close(user=clerk, day=date(2026, 3, 9), counted_cash="10",
                        now=at("2026-03-10", "08:00"))
    assert len(selectors.unclosed_days(clerk, today=date(2026, 3, 11))) == 1
