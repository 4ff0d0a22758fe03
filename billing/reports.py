"""The manager's money figures: receipts and takings, voids, daily closes.

Computed by PostgreSQL (``SUM``/``COUNT … FILTER``, grouped by service point or day),
through the ``receipt_day_sp`` index on the receipt date and ``dailyclose_sp_day`` on the
close day. Figures by service point come as ``{service_point_id: {name: value}}``;
money is ``Decimal``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from billing.choices import ReceiptStatus
from billing.models import DailyClose, Receipt

ZERO = Decimal("0.00")
VALID = Q(status=ReceiptStatus.ISSUED)
VOID = Q(status=ReceiptStatus.VOID)


def _by_point(rows, key: str = "service_point") -> dict:
    return {row.pop(key): row for row in rows}


# Several periods (days ``first``..``last``) in one query, grouped by the period each row
# falls in: the monthly report compares three months.
Days = list[tuple[date, date]]


def _in_days(field: str, periods: Days) -> Q:
    condition = Q()
    for first, last in periods:
        condition |= Q(**{f"{field}__gte": first, f"{field}__lte": last})
    return condition


def _period_of(field: str, periods: Days) -> Case:
    return Case(*[When(Q(**{f"{field}__gte": first, f"{field}__lte": last}), then=Value(i))
                  for i, (first, last) in enumerate(periods)], output_field=IntegerField())


def _split(rows, count: int, key: str = "service_point") -> list[dict]:
    result: list[dict] = [{} for _i in range(count)]
    for row in rows:
        period = row.pop("period")
        result[period][row.pop(key)] = row
    return result


def takings(user, *, first: date, last: date) -> dict:
    """Receipts dated ``first``..``last`` by service point (one query): ``receipts`` (valid),
    ``takings`` (their total), ``voids`` and ``void_total``."""
    return takings_periods(user, periods=[(first, last)])[0]


def takings_periods(user, *, periods: Days) -> list[dict]:
    """:func:`takings` of each of ``periods`` (days ``first``..``last``; they may overlap,
    today within this month), one query in all: a ``FILTER`` per period and figure."""
    ordered = sorted(periods)
    if all(a[1] < b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        # Apart (the monthly report's three months): grouped by the period, 4 sums a row.
        rows = (Receipt.objects.restrict(user).filter(_in_days("issued_on", periods))
                .annotate(period=_period_of("issued_on", periods))
                .values("period", "service_point").order_by()
                .annotate(receipts=Count("pk", filter=VALID),
                          takings=Sum("total", filter=VALID, default=ZERO),
                          voids=Count("pk", filter=VOID),
                          void_total=Sum("total", filter=VOID, default=ZERO)))
        return _split(rows, len(periods))
    aggregates = {}
    for i, (first, last) in enumerate(periods):
        within = Q(issued_on__gte=first, issued_on__lte=last)
        aggregates.update({
            f"receipts_{i}": Count("pk", filter=VALID & within),
            f"takings_{i}": Sum("total", filter=VALID & within, default=ZERO),
            f"voids_{i}": Count("pk", filter=VOID & within),
            f"void_total_{i}": Sum("total", filter=VOID & within, default=ZERO),
        })
    rows = (Receipt.objects.restrict(user).filter(_in_days("issued_on", periods))
            .values("service_point").order_by().annotate(**aggregates))
    result: list[dict] = [{} for _p in periods]
    for row in rows:
        for i, _period in enumerate(periods):
            if row[f"receipts_{i}"] or row[f"voids_{i}"]:
                result[i][row["service_point"]] = {
                    name: row[f"{name}_{i}"]
                    for name in ("receipts", "takings", "voids", "void_total")}
    return result


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
    return daily_close_figures_periods(user, periods=[(first, last)], today=today)[0]


def daily_close_figures_periods(user, *, periods: Days, today: date) -> list[dict]:
    """:func:`daily_close_figures` of each of ``periods`` (2 queries in all; the periods
    must not overlap: a row counts in the first that holds it)."""
    result = _split(DailyClose.objects.restrict(user)
                    .filter(_in_days("day", periods))
                    .annotate(period=_period_of("day", periods))
                    .values("period", "service_point").order_by()
                    .annotate(closes=Count("pk"), late=Count("pk", filter=Q(is_late=True)),
                              difference=Sum("difference", default=ZERO)), len(periods))
    yesterday = date.fromordinal(today.toordinal() - 1)
    # Today is not missing yet: each period ends yesterday at the latest (an empty range
    # when the period starts today or later).
    past = [(first, min(last, yesterday)) for first, last in periods]
    # The clerk days with receipts first (a few thousand), then the ones without a close
    # (a probe each of ``dailyclose_once_a_day``), rather than an anti-join per receipt.
    # The days found missing are few (a clerk who forgot): their period is looked up here.
    clerk_days = (Receipt.objects.restrict(user).filter(_in_days("issued_on", past))
                  .values("service_point", "issued_by", "issued_on").order_by().distinct())
    inner, params = clerk_days.query.sql_with_params()
    close = connection.ops.quote_name(DailyClose._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.service_point, d.issued_on FROM ({inner}) d "
            f"WHERE NOT EXISTS (SELECT 1 FROM {close} c WHERE c.clerk_id = d.issued_by "
            f"AND c.day = d.issued_on)", params)
        missing = cursor.fetchall()
    for point, day in missing:
        period = next(i for i, (first, last) in enumerate(past) if first <= day <= last)
        target = result[period].setdefault(point, {})
        target["missing"] = target.get("missing", 0) + 1
    return result
