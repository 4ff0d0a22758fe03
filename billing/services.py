"""Every write of money (HackSoft-style services): receipt books, receipts and voids, the
daily close, landline balances, renewals and invoice requests.

Each service takes keyword-only arguments, runs in one transaction and raises
``ValidationError`` (field errors where it can) with a message the clerk understands;
nothing is saved when it does. Receipt numbers come from the book row, locked with
``select_for_update()`` inside the issuing transaction (Oscar ``OrderCreator``): two
clerks never get the same number, and a rollback gives the number back.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.choices import BroadbandState, LandlineState
from accounts.models import BroadbandAccount, BroadbandPlan, LandlineAccount, Subscriber
from billing import ledger, rules
from billing.choices import LedgerKind, PaymentMethod, ReceiptPurpose, ReceiptStatus
from billing.models import (
    BalanceEntry,
    DailyClose,
    InvoiceRequest,
    Receipt,
    ReceiptBook,
    ReceiptLine,
)
from servicedesk.idempotency import replayed
from servicedesk.models import ServicePoint

CENT = Decimal("0.01")
# Anything above these is a typing slip, not a real counter payment.
MAX_RECEIPT_TOTAL = Decimal("20000.00")
MAX_TOP_UP = Decimal("5000.00")
MAX_COUNTED_CASH = Decimal("1000000.00")
MAX_BOOK_SIZE = 100_000
MAX_RECEIPT_NUMBER = 9_999_999
SERIES_RE = re.compile(r"^[A-Z0-9]{1,12}$")


# --- helpers ------------------------------------------------------------------------------


def money(value, *, field: str, maximum: Decimal, allow_zero: bool = False) -> Decimal:
    """``value`` as a Decimal amount of at most 2 places, within 0..maximum, or a field error.

    Refuses floats (and anything else that is not a Decimal, int or numeric string).
    """
    if isinstance(value, (bool, float)):
        raise ValidationError({field: _("Enter the amount in yuan, e.g. 50 or 11.50.")})
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter the amount in yuan, e.g. 50 or 11.50.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Enter the amount in yuan, e.g. 50 or 11.50.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount > maximum:
        raise ValidationError({field: _("%(amount)s is more than a counter payment can be "
                                        "(at most %(max)s); check the amount.")
                               % {"amount": amount, "max": maximum}})
    return amount.quantize(CENT)


def _local(now: datetime | None) -> datetime:
    return timezone.localtime(now or timezone.now())


def _can_work_at(user, service_point: ServicePoint) -> bool:
    return not user.service_point_id or user.service_point_id == service_point.pk


@dataclass(frozen=True)
class Line:
    """A receipt line to issue: ``quantity`` × ``unit_price``."""

    description: str
    unit_price: Decimal
    quantity: int = 1
    code: str = ""

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def lines_total(lines: list[Line]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))


# --- receipt books ------------------------------------------------------------------------


@transaction.atomic
def receipt_book_open(*, user, service_point: ServicePoint, series: str, first_number: int,
                      last_number: int, now: datetime | None = None) -> ReceiptBook:
    """A manager opens a new receipt book for a service point (first to last number).

    The point's current book is closed if it is used up; one with numbers left must be
    closed first (with a note), so no number is silently skipped.
    """
    now = now or timezone.now()
    series = (series or "").strip().upper()
    if not SERIES_RE.match(series):
        raise ValidationError({"series": _("Use 1 to 12 capital letters or digits.")})
    errors = {}
    for field, value in (("first_number", first_number), ("last_number", last_number)):
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= MAX_RECEIPT_NUMBER):
            errors[field] = _("A number from 1 to %(max)d.") % {"max": MAX_RECEIPT_NUMBER}
    if errors:
        raise ValidationError(errors)
    if last_number < first_number:
        raise ValidationError({"last_number": _("The last number must not be below the first.")})
    if last_number - first_number + 1 > MAX_BOOK_SIZE:
        raise ValidationError({"last_number": _("A book holds at most %(n)d receipts.")
                               % {"n": MAX_BOOK_SIZE}})
    # One opener at a time per service point; ranges of a series never overlap.
    ServicePoint.objects.select_for_update().get(pk=service_point.pk)
    overlapping = ReceiptBook.objects.filter(series=series, first_number__lte=last_number,
                                             last_number__gte=first_number).first()
    if overlapping is not None:
        raise ValidationError({"first_number": _("These numbers overlap book %(book)s.")
                               % {"book": overlapping}})
    current = ReceiptBook.objects.select_for_update().filter(
        service_point=service_point, closed_at__isnull=True).first()
    if current is not None:
        if current.remaining > 0:
            raise ValidationError(_(
                "Book %(book)s still has %(n)d unused numbers: close it first, with a note "
                "on what happened to them."
            ) % {"book": current, "n": current.remaining})
        current.closed_at, current.closed_by = now, user
        current.close_note = _("Used up")
        current.save(update_fields=["closed_at", "closed_by", "close_note"])
    book = ReceiptBook(service_point=service_point, series=series, first_number=first_number,
                       last_number=last_number, next_number=first_number, opened_at=now,
                       opened_by=user)
    book.full_clean()
    book.save()
    return book


@transaction.atomic
def receipt_book_close(*, user, book: ReceiptBook, note: str,
                       now: datetime | None = None) -> ReceiptBook:
    """Close a book early (lost, damaged…): the note says what became of the unused forms."""
    book = ReceiptBook.objects.select_for_update().get(pk=book.pk)
    if not book.is_open:
        raise ValidationError(_("This book is already closed."))
    note = (note or "").strip()
    if book.remaining and len(note) < 2:
        raise ValidationError({"note": _("Say what became of the %(n)d unused numbers.")
                               % {"n": book.remaining}})
    book.closed_at, book.closed_by = now or timezone.now(), user
    book.close_note = note[:200] or _("Used up")
    book.save(update_fields=["closed_at", "closed_by", "close_note"])
    return book


# --- receipts -----------------------------------------------------------------------------


def _day_closed(clerk, day: date) -> DailyClose | None:
    return DailyClose.objects.filter(clerk=clerk, day=day).first()


@transaction.atomic
def receipt_issue(*, user, service_point: ServicePoint, lines: list[Line], payment_method: str,
                  payer_name: str, purpose: str, subscriber: Subscriber | None = None,
                  reference: str = "", payment_reference: str = "",
                  idempotency_key: uuid.UUID | None = None,
                  now: datetime | None = None) -> Receipt:
    """Take a payment: the next number of the service point's open book, and the lines.

    Refused when the clerk has closed the day, when no book is open or it is used up, and
    for amounts no counter takes. With an ``idempotency_key`` already used, returns the
    receipt issued for it (a re-posted form does not take the money twice).
    """
    done = replayed(Receipt, idempotency_key)
    if done is not None:
        return done
    moment = _local(now)
    day = moment.date()
    if not _can_work_at(user, service_point):
        raise ValidationError(_("You can take payments only at your own service point."))
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": _("Choose how the customer paid.")})
    if purpose not in ReceiptPurpose.values:
        raise ValidationError(_("Unknown purpose of payment."))
    if not lines:
        raise ValidationError(_("Nothing to pay."))
    for line in lines:
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or not (
                1 <= line.quantity <= 100):
            raise ValidationError(_("A line's quantity must be 1 to 100."))
        money(line.unit_price, field="amount", maximum=MAX_RECEIPT_TOTAL, allow_zero=True)
    total = lines_total(lines)
    if total <= 0:
        raise ValidationError(_("Nothing to pay: the total is zero."))
    money(total, field="amount", maximum=MAX_RECEIPT_TOTAL)
    payer_name = (payer_name or "").strip()[:60]
    if not payer_name:
        raise ValidationError(_("Whom is the receipt for? The payer's name is missing."))

    # The lock: concurrent clerks queue here; a daily close takes the same lock, so once
    # it has committed no receipt of that day gets through.
    book = ReceiptBook.objects.select_for_update().filter(
        service_point=service_point, closed_at__isnull=True).first()
    if book is None:
        raise ValidationError(_("No receipt book is open at %(point)s: a manager must open "
                                "one.") % {"point": service_point})
    closed = _day_closed(user, day)
    if closed is not None:
        raise ValidationError(_("Your day %(day)s is closed (daily close at %(time)s): no "
                                "more receipts can be dated that day.")
                              % {"day": f"{day:%Y-%m-%d}",
                                 "time": f"{timezone.localtime(closed.closed_at):%H:%M}"})
    if book.next_number > book.last_number:
        raise ValidationError(_("Receipt book %(book)s is used up: a manager must open the "
                                "next one.") % {"book": book})
    number = book.next_number
    book.next_number = number + 1
    book.save(update_fields=["next_number"])
    receipt = Receipt.objects.create(
        book=book, number=number, service_point=service_point, issued_on=day,
        issued_at=moment, issued_by=user, subscriber=subscriber, payer_name=payer_name,
        purpose=purpose, reference=(reference or "")[:80], payment_method=payment_method,
        payment_reference=(payment_reference or "").strip()[:40], total=total,
        idempotency_key=idempotency_key,
    )
    ReceiptLine.objects.bulk_create([
        ReceiptLine(receipt=receipt, position=position, code=line.code[:30],
                    description=line.description[:120], quantity=line.quantity,
                    unit_price=line.unit_price, amount=line.amount)
        for position, line in enumerate(lines, start=1)
    ])
    receipt.book = book
    return receipt


@transaction.atomic
def receipt_void(*, user, receipt: Receipt, reason: str, now: datetime | None = None) -> Receipt:
    """Void a receipt with a reason (作废注明原因). The number stays used; nothing is deleted.

    A manager may void any receipt; a clerk only their own, the same day, before their
    daily close.
    """
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the receipt is void.")})
    moment = _local(now)
    ReceiptBook.objects.select_for_update().get(pk=receipt.book_id)  # queue with the close
    receipt = Receipt.objects.select_for_update().select_related("book").get(pk=receipt.pk)
    if receipt.is_void:
        raise ValidationError(_("This receipt is already void."))
    if not user.has_perm("billing.void_receipt"):
        if receipt.issued_by_id != user.pk:
            raise ValidationError(_("Only a manager can void another clerk's receipt."))
        if receipt.issued_on != moment.date():
            raise ValidationError(_("Only a manager can void a receipt of an earlier day."))
        if _day_closed(user, receipt.issued_on) is not None:
            raise ValidationError(_("Your day is closed: ask a manager to void this receipt."))
    receipt.status = ReceiptStatus.VOID
    receipt.voided_at, receipt.voided_by, receipt.void_reason = moment, user, reason[:200]
    receipt.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    # Money the receipt put on a landline balance comes off again.
    ledger.receipt_reverse(user=user, receipt=receipt, at=moment)
    return receipt


# --- daily close --------------------------------------------------------------------------


@transaction.atomic
def daily_close(*, user, day: date, counted_cash, explanation: str = "",
                now: datetime | None = None) -> DailyClose:
    """Close the clerk's day: the receipts by payment method, the voids, expected against
    counted cash. A difference must be explained. After it, no receipt of that day."""
    from billing.selectors import day_summary

    moment = _local(now)
    if day > moment.date():
        raise ValidationError(_("A day can be closed only once it has begun."))
    counted = money(counted_cash, field="counted_cash", maximum=MAX_COUNTED_CASH,
                    allow_zero=True)
    points = set(Receipt.objects.filter(issued_by=user, issued_on=day)
                 .values_list("service_point_id", flat=True))
    if user.service_point_id:
        points.add(user.service_point_id)
    if not points:
        raise ValidationError(_("You took no payments that day: there is nothing to close."))
    # The same lock as receipt_issue: receipts being issued right now finish first.
    list(ReceiptBook.objects.select_for_update().filter(service_point__in=points,
                                                        closed_at__isnull=True))
    done = _day_closed(user, day)
    if done is not None:
        raise ValidationError(_("This day was already closed at %(time)s.")
                              % {"time": f"{timezone.localtime(done.closed_at):%Y-%m-%d %H:%M}"})
    summary = day_summary(clerk=user, day=day)
    difference = counted - summary.expected_cash
    explanation = (explanation or "").strip()
    if difference and not explanation:
        raise ValidationError({"explanation": _(
            "The counted cash differs from the expected %(expected)s by %(diff)s: explain why."
        ) % {"expected": summary.expected_cash, "diff": difference}})
    close = DailyClose(
        service_point_id=user.service_point_id or sorted(points)[0], clerk=user, day=day,
        closed_at=moment, receipt_count=summary.receipt_count,
        cash_total=summary.method_total(PaymentMethod.CASH),
        card_total=summary.method_total(PaymentMethod.CARD),
        wechat_total=summary.method_total(PaymentMethod.WECHAT),
        alipay_total=summary.method_total(PaymentMethod.ALIPAY),
        total=summary.total, void_count=len(summary.voids), void_total=summary.void_total,
        stubs=summary.stubs[:200], expected_cash=summary.expected_cash, counted_cash=counted,
        difference=difference, explanation=explanation[:300],
        is_late=rules.daily_close_is_late(day, moment),
    )
    close.full_clean()
    close.save()
    return close


# --- landline balances --------------------------------------------------------------------


@transaction.atomic
def landline_prepayment_record(*, user, account: LandlineAccount, credit: Decimal,
                               first_month: Decimal, receipt: Receipt,
                               now: datetime | None = None) -> list[BalanceEntry]:
    """The money a new line's receipt puts on its balance: the call credit plus the first
    month (Unicom: 23.00, or 11.50 from the 15th), which is then charged at once as the
    month's rent (so the rent run does not charge that month again)."""
    now = now or timezone.now()
    account = LandlineAccount.objects.select_for_update().get(pk=account.pk)
    entries = []
    if credit + first_month > 0:
        entries.append(ledger.receipt_credit(
            user=user, account=account, amount=credit + first_month, receipt=receipt,
            note=_("Prepayment at installation"), at=now))
    if first_month > 0:
        entries.append(ledger.post(
            account=account, kind=LedgerKind.RENT, amount=-first_month, receipt=receipt,
            user=user, at=now, period=ledger.month_start(_local(now).date()),
            note=_("First month's rent and caller ID")))
    return entries


@transaction.atomic
def landline_top_up(*, user, account: LandlineAccount, amount, payment_method: str,
                    payment_reference: str = "", idempotency_key: uuid.UUID | None = None,
                    now: datetime | None = None) -> Receipt:
    """Put call credit on a landline's balance: a receipt and a ledger row, together."""
    done = replayed(Receipt, idempotency_key)
    if done is not None:
        return done
    now = now or timezone.now()
    amount = money(amount, field="amount", maximum=MAX_TOP_UP)
    account = (LandlineAccount.objects.select_for_update()
               .select_related("subscriber", "service_point").get(pk=account.pk))
    if account.state == LandlineState.CLOSED:
        raise ValidationError(_("This line is closed: it cannot take credit."))
    receipt = receipt_issue(
        user=user, service_point=account.service_point, payment_method=payment_method,
        payment_reference=payment_reference, payer_name=account.subscriber.name,
        subscriber=account.subscriber, purpose=ReceiptPurpose.TOP_UP,
        reference=account.phone_number, idempotency_key=idempotency_key, now=now,
        lines=[Line(_("Landline call credit %(number)s") % {"number": account.phone_number},
                    amount, code="top_up")],
    )
    ledger.receipt_credit(user=user, account=account, amount=amount, receipt=receipt,
                          note=_("Top-up"), at=now)
    return receipt


# --- renewals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalQuote:
    plan: BroadbandPlan
    starts_on: date
    expires_on: date
    price: Decimal
    plan_change: bool


def broadband_renewal_quote(*, account: BroadbandAccount, plan: BroadbandPlan | None = None,
                            today: date | None = None) -> RenewalQuote:
    """What a renewal costs and until when it runs (the same dates ``broadband_renew`` sets).

    Raises ValidationError where the renewal would be refused.
    """
    today = today or timezone.localdate()
    plan = plan or account.plan
    if account.state not in (BroadbandState.ACTIVE, BroadbandState.EXPIRED):
        raise ValidationError(_("Only an active or expired account can be renewed."))
    change = plan.pk != account.plan_id
    if change and account.expires_on and account.expires_on > today:
        raise ValidationError({"plan": _("The plan can change only at the end of the term "
                                         "(%(date)s).") % {"date": account.expires_on}})
    if change and not plan.is_active:
        raise ValidationError({"plan": _("This plan is no longer on sale.")})
    start = (max(account.expires_on + timedelta(days=1), today) if account.expires_on
             else today)
    return RenewalQuote(plan=plan, starts_on=start,
                        expires_on=accounts_services.term_end(start, plan.months),
                        price=plan.price, plan_change=change)


@transaction.atomic
def broadband_renewal_pay(*, user, account: BroadbandAccount, payment_method: str,
                          plan: BroadbandPlan | None = None, payment_reference: str = "",
                          idempotency_key: uuid.UUID | None = None,
                          now: datetime | None = None) -> Receipt:
    """Renewal (续费): one more term at the plan's price, under the original registration
    serial (handbook §4.1.0); at term end, with another plan (plan change)."""
    done = replayed(Receipt, idempotency_key)
    if done is not None:
        return done
    moment = _local(now)
    account = (BroadbandAccount.objects.select_for_update()
               .select_related("plan", "subscriber", "service_point").get(pk=account.pk))
    quote = broadband_renewal_quote(account=account, plan=plan, today=moment.date())
    accounts_services.broadband_renew(user=user, account=account,
                                      plan=quote.plan if quote.plan_change else None,
                                      today=moment.date())
    description = _("%(plan)s, %(start)s to %(end)s") % {
        "plan": quote.plan.name, "start": f"{quote.starts_on:%Y-%m-%d}",
        "end": f"{quote.expires_on:%Y-%m-%d}"}
    return receipt_issue(
        user=user, service_point=account.service_point, payment_method=payment_method,
        payment_reference=payment_reference, payer_name=account.subscriber.name,
        subscriber=account.subscriber,
        purpose=ReceiptPurpose.PLAN_CHANGE if quote.plan_change else ReceiptPurpose.RENEWAL,
        reference=f"{account.registration_serial} {account.account_name}".strip(),
        idempotency_key=idempotency_key, now=moment,
        lines=[Line(description, quote.price, code="renewal")],
    )


# --- invoices -----------------------------------------------------------------------------


@transaction.atomic
def invoice_request(*, user, receipt: Receipt, title: str, tax_id: str = "",
                    today: date | None = None) -> InvoiceRequest:
    """Take an invoice request: within one month of the receipt date; ready a week later."""
    today = today or timezone.localdate()
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Whose name goes on the invoice?")})
    tax_id = (tax_id or "").strip().upper()
    if tax_id and not re.match(r"^[0-9A-Z]{15,20}$", tax_id):
        raise ValidationError({"tax_id": _("A taxpayer ID has 15 to 20 letters and digits.")})
    if receipt.is_void:
        raise ValidationError(_("A void receipt gets no invoice."))
    if InvoiceRequest.objects.filter(receipt=receipt).exists():
        raise ValidationError(_("An invoice was already requested for this receipt."))
    deadline = rules.invoice_request_deadline(receipt.issued_on)
    if today > deadline:
        raise ValidationError(_("Invoices are issued within one month of the receipt date: "
                                "this receipt's time ran out on %(date)s.")
                              % {"date": f"{deadline:%Y-%m-%d}"})
    request = InvoiceRequest(receipt=receipt, service_point_id=receipt.service_point_id,
                             title=title[:100], tax_id=tax_id, requested_by=user,
                             ready_on=rules.invoice_ready_on(today))
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def invoice_collect(*, user, request: InvoiceRequest, now: datetime | None = None):
    request = InvoiceRequest.objects.select_for_update().get(pk=request.pk)
    moment = _local(now)
    if request.collected_at is not None:
        raise ValidationError(_("This invoice was already collected."))
    if moment.date() < request.ready_on:
        raise ValidationError(_("The invoice is ready on %(date)s.")
                              % {"date": f"{request.ready_on:%Y-%m-%d}"})
    request.collected_at = moment
    request.save(update_fields=["collected_at"])
    return request
