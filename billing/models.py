"""Money at the counter: receipt books, receipts, the daily close, landline balances.

Handbook 001 §2 (营业员岗位职责: 票据存根按起讫号码连号, 不得空缺; 作废发票注明原因;
帐、款、票据存根三者相符), §3.7 (营业款 19:00 以前点清), §4.0.8 (收款金额要与收款收据一致)
and DOMAIN.md §4.

What the schema itself guarantees, whatever code path writes:
- a receipt number is unique in its book, and numbers are taken from the book row under a
  lock (``billing.services.receipt_issue``), so they run without gaps;
- a receipt is never deleted, its amounts never change, its lines never change; only the
  void fields can be written after issue (triggers);
- at commit, a receipt's total equals the sum of its lines (a deferred constraint trigger);
- a daily close's difference is counted − expected, and a non-zero one is explained.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import LandlineAccount
from billing.choices import (
    CREDIT_KINDS,
    DEBIT_KINDS,
    CallStatus,
    CallType,
    CdrImportStatus,
    LedgerKind,
    PaymentMethod,
    ReceiptPurpose,
    ReceiptStatus,
)
from servicedesk.audit import audited
from servicedesk.models import ServicePoint
from servicedesk.querysets import RestrictedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- receipt books ------------------------------------------------------------------------


@audited()
class ReceiptBook(models.Model):
    """A book of numbered receipt forms (收据本) of one service point: first to last number.

    ``next_number`` is the number the next receipt takes; the book is used up when it
    passes ``last_number``. One book per service point is open at a time.
    """

    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="receipt_books")
    series = models.CharField(
        _("series"), max_length=12,
        help_text=_("Printed before the number, e.g. DW2026A."),
    )
    first_number = models.PositiveIntegerField(_("first number"),
                                               validators=[MinValueValidator(1)])
    last_number = models.PositiveIntegerField(_("last number"),
                                              validators=[MinValueValidator(1)])
    next_number = models.PositiveIntegerField(_("next number"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"),
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    close_note = models.CharField(_("closing note"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["service_point", "-opened_at"]
        verbose_name = _("receipt book")
        verbose_name_plural = _("receipt books")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_number__gte=F("first_number")), name="receiptbook_range",
                violation_error_message=_("The last number must not be below the first."),
            ),
            models.CheckConstraint(
                condition=Q(next_number__gte=F("first_number"))
                & Q(next_number__lte=F("last_number") + 1),
                name="receiptbook_next_in_range",
            ),
            models.UniqueConstraint(
                fields=["service_point"], condition=Q(closed_at__isnull=True),
                name="receiptbook_one_open_per_point",
                violation_error_message=_("This service point already has an open receipt "
                                          "book."),
            ),
        ]
        indexes = [models.Index(fields=["series", "first_number"], name="receiptbook_series")]

    def __str__(self) -> str:
        return f"{self.series} {self.first_number:07d}–{self.last_number:07d}"

    def get_absolute_url(self) -> str:
        return reverse("billing:receiptbook_list") + f"?service_point={self.service_point_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def remaining(self) -> int:
        return self.last_number + 1 - self.next_number if self.is_open else 0

    @property
    def used(self) -> int:
        return self.next_number - self.first_number


# --- receipts -----------------------------------------------------------------------------


RECEIPT_TOTAL_MATCHES_LINES = """
    IF (SELECT r.total FROM billing_receipt r WHERE r.id = {receipt_id}) IS DISTINCT FROM
       (SELECT COALESCE(SUM(l.amount), 0) FROM billing_receiptline l
         WHERE l.receipt_id = {receipt_id}) THEN
        RAISE EXCEPTION 'receipt %: the total is not the sum of its lines', {receipt_id}
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
"""


class ReceiptQuerySet(RestrictedQuerySet):
    def valid(self):
        return self.filter(status=ReceiptStatus.ISSUED)


@audited()
class Receipt(models.Model):
    """A receipt (收据): numbered from its book, never deleted, voided with a reason."""

    book = models.ForeignKey(ReceiptBook, verbose_name=_("receipt book"),
                             on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField(_("number"))
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(_("date"))
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("clerk"),
                                  on_delete=models.PROTECT, related_name="+")
    subscriber = models.ForeignKey("accounts.Subscriber", verbose_name=_("subscriber"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="receipts")
    payer_name = models.CharField(_("received from"), max_length=60)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ReceiptPurpose.choices)
    reference = models.CharField(
        _("reference"), max_length=80, blank=True,
        help_text=_("Registration serial, account name or phone number the money is for."),
    )
    payment_method = models.CharField(_("payment method"), max_length=8,
                                      choices=PaymentMethod.choices)
    payment_reference = models.CharField(
        _("payment reference"), max_length=40, blank=True,
        help_text=_("Card slip or transaction number (not for cash)."),
    )
    total = models.DecimalField(_("total"), **MONEY)
    status = models.CharField(_("status"), max_length=8, choices=ReceiptStatus.choices,
                              default=ReceiptStatus.ISSUED)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("voided by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ReceiptQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        permissions = [
            ("void_receipt", _("Can void any receipt (manager)")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="receipt_number_once",
                                    violation_error_message=_("This receipt number is taken.")),
            models.CheckConstraint(condition=Q(total__gt=0), name="receipt_total_positive",
                                   violation_error_message=_("A receipt is for a positive "
                                                             "amount.")),
            models.CheckConstraint(
                condition=Q(status=ReceiptStatus.ISSUED, voided_at__isnull=True)
                | (Q(status=ReceiptStatus.VOID, voided_at__isnull=False)
                   & ~Q(void_reason="")),
                name="receipt_void_has_reason",
                violation_error_message=_("A void receipt needs the time and the reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["service_point", "-issued_at"], name="receipt_sp_issued"),
            models.Index(fields=["-issued_at"], name="receipt_issued"),
            models.Index(fields=["issued_on", "service_point"], name="receipt_day_sp"),
            models.Index(fields=["issued_by", "issued_on"], name="receipt_clerk_day"),
            models.Index(fields=["subscriber", "-issued_at"], name="receipt_subscriber"),
            models.Index(fields=["number"], name="receipt_number"),
            models.Index(fields=["payment_method", "-issued_at"], name="receipt_method"),
            models.Index(fields=["purpose", "-issued_at"], name="receipt_purpose"),
            models.Index(fields=["-issued_at"], condition=Q(status=ReceiptStatus.VOID),
                         name="receipt_voids"),
            GinIndex(OpClass(F("payer_name"), name="gin_trgm_ops"), name="receipt_payer_trgm"),
            GinIndex(OpClass(F("reference"), name="gin_trgm_ops"), name="receipt_reference_trgm"),
        ]
        triggers = [
            pgtrigger.Protect(name="receipt_never_deleted", operation=pgtrigger.Delete),
            # After issue only the void fields change; a void is never undone.
            pgtrigger.ReadOnly(
                name="receipt_amounts_read_only",
                fields=["book", "number", "service_point", "issued_on", "issued_at",
                        "issued_by", "subscriber", "payer_name", "purpose", "payment_method",
                        "total", "idempotency_key"],
            ),
            pgtrigger.Protect(
                name="receipt_void_is_final", operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status=ReceiptStatus.VOID),
            ),
            pgtrigger.Trigger(
                name="receipt_total_equals_lines", level=pgtrigger.Row, when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update, timing=pgtrigger.Deferred,
                func=RECEIPT_TOTAL_MATCHES_LINES.format(receipt_id="NEW.id"),
            ),
        ]

    def __str__(self) -> str:
        return self.number_display

    def get_absolute_url(self) -> str:
        return reverse("billing:receipt_detail", args=[self.pk])

    @property
    def number_display(self) -> str:
        return f"{self.book.series}-{self.number:07d}"

    @property
    def is_void(self) -> bool:
        return self.status == ReceiptStatus.VOID


# Receipt lines that are money for a landline balance: a top-up, the prepaid call credit
# and first month of a new line. At commit the receipt's deposits on the ledger must equal
# them: a receipt cannot take top-up money without crediting the balance in the same
# transaction.
LEDGER_LINE_CODES = ["top_up", "prepaid", "first_month"]
RECEIPT_CREDIT_ON_LEDGER = """
    IF (SELECT COALESCE(SUM(l.amount), 0) FROM billing_receiptline l
         WHERE l.receipt_id = NEW.receipt_id AND l.code IN ('top_up', 'prepaid', 'first_month'))
       IS DISTINCT FROM
       (SELECT COALESCE(SUM(e.amount), 0) FROM billing_balanceentry e
         WHERE e.receipt_id = NEW.receipt_id AND e.kind = 'deposit') THEN
        RAISE EXCEPTION 'receipt %: its landline money is not on the ledger', NEW.receipt_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
"""


class ReceiptLine(models.Model):
    """One line of a receipt: what, how many, at what price. Written once, never changed."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    code = models.CharField(_("code"), max_length=30, blank=True)
    description = models.CharField(_("item"), max_length=120)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["receipt", "position"]
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(unit_price__gte=0),
                                   name="receiptline_not_negative"),
            models.CheckConstraint(condition=Q(amount=F("quantity") * F("unit_price")),
                                   name="receiptline_amount_is_qty_times_price"),
            models.UniqueConstraint(fields=["receipt", "position"],
                                    name="receiptline_position_once"),
        ]
        triggers = [
            pgtrigger.Protect(name="receiptline_written_once",
                              operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="receiptline_credit_on_ledger", level=pgtrigger.Row,
                when=pgtrigger.After, operation=pgtrigger.Insert, timing=pgtrigger.Deferred,
                condition=pgtrigger.Q(new__code__in=LEDGER_LINE_CODES),
                func=RECEIPT_CREDIT_ON_LEDGER,
            ),
            pgtrigger.Trigger(
                name="receiptline_sum_equals_total", level=pgtrigger.Row, when=pgtrigger.After,
                operation=pgtrigger.Insert, timing=pgtrigger.Deferred,
                func=RECEIPT_TOTAL_MATCHES_LINES.format(receipt_id="NEW.receipt_id"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


# --- invoices -----------------------------------------------------------------------------


class InvoiceRequest(models.Model):
    """A customer asks for an invoice (发票) against a receipt: within one month of the
    receipt date, ready one week later (客户须知)."""

    receipt = models.OneToOneField(Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT,
                                   related_name="invoice_request")
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("invoice title"), max_length=100)
    tax_id = models.CharField(_("taxpayer ID"), max_length=20, blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken by"),
                                     on_delete=models.PROTECT, related_name="+")
    ready_on = models.DateField(_("ready on"))
    collected_at = models.DateTimeField(_("collected"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        indexes = [
            models.Index(fields=["service_point", "-requested_at"], name="invoice_sp"),
            models.Index(fields=["-requested_at"], name="invoice_requested"),
            models.Index(fields=["ready_on"], condition=Q(collected_at__isnull=True),
                         name="invoice_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.receipt})"

    def get_absolute_url(self) -> str:
        return self.receipt.get_absolute_url()


# --- landline balances --------------------------------------------------------------------

# The stored balance is ``accounts.LandlineAccount.balance`` (the register's pages filter
# and sort on it); this app owns how it moves. The database keeps the two in step:
# - inserting a ledger row adds its amount to the landline's balance and stamps the row's
#   ``balance_after`` (BEFORE INSERT trigger on BalanceEntry, below);
# - any other change of the balance column is refused (trigger on the landline table,
#   declared on the proxy ``LedgerLandline`` so the migration lives here);
# - a landline created with a balance (a line taken over from the vendor system, demo
#   data) gets an "opening balance" ledger row for it;
# - at commit, a landline's balance equals the sum of its ledger (deferred constraint).
# Ledger rows are never changed or deleted.

LEDGER_POSTING_FLAG = "billing.ledger_posting"

BALANCE_ENTRY_MOVES_BALANCE = f"""
    PERFORM set_config('{LEDGER_POSTING_FLAG}', 'on', true);
    UPDATE accounts_landlineaccount SET balance = balance + NEW.amount
     WHERE id = NEW.landline_id RETURNING balance INTO NEW.balance_after;
    PERFORM set_config('{LEDGER_POSTING_FLAG}', 'off', true);
    IF NEW.balance_after IS NULL THEN
        RAISE EXCEPTION 'landline %: no such account', NEW.landline_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
"""

BALANCE_IS_LEDGER_SUM = """
    IF (SELECT a.balance FROM accounts_landlineaccount a WHERE a.id = NEW.landline_id)
       IS DISTINCT FROM
       (SELECT COALESCE(SUM(e.amount), 0) FROM billing_balanceentry e
         WHERE e.landline_id = NEW.landline_id) THEN
        RAISE EXCEPTION 'landline %: the balance is not the sum of its ledger',
            NEW.landline_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
"""

LANDLINE_BALANCE_FROM_LEDGER_ONLY = f"""
    IF COALESCE(current_setting('{LEDGER_POSTING_FLAG}', true), '') <> 'on' THEN
        RAISE EXCEPTION 'landline %: the balance changes only through ledger rows '
            '(billing.BalanceEntry)', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
"""

LANDLINE_OPENING_BALANCE = f"""
    PERFORM set_config('{LEDGER_POSTING_FLAG}', 'on', true);
    UPDATE accounts_landlineaccount SET balance = 0 WHERE id = NEW.id;
    PERFORM set_config('{LEDGER_POSTING_FLAG}', 'off', true);
    INSERT INTO billing_balanceentry (landline_id, kind, amount, balance_after, note, at)
    VALUES (NEW.id, 'opening', NEW.balance, 0, 'Opening balance', now());
    RETURN NULL;
"""


class LedgerLandline(LandlineAccount):
    """The register's landline account seen from billing: carries the database triggers
    that keep its balance column the sum of its ledger (pgtrigger on a proxy model)."""

    class Meta:
        proxy = True
        default_permissions = ()
        triggers = [
            pgtrigger.Trigger(
                name="landline_balance_from_ledger_only", level=pgtrigger.Row,
                when=pgtrigger.Before, operation=pgtrigger.UpdateOf("balance"),
                condition=pgtrigger.Condition('OLD."balance" IS DISTINCT FROM NEW."balance"'),
                func=LANDLINE_BALANCE_FROM_LEDGER_ONLY,
            ),
            pgtrigger.Trigger(
                name="landline_opening_balance", level=pgtrigger.Row, when=pgtrigger.After,
                operation=pgtrigger.Insert, condition=pgtrigger.Condition('NEW."balance" <> 0'),
                func=LANDLINE_OPENING_BALANCE,
            ),
        ]


class BalanceEntryQuerySet(RestrictedQuerySet):
    pass


class BalanceEntry(models.Model):
    """One move of a landline's prepaid balance: a top-up on a receipt, a month's rent or
    add-on fee, the rated calls of an import, a manager's adjustment with its reason.

    Written by ``billing.services`` (and ``billing.ledger``) only; the database adds the
    amount to the balance and stamps ``balance_after``.
    """

    landline = models.ForeignKey(LandlineAccount, verbose_name=_("landline"),
                                 on_delete=models.PROTECT, related_name="balance_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY, default=0,
                                        editable=False)
    receipt = models.ForeignKey(Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="balance_entries")
    period = models.DateField(_("month"), null=True, blank=True,
                              help_text=_("First day of the month a rent, fee or calls are "
                                          "for."))
    add_on = models.ForeignKey("accounts.AddOn", verbose_name=_("add-on"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    cdr_import = models.ForeignKey("CdrImport", verbose_name=_("call record import"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="entries")
    note = models.CharField(_("note"), max_length=120, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, null=True, related_name="+")
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = BalanceEntryQuerySet.as_manager()
    service_point_path = "landline__service_point"

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("balance entry")
        verbose_name_plural = _("balance entries")
        permissions = [
            ("adjust_balance", _("Can adjust a landline balance (manager)")),
        ]
        indexes = [
            models.Index(fields=["landline", "-at"], name="balance_landline"),
            models.Index(fields=["cdr_import"], name="balance_cdr_import",
                         condition=Q(cdr_import__isnull=False)),
            models.Index(fields=["receipt"], name="balance_receipt",
                         condition=Q(receipt__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=CREDIT_KINDS) & Q(amount__gt=0))
                | (Q(kind__in=DEBIT_KINDS) & Q(amount__lt=0))
                | (Q(kind__in=[LedgerKind.ADJUSTMENT, LedgerKind.OPENING]) & ~Q(amount=0)),
                name="balance_entry_sign",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LedgerKind.ADJUSTMENT) | ~Q(note=""),
                name="balance_adjustment_has_reason",
                violation_error_message=_("An adjustment needs a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[LedgerKind.RENT, LedgerKind.ADD_ON, LedgerKind.CALLS])
                | Q(period__isnull=False, period__day=1),
                name="balance_period_is_month",
            ),
            # The rent run charges each month once, whatever runs twice.
            models.UniqueConstraint(fields=["landline", "period"],
                                    condition=Q(kind=LedgerKind.RENT),
                                    name="balance_rent_once_a_month"),
            models.UniqueConstraint(fields=["landline", "period", "add_on"],
                                    condition=Q(kind=LedgerKind.ADD_ON),
                                    name="balance_add_on_once_a_month"),
            models.UniqueConstraint(fields=["landline", "receipt"],
                                    condition=Q(kind=LedgerKind.REVERSAL),
                                    name="balance_reversal_once"),
            # An import charges a line's calls of a month in one row, once.
            models.UniqueConstraint(fields=["landline", "cdr_import", "period"],
                                    condition=Q(kind=LedgerKind.CALLS),
                                    name="balance_calls_once"),
        ]
        triggers = [
            pgtrigger.Protect(name="balance_entry_written_once",
                              operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="balance_entry_moves_balance", level=pgtrigger.Row,
                when=pgtrigger.Before, operation=pgtrigger.Insert,
                func=BALANCE_ENTRY_MOVES_BALANCE,
            ),
            pgtrigger.Trigger(
                name="balance_is_ledger_sum", level=pgtrigger.Row, when=pgtrigger.After,
                operation=pgtrigger.Insert, timing=pgtrigger.Deferred,
                func=BALANCE_IS_LEDGER_SUM,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class CallCredit(models.Model):
    """Call credit a package gives a landline for one month (套餐内固话所赠话费): used by
    that month's calls before the balance, void at month end, and never after the
    broadband term ends (赠送年话费以宽带到期时为截止期)."""

    landline = models.ForeignKey(LandlineAccount, verbose_name=_("landline"),
                                 on_delete=models.PROTECT, related_name="call_credits")
    period = models.DateField(_("month"))
    amount = models.DecimalField(_("credit"), **MONEY)
    used = models.DecimalField(_("used"), **MONEY, default=0)
    valid_until = models.DateField(_("valid until"))
    broadband = models.ForeignKey("accounts.BroadbandAccount", verbose_name=_("package"),
                                  on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("call credit")
        verbose_name_plural = _("call credits")
        constraints = [
            models.UniqueConstraint(fields=["landline", "period"], name="callcredit_once"),
            models.CheckConstraint(condition=Q(used__gte=0) & Q(used__lte=F("amount")),
                                   name="callcredit_used_within"),
            models.CheckConstraint(condition=Q(period__day=1) & Q(valid_until__gte=F("period")),
                                   name="callcredit_month"),
        ]
        triggers = [pgtrigger.Protect(name="callcredit_never_deleted",
                                      operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} ¥{self.amount}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.used


# --- call detail records ------------------------------------------------------------------


class CdrImport(models.Model):
    """One uploaded call detail record file, rated a chunk at a time (resumable).

    ``next_line`` is the first line not yet read; the counts add up as chunks commit.
    Calls are rated into CallRecord rows and charged to the ledger when the file is done
    (one ledger row per line and month).
    """

    file_name = models.CharField(_("file"), max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.TextField(editable=False)
    line_count = models.PositiveIntegerField(_("lines"))
    next_line = models.PositiveIntegerField(default=2)  # line 1 is the header
    status = models.CharField(_("status"), max_length=8, choices=CdrImportStatus.choices,
                              default=CdrImportStatus.RUNNING)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped (already imported)"), default=0)
    flagged = models.PositiveIntegerField(_("flagged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    total_charged = models.DecimalField(_("total charged"), **MONEY, default=0)
    credit_used = models.DecimalField(_("call credit used"), **MONEY, default=0)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = None

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("call record import")
        verbose_name_plural = _("call record imports")
        default_permissions = ("add", "view")
        indexes = [models.Index(fields=["-uploaded_at"], name="cdrimport_uploaded")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_read=F("rated") + F("skipped") + F("flagged") + F("rejected")),
                name="cdrimport_counts_add_up"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({timezone.localtime(self.uploaded_at):%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("billing:cdrimport_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status == CdrImportStatus.DONE

    @property
    def percent(self) -> int:
        total = max(self.line_count - 1, 1)
        return min(100, int(100 * max(self.next_line - 2, 0) / total))


class CdrRejection(models.Model):
    """A line of a call record file that could not be rated, and why."""

    cdr_import = models.ForeignKey(CdrImport, on_delete=models.CASCADE,
                                   related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    reason = models.CharField(_("reason"), max_length=200)
    raw = models.CharField(_("row"), max_length=200, blank=True)

    class Meta:
        ordering = ["cdr_import", "line"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        indexes = [models.Index(fields=["cdr_import", "line"], name="cdrrejection_line")]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class CallRecord(models.Model):
    """One call from a call detail record file, rated at the line's plan.

    ``charge`` is the call's price (every started minute at the plan's rate); the month's
    package credit pays ``credit_used`` of it and the balance ``charged``. The ledger row
    that took it off the balance is the import's "calls" row of the line and month
    (written when the import is done, in the same transaction that marks it done).
    Rows are written with COPY (``billing.cdr``), so 100,000 calls rate in seconds.
    """

    call_id = models.CharField(_("call ID"), max_length=40, unique=True)
    landline = models.ForeignKey(LandlineAccount, verbose_name=_("landline"),
                                 on_delete=models.PROTECT, related_name="calls")
    cdr_import = models.ForeignKey(CdrImport, on_delete=models.PROTECT, related_name="calls")
    called_number = models.CharField(_("called number"), max_length=24)
    started_at = models.DateTimeField(_("start"))
    seconds = models.PositiveIntegerField(_("seconds"))
    call_type = models.CharField(_("call type"), max_length=13, choices=CallType.choices)
    status = models.CharField(_("status"), max_length=8, choices=CallStatus.choices)
    rate = models.DecimalField(_("rate per minute"), max_digits=8, decimal_places=2)
    charge = models.DecimalField(_("charge"), **MONEY)
    credit_used = models.DecimalField(_("credit used"), **MONEY, default=0)
    charged = models.DecimalField(_("charged to balance"), **MONEY)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "landline__service_point"

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["landline", "started_at"], name="call_landline_started"),
            models.Index(fields=["cdr_import"], name="call_import"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(charge__gte=0, credit_used__gte=0, charged__gte=0)
                & Q(charge=F("credit_used") + F("charged")),
                name="call_charge_split"),
            models.CheckConstraint(
                condition=~Q(status=CallStatus.FLAGGED) | Q(charge=0),
                name="call_flagged_not_charged"),
        ]

    def __str__(self) -> str:
        return self.call_id


# --- daily close --------------------------------------------------------------------------


@audited()
class DailyClose(models.Model):
    """A clerk's daily close (日结): the day's receipts by payment method, the voids, the
    expected and the counted cash. Closed days take no more receipts."""

    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("clerk"),
                              on_delete=models.PROTECT, related_name="daily_closes")
    day = models.DateField(_("day"))
    closed_at = models.DateTimeField(_("closed"))
    receipt_count = models.PositiveIntegerField(_("receipts"))
    cash_total = models.DecimalField(_("cash"), **MONEY)
    card_total = models.DecimalField(_("bank card"), **MONEY)
    wechat_total = models.DecimalField(_("WeChat Pay"), **MONEY)
    alipay_total = models.DecimalField(_("Alipay"), **MONEY)
    total = models.DecimalField(_("total taken"), **MONEY)
    void_count = models.PositiveIntegerField(_("voids"))
    void_total = models.DecimalField(_("voided amount"), **MONEY)
    stubs = models.CharField(_("receipt numbers"), max_length=200, blank=True,
                             help_text=_("First and last numbers used, per book."))
    expected_cash = models.DecimalField(_("expected cash"), **MONEY)
    counted_cash = models.DecimalField(_("counted cash"), **MONEY)
    difference = models.DecimalField(_("difference"), **MONEY)
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)
    is_late = models.BooleanField(_("late"), default=False)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-day", "service_point", "clerk"]
        verbose_name = _("daily close")
        verbose_name_plural = _("daily closes")
        constraints = [
            models.UniqueConstraint(fields=["clerk", "day"], name="dailyclose_once_a_day",
                                    violation_error_message=_("This day is already closed.")),
            models.CheckConstraint(
                condition=Q(difference=F("counted_cash") - F("expected_cash")),
                name="dailyclose_difference",
            ),
            models.CheckConstraint(
                condition=Q(difference=0) | ~Q(explanation=""),
                name="dailyclose_difference_explained",
                violation_error_message=_("Explain the difference between counted and "
                                          "expected cash."),
            ),
            models.CheckConstraint(condition=Q(counted_cash__gte=0),
                                   name="dailyclose_counted_not_negative"),
        ]
        indexes = [
            models.Index(fields=["service_point", "-day"], name="dailyclose_sp_day"),
            models.Index(fields=["-day"], name="dailyclose_day"),
            models.Index(fields=["-day"], condition=Q(is_late=True), name="dailyclose_late"),
        ]
        triggers = [
            pgtrigger.Protect(name="dailyclose_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.clerk}"

    def get_absolute_url(self) -> str:
        return reverse("billing:dailyclose_detail", args=[self.pk])
