"""The manager's money figures: receipts and takings, voids, daily closes.

Computed by PostgreSQL (``SUM``/``COUNT … FILTER``, grouped by service point or day),
through the ``receipt_day_sp`` index on the receipt date and ``dailyclose_sp_day`` on the
close day. Figures by service point come as ``{service_point_id: {name: value}}``;
money is ``Decimal``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from billing.choices import ReceiptStatus
from billing.models import DailyClose, Receipt

ZERO = Decimal("0.00")
VALID = Q(status=ReceiptStatus.ISSUED)
VOID = Q(status=ReceiptStatus.VOID)


def _by_point(rows, key: str = "service_point") -> dict:
    return {row.pop(key): row for row in rows}


def takings(user, *, first: date, last: date) -> dict:
    """Receipts dated ``first``..``last`` by service point (one query): ``receipts`` (valid),
    ``takings`` (their total), ``voids`` and ``void_total``."""
    rows = (Receipt.objects.restrict(user).filter(issued_on__gte=first, issued_on__lte=last)
            .values("service_point").order_by()
            .annotate(receipts=Count("pk", filter=VALID),
                      takings=Sum("total", filter=VALID, default=ZERO),
                      voids=Count("pk", filter=VOID),
                      void_total=Sum("total", filter=VOID, default=ZERO)))
    return _by_point(rows)


def takings_by_day(user, *, first: date, last: date) -> list[dict]:
    """``[{"issued_on", "receipts", "takings"}]`` for each day with a valid receipt."""
    return list(Receipt.objects.restrict(user)
                .filter(VALID, issued_on__gte=first, issued_on__lte=last)
                .values("issued_on").order_by("issued_on")
                .annotate(receipts=Count("pk"), takings=Sum("total")))


def takings_by_purpose(user, *, first: date, last: date) -> list[dict]:
    """``[{"purpose", "receipts", "takings"}]``, the largest first (one query)."""
    return list(Receipt.objects.restrict(user)
                .filter(VALID, issued_on__gte=first, issued_on__lte=last)
                .values("purpose").order_by()
                .annotate(receipts=Count("pk"), takings=Sum("total"))
                .order_by("-takings", "purpose"))


def daily_close_figures(user, *, first: date, last: date, today: date) -> dict:
    """Daily closes of ``first``..``last`` by service point (2 queries): ``closes``,
    ``late`` (closed after 19:00), ``difference`` (counted − expected, summed), and
    ``missing``: clerk days with receipts but no close (today is not missing yet)."""
    rows = _by_point(DailyClose.objects.restrict(user)
                     .filter(day__gte=first, day__lte=last)
                     .values("service_point").order_by()
                     .annotate(closes=Count("pk"), late=Count("pk", filter=Q(is_late=True)),
                               difference=Sum("difference", default=ZERO)))
    closed = DailyClose.objects.filter(clerk=OuterRef("issued_by"), day=OuterRef("issued_on"))
    missing = (Receipt.objects.restrict(user)
               .filter(issued_on__gte=first, issued_on__lte=min(last, date.fromordinal(
                   today.toordinal() - 1)))
               .filter(~Exists(closed))
               .values("service_point", "issued_by").order_by()
               .annotate(days=Count("issued_on", distinct=True)))
    for row in missing:
        target = rows.setdefault(row["service_point"], {})
        target["missing"] = target.get("missing", 0) + row["days"]
    return rows
