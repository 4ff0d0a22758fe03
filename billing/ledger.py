"""The landline prepaid ledger (固话缴费系统): postings, barring, adjustments, the monthly
rent run and package call credit.

Every balance move is a ``BalanceEntry`` row; the database adds it to the line's balance
(triggers in ``billing.models``), so code here never writes the balance column. After a
posting, ``sync_barring`` bars a line whose balance went below zero and lifts the bar
once it is back above zero (customer notice: 欠费可对其使用的电话停机, 停机期间月租费照收).

Batch jobs (the rent run, posting imported calls) take one advisory lock, so two of them
never lock the same lines in different orders.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.choices import BroadbandState, LandlineState
from accounts.models import LandlineAccount
from billing import rules
from billing.choices import LedgerKind
from billing.models import BalanceEntry, CallCredit, Receipt
from servicedesk.idempotency import replayed

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_ADJUSTMENT = Decimal("5000.00")
MAX_ALERT_THRESHOLD = Decimal("1000.00")
# Carrier code of China Unicom, whose lines pay their first month by the day accepted.
UNICOM = "unicom"
# The add-on that a plan's caller ID fee already pays for (来电显示).
CALLER_ID_ADD_ON = "clip"
# Lines charged rent: rent still accrues while barred (停机期间月租费照收).
RENT_STATES = [LandlineState.ACTIVE, LandlineState.BARRED]
# pg_advisory_xact_lock key of the ledger's batch jobs.
BATCH_LOCK = 0x62696C6C  # "bill"
RENT_BATCH = 500


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def batch_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK])


def post(*, account: LandlineAccount, kind: str, amount: Decimal, user=None, note: str = "",
         receipt: Receipt | None = None, period: date | None = None, add_on=None,
         cdr_import=None, at: datetime | None = None,
         idempotency_key: uuid.UUID | None = None) -> BalanceEntry:
    """Write one ledger row; the database moves the balance and stamps ``balance_after``.
    Runs inside the caller's transaction; ``account.balance`` is updated to match."""
    entry = BalanceEntry.objects.create(
        landline=account, kind=kind, amount=amount, note=(note or "")[:120], by=user,
        receipt=receipt, period=period, add_on=add_on, cdr_import=cdr_import,
        at=at or timezone.now(), idempotency_key=idempotency_key,
    )
    entry.refresh_from_db(fields=["balance_after"])
    account.balance = entry.balance_after
    return entry


def sync_barring(*, account: LandlineAccount, user=None) -> str | None:
    """Bar an active line whose balance is below zero; unbar a barred one above zero.

    Returns the new state when it changed. The move is recorded by accounts.services.
    """
    account.refresh_from_db(fields=["balance", "state"])
    if account.balance < 0 and account.state == LandlineState.ACTIVE:
        accounts_services.landline_set_barred(
            user=user, account=account, barred=True,
            note=_("Balance ¥%(balance)s: barred for arrears") % {"balance": account.balance})
    elif account.balance > 0 and account.state == LandlineState.BARRED:
        accounts_services.landline_set_barred(
            user=user, account=account, barred=False,
            note=_("Balance ¥%(balance)s: paid up, bar lifted") % {"balance": account.balance})
    else:
        return None
    account.refresh_from_db(fields=["state"])
    return account.state


def receipt_credit(*, user, account: LandlineAccount, amount: Decimal, receipt: Receipt,
                   note: str, at: datetime | None = None) -> BalanceEntry:
    """Money a receipt puts on a line (a top-up, a prepayment): the deposit row, and the
    bar lifted when the balance is back above zero. In the receipt's transaction."""
    entry = post(account=account, kind=LedgerKind.DEPOSIT, amount=amount, user=user,
                 receipt=receipt, note=note, at=at)
    sync_barring(account=account, user=user)
    return entry


def receipt_reverse(*, user, receipt: Receipt, at: datetime | None = None) -> list[BalanceEntry]:
    """A voided receipt takes back what it put on each line's balance (its net)."""
    entries = []
    nets = (BalanceEntry.objects.filter(receipt=receipt).exclude(kind=LedgerKind.REVERSAL)
            .values("landline").annotate(net=Sum("amount")).order_by("landline"))
    for row in nets:
        if row["net"] <= 0:
            continue
        account = LandlineAccount.objects.select_for_update().get(pk=row["landline"])
        if BalanceEntry.objects.filter(landline=account, receipt=receipt,
                                       kind=LedgerKind.REVERSAL).exists():
            continue
        entries.append(post(
            account=account, kind=LedgerKind.REVERSAL, amount=-row["net"], user=user,
            receipt=receipt, at=at,
            note=_("Receipt %(number)s voided") % {"number": receipt.number_display}))
        sync_barring(account=account, user=user)
    return entries


@transaction.atomic
def landline_balance_adjust(*, user, account: LandlineAccount, amount, reason: str,
                            idempotency_key: uuid.UUID | None = None,
                            now: datetime | None = None) -> BalanceEntry:
    """A manager corrects a balance (a wrong charge refunded, a goodwill credit…), with the
    reason. Positive puts money on, negative takes it off; the bar follows the balance."""
    done = replayed(BalanceEntry, idempotency_key)
    if done is not None:
        return done
    if not user.has_perm("billing.adjust_balance"):
        raise ValidationError(_("Only a manager can adjust a balance."))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the balance is adjusted.")})
    try:
        value = Decimal(str(amount).strip())
    except ArithmeticError:
        value = None
    if (value is None or isinstance(amount, float) or not value.is_finite()
            or value != value.quantize(CENT) or value == 0):
        raise ValidationError({"amount": _("Enter a non-zero amount in yuan, e.g. 10 or -2.50.")})
    if abs(value) > MAX_ADJUSTMENT:
        raise ValidationError({"amount": _("An adjustment is at most ¥%(max)s either way.")
                               % {"max": MAX_ADJUSTMENT}})
    account = LandlineAccount.objects.select_for_update().get(pk=account.pk)
    if account.state == LandlineState.CLOSED:
        raise ValidationError(_("This line is closed: its balance cannot change."))
    entry = post(account=account, kind=LedgerKind.ADJUSTMENT, amount=value.quantize(CENT),
                 user=user, note=reason, at=now, idempotency_key=idempotency_key)
    sync_barring(account=account, user=user)
    return entry


@transaction.atomic
def landline_alert_threshold_set(*, user, account: LandlineAccount,
                                 threshold) -> LandlineAccount:
    """A manager sets the balance under which a line is listed for a reminder call
    (default ¥1.00). The line's audit trigger records the change with who made it."""
    if not user.has_perm("billing.adjust_balance"):
        raise ValidationError(_("Only a manager can change the alert threshold."))
    try:
        value = Decimal(str(threshold).strip())
    except ArithmeticError:
        value = None
    if (value is None or isinstance(threshold, float) or not value.is_finite()
            or value != value.quantize(CENT) or value < 0):
        raise ValidationError({"alert_threshold": _(
            "Enter an amount in yuan of 0 or more, e.g. 1 or 5.50.")})
    if value > MAX_ALERT_THRESHOLD:
        raise ValidationError({"alert_threshold": _(
            "An alert threshold is at most ¥%(max)s.") % {"max": MAX_ALERT_THRESHOLD}})
    account = LandlineAccount.objects.select_for_update().get(pk=account.pk)
    if account.state == LandlineState.CLOSED:
        raise ValidationError(_("This line is closed: its alert threshold cannot change."))
    if account.alert_threshold != value:
        account.alert_threshold = value.quantize(CENT)
        with pghistory.context(user=user.pk):
            account.save(update_fields=["alert_threshold"])
    return account


# --- the monthly rent run -----------------------------------------------------------------


@dataclass
class RentRunResult:
    month: date
    lines: int = 0
    rent_rows: int = 0
    add_on_rows: int = 0
    already_charged: int = 0
    credits: int = 0
    charged: Decimal = ZERO
    barred: int = 0


def is_bundled(account: LandlineAccount) -> bool:
    """Billed with an active broadband account: no monthly rent (固话随宽带计费优惠)."""
    broadband = account.bundled_with
    return broadband is not None and broadband.state == BroadbandState.ACTIVE


def month_rent(account: LandlineAccount, month: date) -> Decimal:
    """What the rent run charges a line for ``month``: the plan's rent and caller ID (none
    when bundled); a Unicom line's first month by the day it was accepted."""
    if (account.carrier.code == UNICOM and account.accepted_on
            and month_start(account.accepted_on) == month):
        return rules.unicom_first_month_charge(account.accepted_on)
    plan = account.plan
    return rules.landline_monthly_rent(plan.monthly_rent + plan.caller_id_fee,
                                       is_bundled(account))


def month_add_ons(account: LandlineAccount) -> list:
    """The add-ons charged monthly: those with a fee, except caller ID where the plan's own
    caller ID fee already pays for it."""
    return [add_on for add_on in account.add_ons.all()
            if add_on.monthly_fee > 0
            and not (add_on.code == CALLER_ID_ADD_ON and account.plan.caller_id_fee > 0)]


def month_credit(account: LandlineAccount, month: date) -> tuple[Decimal, date | None]:
    """The package call credit for ``month`` and its last day: void at month end, and never
    past the broadband term (赠送年话费以宽带到期时为截止期)."""
    broadband = account.bundled_with
    if broadband is None or broadband.state != BroadbandState.ACTIVE:
        return ZERO, None
    credit = broadband.plan.monthly_call_credit
    if credit <= 0 or (broadband.expires_on and broadband.expires_on < month):
        return ZERO, None
    until = month_end(month)
    if broadband.expires_on and broadband.expires_on < until:
        until = broadband.expires_on
    return credit, until


def rent_run_lines(month: date):
    """The lines the run charges for ``month``: active or barred, in service by month end."""
    return (LandlineAccount.objects.filter(state__in=RENT_STATES)
            .exclude(starts_on__gt=month_end(month))
            .select_related("plan", "carrier", "bundled_with__plan")
            .prefetch_related("add_ons").order_by("pk"))


def landline_rent_run(*, month: date, user=None, now: datetime | None = None,
                      batch: int = RENT_BATCH) -> RentRunResult:
    """Charge every line its rent and add-on fees for ``month`` and grant its package call
    credit. Idempotent: a line already charged for the month is not charged again (the
    database refuses a second rent row). Commits every ``batch`` lines."""
    month = month_start(month)
    now = now or timezone.now()
    result = RentRunResult(month=month)
    ids = list(rent_run_lines(month).values_list("pk", flat=True))
    for offset in range(0, len(ids), batch):
        with transaction.atomic():
            batch_lock()
            _rent_batch(ids[offset:offset + batch], month, user, now, result)
    return result


def _rent_batch(ids: list[int], month: date, user, now: datetime,
                result: RentRunResult) -> None:
    accounts = list(rent_run_lines(month).filter(pk__in=ids).select_for_update(of=("self",)))
    done_rent = set(BalanceEntry.objects.filter(
        landline__in=ids, kind=LedgerKind.RENT, period=month).values_list("landline", flat=True))
    done_add_ons = set(BalanceEntry.objects.filter(
        landline__in=ids, kind=LedgerKind.ADD_ON, period=month).values_list("landline",
                                                                             "add_on"))
    granted = set(CallCredit.objects.filter(landline__in=ids, period=month)
                  .values_list("landline", flat=True))
    label = f"{month:%Y-%m}"
    for account in accounts:
        result.lines += 1
        posted = False
        if account.pk in done_rent:
            result.already_charged += 1
        else:
            rent = month_rent(account, month)
            if rent > 0:
                post(account=account, kind=LedgerKind.RENT, amount=-rent, user=user, at=now,
                     period=month, note=_("Rent %(month)s, %(plan)s")
                     % {"month": label, "plan": account.plan.name})
                result.rent_rows += 1
                result.charged += rent
                posted = True
        for add_on in month_add_ons(account):
            if (account.pk, add_on.pk) in done_add_ons:
                continue
            post(account=account, kind=LedgerKind.ADD_ON, amount=-add_on.monthly_fee,
                 user=user, at=now, period=month, add_on=add_on,
                 note=_("%(add_on)s %(month)s") % {"add_on": add_on.name, "month": label})
            result.add_on_rows += 1
            result.charged += add_on.monthly_fee
            posted = True
        if account.pk not in granted:
            credit, until = month_credit(account, month)
            if credit > 0:
                CallCredit.objects.create(landline=account, period=month, amount=credit,
                                          valid_until=until, broadband=account.bundled_with,
                                          granted_at=now)
                result.credits += 1
        if posted and sync_barring(account=account, user=user) == LandlineState.BARRED:
            result.barred += 1
