"""Retention lists (挽留): the customers about to lapse, for a call.

- broadband accounts active and expiring within the next days (``bb_sp_state_exp`` /
  ``bb_state_expires``: state + expiry range + id, the list's order);
- landlines (active or barred) whose balance is under their alert threshold, written as
  the indexed expression ``balance - alert_threshold < 0`` (``ll_balance_margin``; the
  partial indexes ``ll_low_balance`` / ``ll_sp_low_balance`` on that condition hold the
  list's order, lowest balance first).

A page of either list is the start of an index range (LIMIT 26 rows read), not a sort of
every account that qualifies.

Each row carries the "called" mark of its current period (the expiry date for broadband,
the month for a landline) from ``RetentionCall``, through the mark's unique index.
Counts by service point come from one grouped query per list.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery

from accounts.choices import BroadbandState
from accounts.models import (
    UNDER_ALERT_THRESHOLD,
    BroadbandAccount,
    LandlineAccount,
    RetentionCall,
)

EXPIRING_WITHIN_DAYS = 30


def landline_period(today: date) -> date:
    """A landline's low balance is called about once a month."""
    return today.replace(day=1)


def _expiring(queryset: QuerySet, today: date, within: int) -> QuerySet:
    return queryset.filter(state=BroadbandState.ACTIVE, expires_on__gte=today,
                           expires_on__lte=today + timedelta(days=within))


def under_alert_threshold(queryset: QuerySet) -> QuerySet:
    """Open landlines (active or barred) whose balance is under their alert threshold: the
    one definition behind this retention list and billing's low-balance reminder list."""
    return queryset.filter(UNDER_ALERT_THRESHOLD)


def _with_mark(queryset: QuerySet, account: str, period) -> QuerySet:
    calls = RetentionCall.objects.filter(**{account: OuterRef("pk")}, period=period)
    return queryset.annotate(
        called_at=Subquery(calls.values("called_at")[:1]),
        called_by_name=Subquery(calls.values("called_by__full_name")[:1]),
        call_outcome=Subquery(calls.values("outcome")[:1]),
    )


def expiring_broadband(user, *, today: date, within: int = EXPIRING_WITHIN_DAYS) -> QuerySet:
    """Active broadband accounts expiring in ``today``..``today + within``, soonest first,
    with the subscriber's phones and the call mark of this expiry."""
    queryset = _expiring(BroadbandAccount.objects.restrict(user), today, within)
    calls = RetentionCall.objects.filter(broadband=OuterRef("pk"), period=OuterRef("expires_on"))
    return (queryset.select_related("subscriber", "premises", "service_point", "plan")
            .annotate(called_at=Subquery(calls.values("called_at")[:1]),
                      called_by_name=Subquery(calls.values("called_by__full_name")[:1]),
                      call_outcome=Subquery(calls.values("outcome")[:1]))
            .order_by("expires_on", "pk"))


def low_balance_landlines(user, *, today: date) -> QuerySet:
    """Landlines under their alert threshold, lowest balance first, with the subscriber's
    phones and this month's call mark."""
    queryset = under_alert_threshold(LandlineAccount.objects.restrict(user))
    return (_with_mark(queryset.select_related("subscriber", "premises", "service_point",
                                               "carrier"),
                       "landline", landline_period(today))
            .order_by("balance", "pk"))


def retention_counts(user, *, today: date, within: int = EXPIRING_WITHIN_DAYS) -> dict:
    """``{service_point_id: {"expiring": n, "low_balance": n}}`` (2 grouped queries; not
    one ``UNION ALL``: PostgreSQL runs that as a parallel append, whose workers cost
    more than both counts on a busy 2-core machine)."""
    rows: dict = {}
    # COUNT(*), not of the id: an index-only scan of bb_sp_state_exp (one skip per point)
    # instead of a heap fetch for each of the ~23,000 accounts expiring at N = 100,000.
    expiring = (_expiring(BroadbandAccount.objects.restrict(user), today, within)
                .values("service_point").order_by().annotate(n=Count("*")))
    for row in expiring:
        rows.setdefault(row["service_point"], {})["expiring"] = row["n"]
    low = (under_alert_threshold(LandlineAccount.objects.restrict(user))
           .values("service_point").order_by().annotate(n=Count("*")))
    for row in low:
        rows.setdefault(row["service_point"], {})["low_balance"] = row["n"]
    return rows

