"""Reads of money that pages (and other apps) share. Every one is scoped by the caller."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.reports import under_alert_threshold
from billing.choices import PaymentMethod, ReceiptStatus
from billing.models import DailyClose, Receipt, ReceiptBook
from servicedesk.timeline import TimelineEntry

ZERO = Decimal("0.00")


def receipts_for_display():
    return Receipt.objects.select_related("book", "issued_by", "subscriber", "service_point")


@dataclass
class MethodTotal:
    method: str
    label: str
    count: int = 0
    total: Decimal = ZERO


@dataclass
class DaySummary:
    """One clerk's day at the counter: what a daily close counts."""

    clerk: object
    day: date
    receipts: list = field(default_factory=list)  # valid ones
    voids: list = field(default_factory=list)
    methods: list[MethodTotal] = field(default_factory=list)
    close: DailyClose | None = None

    @property
    def receipt_count(self) -> int:
        return len(self.receipts)

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.receipts), ZERO)

    @property
    def void_total(self) -> Decimal:
        return sum((r.total for r in self.voids), ZERO)

    def method_total(self, method: str) -> Decimal:
        return next((m.total for m in self.methods if m.method == method), ZERO)

    @property
    def expected_cash(self) -> Decimal:
        return self.method_total(PaymentMethod.CASH)

    @property
    def stubs(self) -> str:
        """First and last receipt numbers used per book (the stubs to hand over)."""
        books: dict = defaultdict(list)
        for receipt in [*self.receipts, *self.voids]:
            books[receipt.book.series].append(receipt.number)
        return "; ".join(
            _("%(series)s %(first)s–%(last)s (%(n)d)") % {
                "series": series, "first": f"{min(numbers):07d}", "last": f"{max(numbers):07d}",
                "n": len(numbers)}
            for series, numbers in sorted(books.items())
        )


def day_summary(*, clerk, day: date) -> DaySummary:
    """The clerk's receipts of ``day`` (two queries, whatever the number of receipts)."""
    receipts = list(Receipt.objects.filter(issued_by=clerk, issued_on=day)
                    .select_related("book").order_by("book__series", "number"))
    summary = DaySummary(clerk=clerk, day=day,
                         close=DailyClose.objects.filter(clerk=clerk, day=day).first())
    summary.receipts = [r for r in receipts if not r.is_void]
    summary.voids = [r for r in receipts if r.is_void]
    totals = {m: MethodTotal(m, label) for m, label in PaymentMethod.choices}
    for receipt in summary.receipts:
        totals[receipt.payment_method].count += 1
        totals[receipt.payment_method].total += receipt.total
    summary.methods = list(totals.values())
    return summary


def takings(user, *, day: date) -> list[MethodTotal]:
    """Valid receipts of ``day`` that ``user`` may see, by payment method (one query)."""
    rows = (Receipt.objects.restrict(user).filter(issued_on=day, status=ReceiptStatus.ISSUED)
            .values("payment_method").annotate(n=Count("id"), total=Sum("total")))
    by_method = {row["payment_method"]: row for row in rows}
    return [MethodTotal(m, label, by_method.get(m, {}).get("n", 0),
                        by_method.get(m, {}).get("total") or ZERO)
            for m, label in PaymentMethod.choices]


def open_book(service_point_id) -> ReceiptBook | None:
    if service_point_id is None:
        return None
    return ReceiptBook.objects.filter(service_point_id=service_point_id,
                                      closed_at__isnull=True).first()


def unclosed_days(user, *, days: int = 14, today: date | None = None) -> list[dict]:
    """Clerk days with receipts but no daily close, in the last ``days`` days (one query):
    ``[{"issued_by": id, "clerk": name, "issued_on": day, "n": count}]``."""
    today = today or timezone.localdate()
    closed = DailyClose.objects.filter(day__gte=today - timedelta(days=days))
    rows = (Receipt.objects.restrict(user)
            .filter(issued_on__gte=today - timedelta(days=days))
            .exclude(issued_on=today)
            .values("issued_by", "issued_by__full_name", "issued_on")
            .annotate(n=Count("id"))
            .order_by("-issued_on"))
    done = set(closed.values_list("clerk_id", "day"))
    return [{"issued_by": r["issued_by"], "clerk": r["issued_by__full_name"],
             "issued_on": r["issued_on"], "n": r["n"]}
            for r in rows if (r["issued_by"], r["issued_on"]) not in done]


RECEIPT_TIMELINE_LENGTH = 20


def receipt_timeline(subscriber, user) -> list[TimelineEntry]:
    """The subscriber page's timeline: the subscriber's receipts (one query, limited)."""
    receipts = (Receipt.objects.restrict(user).filter(subscriber=subscriber)
                .select_related("book").order_by("-issued_at")[:RECEIPT_TIMELINE_LENGTH])
    return [
        TimelineEntry(
            at=r.issued_at, kind=_("Receipt"),
            title=f"{r.number_display} · {r.get_purpose_display()} · ¥{r.total}",
            url=r.get_absolute_url(),
            state=(_("Void") if r.is_void else r.get_payment_method_display()),
        )
        for r in receipts
    ]


def close_status(user, *, day: date) -> DailyClose | None:
    return DailyClose.objects.filter(clerk=user, day=day).first()


def find_account(user, text: str, models: tuple | None = None):
    """The line a counter form is for: a broadband account name (dw0120502) or a landline
    number (68012345), among those ``user`` may see; an open account before a closed one."""
    from django.db.models import Case, IntegerField, Value, When

    from accounts.models import BroadbandAccount, LandlineAccount

    models = models or (BroadbandAccount, LandlineAccount)
    text = (text or "").strip()
    if not text or len(text) > 20:
        return None
    if text.isdigit():
        model, lookup = LandlineAccount, {"phone_number": text}
    else:
        model, lookup = BroadbandAccount, {"account_name__iexact": text}
    if model not in models:
        return None
    return (model.objects.restrict(user).filter(**lookup)
            .select_related("subscriber", "premises__service_point", "carrier", "plan")
            .annotate(closed=Case(When(state="closed", then=Value(1)), default=Value(0),
                                  output_field=IntegerField()))
            .order_by("closed", "-created_at").first())


# --- landline ledger ----------------------------------------------------------------------


LAST_MOVEMENTS = 10


@dataclass
class LandlineTariff:
    """What the desk tells a caller about a line (handbook 4.2.7-4.2.9 in one place)."""

    account: object
    rent: Decimal
    bundled: bool
    add_ons: list  # (add-on, monthly fee charged)
    credit: object  # this month's CallCredit or None
    movements: list


def landline_tariff(account, *, today: date | None = None,
                    movements: int = LAST_MOVEMENTS) -> LandlineTariff:
    return landline_tariffs([account], today=today, movements=movements)[0]


def landline_tariffs(accounts, *, today: date | None = None,
                     movements: int = LAST_MOVEMENTS) -> list[LandlineTariff]:
    """Tariffs of several lines in a fixed number of queries (the subscriber page).

    The accounts come with plan, carrier, bundled_with__plan and add_ons prefetched.
    """
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    from billing import ledger
    from billing.models import BalanceEntry, CallCredit

    today = today or timezone.localdate()
    month = ledger.month_start(today)
    ids = [account.pk for account in accounts]
    credits = {c.landline_id: c for c in CallCredit.objects.filter(landline__in=ids,
                                                                   period=month)}
    recent = defaultdict(list)
    rows = (BalanceEntry.objects.filter(landline__in=ids)
            .annotate(rank=Window(RowNumber(), partition_by=F("landline"),
                                  order_by=[F("at").desc(), F("pk").desc()]))
            .filter(rank__lte=movements).select_related("receipt__book")
            .order_by("landline", "-at", "-pk"))
    for entry in rows:
        recent[entry.landline_id].append(_with_balance(entry))
    tariffs = []
    for account in accounts:
        charged = {add_on.pk for add_on in ledger.month_add_ons(account)}
        tariffs.append(LandlineTariff(
            account=account,
            rent=ledger.month_rent(account, month),
            bundled=ledger.is_bundled(account),
            add_ons=[(add_on, add_on.monthly_fee if add_on.pk in charged else ZERO)
                     for add_on in account.add_ons.all()],
            credit=credits.get(account.pk),
            movements=recent[account.pk],
        ))
    return tariffs


def _with_balance(entry):
    entry.shown_balance = entry.balance_after
    return entry


def landline_for_billing():
    from accounts.models import LandlineAccount

    return LandlineAccount.objects.select_related(
        "subscriber", "premises", "service_point", "carrier", "plan",
        "bundled_with__plan").prefetch_related("add_ons")


@dataclass
class Statement:
    """A line's statement (详单) of one month: opening, every ledger row, closing, calls.

    A row belongs to the month it is for (``period``: rent, fees, calls) or else to the
    month it was written in; so opening + the month's rows = closing, month after month.
    """

    account: object
    month: date
    opening: Decimal
    entries: list
    closing: Decimal
    calls: list
    by_kind: list  # (label, total)
    call_total: Decimal
    credit_used: Decimal


def landline_statement(account, month: date) -> Statement:
    from billing import ledger
    from billing.models import BalanceEntry, CallRecord

    start = ledger.month_start(month)
    tz = timezone.get_current_timezone()
    begin = timezone.make_aware(datetime.combine(start, time.min), tz)
    end = timezone.make_aware(
        datetime.combine(ledger.month_end(start) + timedelta(days=1), time.min), tz)
    # Rent, fees and calls belong to the month they are for (calls imported on the 2nd
    # are last month's); top-ups and adjustments to the month they happened.
    rows = BalanceEntry.objects.filter(landline=account)
    before = Q(period__lt=start) | Q(period__isnull=True, at__lt=begin)
    within = Q(period=start) | Q(period__isnull=True, at__gte=begin, at__lt=end)
    opening = rows.filter(before).aggregate(s=Sum("amount"))["s"] or ZERO
    entries = list(rows.filter(within).select_related("receipt__book").order_by("at", "pk"))
    kinds = defaultdict(lambda: ZERO)
    running = opening
    for entry in entries:
        kinds[entry.get_kind_display()] += entry.amount
        running += entry.amount
        entry.shown_balance = running  # the statement's own running balance
    calls = list(CallRecord.objects.filter(landline=account, started_at__gte=begin,
                                           started_at__lt=end).order_by("started_at", "pk"))
    return Statement(
        account=account, month=start, opening=opening, entries=entries,
        closing=opening + sum((e.amount for e in entries), ZERO), calls=calls,
        by_kind=sorted(kinds.items()), call_total=sum((c.charge for c in calls), ZERO),
        credit_used=sum((c.credit_used for c in calls), ZERO))


def low_balance_lines(user):
    """Open lines under their alert threshold, for a reminder call: the reports' retention
    list's definition (accounts.reports.under_alert_threshold) on the billing columns."""
    return under_alert_threshold(landline_for_billing().restrict(user))


def subscriber_landline_panel(subscriber, user):
    """The subscriber page's landline billing panel (settings.SUBSCRIBER_PANELS)."""
    if not user.has_perm("billing.view_balanceentry"):
        return None
    accounts = list(landline_for_billing().restrict(user).filter(subscriber=subscriber)
                    .exclude(state="closed"))
    if not accounts:
        return None
    return {"template": "billing/_subscriber_landline_panel.html",
            "tariffs": landline_tariffs(accounts, movements=5)}
