"""The manager's figures of orders, faults, complaints, callbacks and satisfaction.

Every figure is computed by PostgreSQL: one aggregate query per subject with
``COUNT(*) FILTER (WHERE …)`` columns, grouped by service point (or by day, month, cause),
never a loop over rows in Python. Each query reads through an index of the table it
counts: the period's rows by their main time (``wo_accepted``, ``fault_reported``,
``complaint_received``, ``inquiry_received``), the live counts through the partial
indexes of open work (``wo_overdue``, ``fault_open_state``, ``fault_repair_due``,
``complaint_open_state`` …), so a report costs the same after years of history.

Monthly figures follow a *cohort*: the orders accepted, faults reported and complaints
received in the period, and how far each has come by now (dispatched, returned, fixed
within 12 hours, contacted within its clock …). Live figures (open, overdue) are counted
at ``now``. Figures by service point come as ``{service_point_id: {name: value}}``; a
fault of a carrier desk with no compound on file counts under ``None``.

Appraisal's report pages (``appraisal/reports/``) compose these with billing's and the
register's figures; nothing here knows about pages or links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import Premises
from tickets.calldesk_rules import COMPLAINT_CALLBACK_WITHIN
from tickets.models.calldesk import (
    OPEN_COMPLAINT_STATES,
    OPEN_FAULT_STATES,
    REPAIR_STATES,
    Complaint,
    ComplaintCallback,
    ComplaintState,
    ComplaintStatusChange,
    Fault,
    FaultState,
    Inquiry,
    Satisfaction,
)
from tickets.models.workorders import (
    CallbackResult,
    DispatchLine,
    WorkOrder,
    WorkOrderCallback,
    WorkOrderState,
    order_overdue,
)

# Satisfied answers for the satisfaction rate (客户咨询满意率 ≥ 90%, seed 002).
SATISFIED = [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED]
SATISFACTION_TARGET = 90


def satisfied_share(*distributions: dict[str, int]) -> tuple[int, int]:
    """``(satisfied answers, all answers)`` of answer distributions (``{level: count}``),
    "satisfied" being :data:`SATISFIED`: the satisfaction rate of the reports, the
    trend and the manager's tables is ``rate(*satisfied_share(...))``."""
    satisfied = sum(levels.get(level, 0) for levels in distributions for level in SATISFIED)
    return satisfied, sum(sum(levels.values()) for levels in distributions)


def rate(part: int | None, whole: int | None) -> float | None:
    """``part`` of ``whole`` in percent with one decimal, or None when nothing was counted."""
    if not whole:
        return None
    return round(100 * (part or 0) / whole, 1)


def _by_point(rows, key: str = "service_point") -> dict:
    return {row.pop(key): row for row in rows}


# Several periods in one query: the report compares a month with the previous one and the
# same month a year before. Rather than one query per period, the rows of all periods are
# read at once (an OR of index ranges) and grouped by the period they fall in as well.

Periods = list[tuple[datetime, datetime]]


def in_periods(field: str, periods: Periods) -> Q:
    """Rows whose ``field`` lies in one of the [start, end) ``periods``."""
    condition = Q()
    for start, end in periods:
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return condition


def period_of(field: str, periods: Periods) -> Case:
    """The index in ``periods`` of the period a row's ``field`` falls in (the periods must
    not overlap: a row counts in the first that holds it)."""
    return Case(*[When(Q(**{f"{field}__gte": start, f"{field}__lt": end}), then=Value(i))
                  for i, (start, end) in enumerate(periods)], output_field=IntegerField())


def split_periods(rows, count: int, key: str = "service_point") -> list[dict]:
    """Grouped rows carrying ``period`` → one ``{point: {name: value}}`` per period."""
    result: list[dict] = [{} for _i in range(count)]
    for row in rows:
        period = row.pop("period")
        result[period][row.pop(key)] = row
    return result


# --- work orders --------------------------------------------------------------------------


def order_figures(user, *, start: datetime, end: datetime, now: datetime | None = None) -> dict:
    """Orders accepted in [start, end) by service point and how far they came by ``now``:
    ``opened, dispatched, returned, awaiting_dispatch, overdue, cancelled`` (one query),
    and the callbacks made on them, ``callbacks, callbacks_passed`` (one query)."""
    return order_figures_periods(user, periods=[(start, end)], now=now)[0]


def _within(scope: Q | None, condition: Q | None = None) -> Count:
    """COUNT of the rows in ``scope`` (all rows when None) meeting ``condition``."""
    where = [q for q in (scope, condition) if q is not None]
    if not where:
        return Count("pk")
    combined = where[0]
    for q in where[1:]:
        combined &= q
    return Count("pk", filter=combined)


def _order_cohort_counts(now: datetime, scope: Q | None = None) -> dict:
    """The figures of a cohort of orders (all rows, or those in ``scope``)."""
    return {
        "opened": _within(scope),
        "dispatched": _within(scope, Q(dispatched_at__isnull=False)),
        "returned": _within(scope, Q(slip_received_at__isnull=False)),
        "awaiting_dispatch": _within(scope, Q(state=WorkOrderState.ACCEPTED)),
        "overdue": _within(scope, order_overdue(now)),
        "cancelled": _within(scope, Q(state=WorkOrderState.CANCELLED)),
    }


# The orders :func:`order_today` counts: today's and every open one.
_ORDERS_OPEN = Q(state__in=[WorkOrderState.ACCEPTED, WorkOrderState.DISPATCHED])


def _order_today_counts(now: datetime, day_start: datetime) -> dict:
    return {
        "opened_today": _within(Q(accepted_at__gte=day_start)),
        "awaiting_dispatch_now": _within(Q(state=WorkOrderState.ACCEPTED)),
        "overdue_now": _within(order_overdue(now)),
    }


def order_figures_periods(user, *, periods: Periods, now: datetime | None = None) -> list[dict]:
    """:func:`order_figures` of each of ``periods`` (2 queries in all)."""
    now = now or timezone.now()
    cohort = WorkOrder.objects.restrict(user).filter(in_periods("accepted_at", periods))
    result = split_periods(
        cohort.annotate(period=period_of("accepted_at", periods))
        .values("period", "service_point").order_by().annotate(
            **_order_cohort_counts(now)), len(periods))
    _add_order_callbacks(result, cohort, periods)
    return result


def _add_order_callbacks(result: list[dict], cohort, periods: Periods) -> None:
    """``callbacks, callbacks_passed`` of the ``cohort`` orders into ``result`` (1 query)."""
    # Through the callback's order index (``wocallback_order``, with the result), joined to
    # the period's orders: no scan of every callback ever made.
    callbacks = (WorkOrderCallback.objects
                 .filter(order__in=cohort.values("pk"))
                 .annotate(period=period_of("order__accepted_at", periods))
                 .values("period", "order__service_point").order_by()
                 .annotate(callbacks=Count("pk"),
                           callbacks_passed=Count("pk", filter=Q(
                               result=CallbackResult.CONFIRMED))))
    for row in callbacks:
        target = result[row.pop("period")].setdefault(row.pop("order__service_point"), {})
        target.update(row)


def order_home(user, *, day_start: datetime, start: datetime, end: datetime,
               now: datetime | None = None) -> dict:
    """The manager's home: :func:`order_figures` of [start, end) (this month) and
    :func:`order_today` (``day_start`` within the month) together, 3 queries instead of
    4: the month's cohort and the open orders in one scan, with a FILTER per figure."""
    now = now or timezone.now()
    orders = WorkOrder.objects.restrict(user)
    month = Q(accepted_at__gte=start, accepted_at__lt=end)
    rows = _by_point(
        orders.filter(month | _ORDERS_OPEN | Q(accepted_at__gte=day_start))
        .values("service_point").order_by().annotate(
            **_order_cohort_counts(now, month), **_order_today_counts(now, day_start)))
    _add_order_callbacks([rows], orders.filter(month), [(start, end)])
    _add_dispatched_today(rows, orders, day_start)
    return rows


def order_today(user, *, day_start: datetime, now: datetime | None = None) -> dict:
    """Today's counter by service point: ``opened_today`` (accepted since ``day_start``),
    ``dispatched_today`` (handed to an installer today, through the dispatch log), and the
    live ``awaiting_dispatch_now`` and ``overdue_now`` (2 queries)."""
    now = now or timezone.now()
    orders = WorkOrder.objects.restrict(user)
    rows = _by_point(
        orders.filter(Q(accepted_at__gte=day_start) | _ORDERS_OPEN)
        .values("service_point").order_by().annotate(**_order_today_counts(now, day_start)))
    _add_dispatched_today(rows, orders, day_start)
    return rows


def _add_dispatched_today(rows: dict, orders, day_start: datetime) -> None:
    """``dispatched_today``: orders handed to an installer since ``day_start`` (1 query)."""
    dispatched = (DispatchLine.objects
                  .filter(dispatch__dispatched_at__gte=day_start,
                          order__in=orders.values("pk"))
                  .values("dispatch__service_point").order_by()
                  .annotate(dispatched_today=Count("order", distinct=True)))
    for row in dispatched:
        rows.setdefault(row.pop("dispatch__service_point"), {}).update(row)


# --- faults -------------------------------------------------------------------------------


def fault_cohort(user, start: datetime, end: datetime):
    """The faults reported in [start, end), cancelled ones left out."""
    return (Fault.objects.restrict(user).filter(reported_at__gte=start, reported_at__lt=end)
            .exclude(state=FaultState.CANCELLED))


# Fixed within 12 hours: measured from the original report, so a fault reopened after a
# failed callback keeps its first ✓ (``first_fixed_at``) against the report's deadline.
FAULT_ON_TIME = Q(first_fixed_at__isnull=False, first_fixed_at__lte=F("due_at"))


def fault_late(now: datetime) -> Q:
    """Not fixed within 12 hours: the first ✓ came after the deadline, or none yet and the
    deadline has passed by ``now`` (the call desk's statistics, the reports, the fault
    list's filter and the scorecard's evidence all count with this)."""
    return Q(first_fixed_at__gt=F("due_at")) | Q(first_fixed_at__isnull=True, due_at__lt=now)


def fault_overdue_now(now: datetime) -> Q:
    """Open and past the 12 hours at ``now`` (through the partial index fault_repair_due)."""
    return Q(state__in=REPAIR_STATES, due_at__lt=now)


def fault_figures(user, *, start: datetime, end: datetime, now: datetime | None = None) -> dict:
    """Faults reported in [start, end) by service point (one query): ``reported, on_time,
    late, still_open, closed`` and the callbacks made on them, ``callbacks,
    callbacks_passed``. ``on_time`` counts faults fixed within 12 hours of the report.

    A fault keeps its callbacks on its own row (one passed callback ☆ sets
    ``called_back_at``, each failed one × adds to ``failed_callbacks``), so no join with
    the callback table is needed."""
    return fault_figures_periods(user, periods=[(start, end)], now=now)[0]


def _fault_cohort_counts(now: datetime, scope: Q | None = None) -> dict:
    """The figures of a cohort of faults (all rows, or those in ``scope``)."""
    passed = _within(scope, Q(called_back_at__isnull=False))
    failed = Sum("failed_callbacks", default=0, **({"filter": scope} if scope else {}))
    return {
        "reported": _within(scope),
        "on_time": _within(scope, FAULT_ON_TIME),
        "late": _within(scope, fault_late(now)),
        "still_open": _within(scope, Q(state__in=OPEN_FAULT_STATES)),
        "closed": _within(scope, Q(state=FaultState.CLOSED)),
        "callbacks": passed + failed,
        "callbacks_passed": passed,
    }


def _fault_live_counts(now: datetime, day_start: datetime) -> dict:
    return {
        "open_now": _within(Q(state__in=OPEN_FAULT_STATES)),
        "overdue_now": _within(fault_overdue_now(now)),
        "reported_today": _within(Q(reported_at__gte=day_start), ~Q(state=FaultState.CANCELLED)),
    }


def fault_figures_periods(user, *, periods: Periods, now: datetime | None = None) -> list[dict]:
    """:func:`fault_figures` of each of ``periods`` (one query in all)."""
    now = now or timezone.now()
    cohort = (Fault.objects.restrict(user).filter(in_periods("reported_at", periods))
              .exclude(state=FaultState.CANCELLED)
              .annotate(period=period_of("reported_at", periods)))
    return split_periods(cohort.values("period", "service_point").order_by().annotate(
        **_fault_cohort_counts(now)), len(periods))


def fault_home(user, *, day_start: datetime, start: datetime, end: datetime,
               now: datetime | None = None) -> dict:
    """The manager's home: :func:`fault_figures` of [start, end) (this month) and
    :func:`fault_live` (``day_start`` within the month) in one query: the month's cohort
    and the open faults in one scan, with a FILTER per figure."""
    now = now or timezone.now()
    month = (Q(reported_at__gte=start, reported_at__lt=end)
             & ~Q(state=FaultState.CANCELLED))
    return _by_point(
        Fault.objects.restrict(user)
        .filter(month | Q(state__in=OPEN_FAULT_STATES) | Q(reported_at__gte=day_start))
        .values("service_point").order_by().annotate(
            **_fault_cohort_counts(now, month), **_fault_live_counts(now, day_start)))


def fault_live(user, *, day_start: datetime, now: datetime | None = None) -> dict:
    """Faults by service point now: ``open_now``, ``overdue_now`` (not fixed 12 hours after
    the report) and ``reported_today`` (one query, through the open-state partial indexes
    and the report time)."""
    now = now or timezone.now()
    faults = Fault.objects.restrict(user)
    return _by_point(
        faults.filter(Q(state__in=OPEN_FAULT_STATES) | Q(reported_at__gte=day_start))
        .values("service_point").order_by().annotate(**_fault_live_counts(now, day_start)))


def faults_by_day(user, *, start: datetime, end: datetime,
                  now: datetime | None = None) -> list[dict]:
    """``[{"day", "reported", "on_time"}]`` for each local day with a fault (one query)."""
    now = now or timezone.now()
    return list(fault_cohort(user, start, end)
                .annotate(day=TruncDate("reported_at", tzinfo=timezone.get_current_timezone()))
                .values("day").order_by("day")
                .annotate(reported=Count("pk"), on_time=Count("pk", filter=FAULT_ON_TIME),
                          late=Count("pk", filter=fault_late(now))))


def fault_causes(user, *, start: datetime, end: datetime,
                 now: datetime | None = None) -> list[dict]:
    """``[{"cause", "cause__name", "total", "late"}]`` biggest first (one query)."""
    now = now or timezone.now()
    return list(fault_cohort(user, start, end).filter(cause__isnull=False)
                .values("cause", "cause__name")
                .annotate(total=Count("pk"), late=Count("pk", filter=fault_late(now)))
                .order_by("-total", "cause__name"))


def fault_lists(user, *, start: datetime, end: datetime, now: datetime | None = None,
                limit: int = 10) -> tuple[list[dict], list[dict], list[dict]]:
    """:func:`faults_by_day`, :func:`fault_causes` and :func:`repeat_fault_premises` of
    [start, end) from one scan of the faults (``GROUPING SETS``), plus the premises'
    labels: 2 queries instead of 4. The same rows, in the same order."""
    now = now or timezone.now()
    rows = (fault_cohort(user, start, end)
            .annotate(day=TruncDate("reported_at", tzinfo=timezone.get_current_timezone()),
                      fixed_in_time=ExpressionWrapper(FAULT_ON_TIME,
                                                      output_field=BooleanField()),
                      is_late=ExpressionWrapper(fault_late(now), output_field=BooleanField()))
            .values("day", "cause", "cause__name", "premises", "fixed_in_time", "is_late"))
    inner, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # grouping: 3 = by day, 5 = by cause, 6 = by premises (a bit set per column not
        # grouped); a premises is listed only with more than one fault.
        cursor.execute(
            "SELECT GROUPING(day, cause, premises), day, cause, cause__name, premises, "
            "count(*), count(*) FILTER (WHERE fixed_in_time), count(*) FILTER (WHERE is_late) "
            f"FROM ({inner}) f "
            "GROUP BY GROUPING SETS ((day), (cause, cause__name), (premises)) "
            "HAVING GROUPING(premises) = 1 OR count(*) > 1 "
            "ORDER BY 1, 6 DESC, cause__name", params)  # causes in the database's collation
        found = cursor.fetchall()
    days, causes, repeats = [], [], []
    for grouping, day, cause, cause_name, premises, total, on_time, late in found:
        if grouping == 3:
            days.append({"day": day, "reported": total, "on_time": on_time, "late": late})
        elif grouping == 5 and cause is not None:
            causes.append({"cause": cause, "cause__name": cause_name, "total": total,
                           "late": late})
        elif grouping == 6 and premises is not None:
            repeats.append({"premises": premises, "total": total})
    days.sort(key=lambda row: row["day"])
    repeats.sort(key=lambda row: (-row["total"], row["premises"]))
    return days, causes, _premises_labels(repeats[:limit])


def _premises_labels(top: list[dict]) -> list[dict]:
    if not top:
        return []
    # Labels for the few rows found, not a join of every fault with its premises.
    labels = {p["pk"]: p for p in Premises.objects.filter(pk__in=[r["premises"] for r in top])
              .values("pk", "service_point", "service_point__name", "building", "unit",
                      "room")}
    return [{"premises": row["premises"], "total": row["total"],
             **{f"premises__{k}": v for k, v in labels[row["premises"]].items() if k != "pk"}}
            for row in top]


def repeat_fault_premises(user, *, start: datetime, end: datetime,
                          limit: int = 10) -> list[dict]:
    """Premises with more than one fault reported in [start, end), most first (2 queries):
    ``[{"premises", "service_point", "service_point__name", "building", "unit", "room",
    "total"}]``."""
    top = list(fault_cohort(user, start, end).filter(premises__isnull=False)
               # COUNT(*): an index-only scan of fault_reported_premises
               .values("premises").annotate(total=Count("*")).filter(total__gt=1)
               .order_by("-total", "premises")[:limit])
    return _premises_labels(top)


# --- complaints ---------------------------------------------------------------------------


def complaint_cohort(user, start: datetime, end: datetime):
    """The complaints received in [start, end): a merged complaint counts once, in its
    primary (with the number of complainants)."""
    return (Complaint.objects.restrict(user)
            .filter(received_at__gte=start, received_at__lt=end)
            .exclude(state=ComplaintState.MERGED))


def complaint_past_clock(now: datetime) -> Q:
    """Open complaints whose contact, answer or callback deadline has passed at ``now``."""
    return (Q(state=ComplaintState.RECEIVED, contact_due__lt=now)
            | Q(state__in=[ComplaintState.RECEIVED, ComplaintState.CONTACTED],
                answer_due__lt=now)
            | Q(state=ComplaintState.HANDLED, callback_due__lt=now))


def complaint_live(user, *, now: datetime | None = None) -> dict:
    """Complaints by service point now: ``open_now`` and ``past_clock_now`` (contact,
    answer or callback deadline passed) (one query over the open ones)."""
    now = now or timezone.now()
    return _by_point(Complaint.objects.restrict(user).filter(state__in=OPEN_COMPLAINT_STATES)
                     .values("service_point").order_by().annotate(
                         open_now=Count("pk"),
                         past_clock_now=Count("pk", filter=complaint_past_clock(now))))


def complaint_figures(user, *, start: datetime, end: datetime,
                      now: datetime | None = None) -> dict:
    """Complaints received in [start, end) by service point, and their clocks (one query):

    - ``received``, ``complainants``, ``substantiated``, ``closed``;
    - ``contact_due_count`` / ``contact_on_time``: first contact within the urgency's clock
      (15 min … 2 h), of those contacted or already past the clock;
    - ``answer_due_count`` / ``answer_on_time``: answered within 48 hours (or the deadline
      agreed anew, which becomes the clock), of those answered or past it;
    - ``callback_due_count`` / ``callback_on_time``: called back within 3 days of the first
      answer, of those called back or past the 3 days.
    """
    return complaint_figures_periods(user, periods=[(start, end)], now=now)[0]


def _complaint_clocks(complaints, periods: Periods):
    """The complaints received in ``periods`` (merged ones left out) with their
    ``period``, ``first_answer`` and ``first_callback``."""
    # The first answer: its status change (a dissatisfied callback clears handled_at and
    # the complaint is answered again), or handled_at for a row with no history.
    first_answer = Coalesce(Subquery(
        ComplaintStatusChange.objects.filter(complaint=OuterRef("pk"),
                                             to_state=ComplaintState.HANDLED)
        .order_by("at").values("at")[:1]), "handled_at")
    first_callback = Subquery(ComplaintCallback.objects.filter(complaint=OuterRef("pk"))
                              .order_by("at").values("at")[:1])
    return (complaints.filter(in_periods("received_at", periods))
            .exclude(state=ComplaintState.MERGED)
            .annotate(first_answer=first_answer, first_callback=first_callback,
                      period=period_of("received_at", periods)))


def complaint_figures_periods(user, *, periods: Periods,
                              now: datetime | None = None) -> list[dict]:
    """:func:`complaint_figures` of each of ``periods`` (one query in all)."""
    now = now or timezone.now()
    cohort = _complaint_clocks(Complaint.objects.restrict(user), periods)
    callback_deadline = F("first_answer") + COMPLAINT_CALLBACK_WITHIN
    return split_periods(cohort.values("period", "service_point").order_by().annotate(
        received=Count("pk"),
        complainants=Sum("complainant_count"),
        substantiated=Count("pk", filter=Q(substantiated=True)),
        closed=Count("pk", filter=Q(state=ComplaintState.CLOSED)),
        contact_due_count=Count("pk", filter=Q(contacted_at__isnull=False)
                                | Q(contact_due__lt=now)),
        contact_on_time=Count("pk", filter=Q(contacted_at__lte=F("contact_due"))),
        answer_due_count=Count("pk", filter=Q(first_answer__isnull=False)
                               | Q(answer_due__lt=now)),
        answer_on_time=Count("pk", filter=Q(first_answer__lte=F("answer_due"))),
        callback_due_count=Count("pk", filter=Q(first_callback__isnull=False)
                                 | Q(first_answer__lt=now - COMPLAINT_CALLBACK_WITHIN)),
        callback_on_time=Count("pk", filter=Q(first_callback__lte=callback_deadline)),
    ), len(periods))


def complaint_root_causes(user, *, start: datetime, end: datetime) -> list[dict]:
    """``[{"root_cause", "root_cause__name", "total", "complainants", "substantiated"}]``,
    biggest first; ``root_cause`` None: not yet investigated (one query)."""
    return list(complaint_cohort(user, start, end)
                .values("root_cause", "root_cause__name")
                .annotate(total=Count("pk"), complainants=Sum("complainant_count"),
                          substantiated=Count("pk", filter=Q(substantiated=True)))
                .order_by("-total", "root_cause__name"))


# --- satisfaction -------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionSource:
    """Where customers are asked how satisfied they are, and the time the month counts by."""

    key: str
    model: type
    date_field: str


def satisfaction_sources():
    return [
        SatisfactionSource("faults", Fault, "reported_at"),
        SatisfactionSource("complaints", Complaint, "received_at"),
        SatisfactionSource("inquiries", Inquiry, "received_at"),
        SatisfactionSource("orders", WorkOrder, "accepted_at"),
    ]


def satisfaction_distribution(user, *, start: datetime, end: datetime) -> dict[str, dict]:
    """Answers by satisfaction level for each source (faults, complaints, cases, orders)
    whose ticket falls in [start, end): ``{"faults": {"satisfied": 12, …}, …}`` (one
    grouped query per source)."""
    result = {}
    for source in satisfaction_sources():
        rows = (source.model.objects.restrict(user)
                .filter(**{f"{source.date_field}__gte": start,
                           f"{source.date_field}__lt": end})
                .exclude(satisfaction="")
                .values("satisfaction").order_by().annotate(total=Count("pk")))
        result[source.key] = {row["satisfaction"]: row["total"] for row in rows}
    return result


def satisfaction_trend(user, *, months: int, end: datetime) -> list[dict]:
    """Satisfied answers and all answers per month for the ``months`` months before
    ``end``, all sources together: ``[{"month": date, "satisfied": n, "total": n}]``
    (one grouped query per source, ``date_trunc('month', …)`` in local time)."""
    local_end = timezone.localtime(end)
    first = local_end.date().replace(day=1)
    for _i in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime(first.year, first.month, 1))
    totals: dict[date, dict] = {}
    tz = timezone.get_current_timezone()
    for source in satisfaction_sources():
        rows = (source.model.objects.restrict(user)
                .filter(**{f"{source.date_field}__gte": start,
                           f"{source.date_field}__lt": end})
                .exclude(satisfaction="")
                .annotate(month=TruncMonth(source.date_field, tzinfo=tz))
                .values("month").order_by()
                .annotate(total=Count("pk"),
                          satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED))))
        for row in rows:
            month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
            slot = totals.setdefault(month, {"satisfied": 0, "total": 0})
            slot["satisfied"] += row["satisfied"]
            slot["total"] += row["total"]
    trend = []
    month = first
    while len(trend) < months:
        slot = totals.get(month, {"satisfied": 0, "total": 0})
        trend.append({"month": month, **slot, "rate": rate(slot["satisfied"], slot["total"])})
        month = (month + timedelta(days=32)).replace(day=1)
    return trend



def _month_starts(start: datetime, end: datetime) -> list[date]:
    """The local months of [start, end), ``start`` being the start of a local month."""
    months = []
    month = timezone.localtime(start).date().replace(day=1)
    while timezone.make_aware(datetime(month.year, month.month, 1)) < end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def satisfaction_by_month(user, *, start: datetime, end: datetime) -> dict[date, dict[str, dict]]:
    """Answers by local month, source and satisfaction level for the tickets of [start,
    end) (``start`` the start of a local month): ``{month: {"faults": {"satisfied": 12,
    …}, …}}`` — the monthly report's distributions and its 12-month trend from one query
    (a ``UNION ALL`` of one grouped query per source, each an index-only scan of its
    partial index of answered tickets; the month is found by ``width_bucket`` over the
    months' first instants, cheaper than converting every row's time to local time)."""
    months = _month_starts(start, end)
    bounds = [timezone.make_aware(datetime(m.year, m.month, 1)) for m in months]
    parts = [
        source.model.objects.restrict(user)
        .filter(**{f"{source.date_field}__gte": start, f"{source.date_field}__lt": end})
        .exclude(satisfaction="")
        .annotate(origin=Value(source.key), bucket=Func(
            F(source.date_field), Value(bounds, output_field=ArrayField(DateTimeField())),
            function="width_bucket", output_field=IntegerField()))
        .values("origin", "bucket", "satisfaction").order_by()
        .annotate(total=Count("*"))  # not the id: an index-only scan
        for source in satisfaction_sources()
    ]
    result: dict[date, dict[str, dict]] = {}
    for row in parts[0].union(*parts[1:], all=True):
        month = months[row["bucket"] - 1]  # width_bucket counts from 1
        levels = result.setdefault(month, {}).setdefault(row["origin"], {})
        levels[row["satisfaction"]] = levels.get(row["satisfaction"], 0) + row["total"]
    return result


def trend_from_months(by_month: dict[date, dict[str, dict]], *, months: int,
                      end: datetime) -> list[dict]:
    """:func:`satisfaction_trend` from :func:`satisfaction_by_month`'s answers."""
    first = timezone.localtime(end).date().replace(day=1)
    for _i in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    trend = []
    month = first
    while len(trend) < months:
        satisfied, total = satisfied_share(*by_month.get(month, {}).values())
        trend.append({"month": month, "satisfied": satisfied, "total": total,
                      "rate": rate(satisfied, total)})
        month = (month + timedelta(days=32)).replace(day=1)
    return trend


# --- when figures counted against "now" change by themselves ---------------------------


def next_deadlines(*, periods: Periods, now: datetime) -> list[datetime | None]:
    """For each of ``periods``, the first deadline after ``now`` at which one of its
    figures counted against "now" changes without any write: an order dispatched and not
    returned becomes overdue, a fault not yet fixed becomes late (12 hours), a complaint
    not contacted, answered or called back passes its clock (None: no such deadline left).
    Every service point; 3 queries. A kept month is counted again after it."""
    found: list[datetime | None] = [None] * len(periods)

    def earliest(rows):
        for row in rows:
            for value in row.values():
                if isinstance(value, datetime):
                    current = found[row["period"]]
                    found[row["period"]] = value if current is None else min(current, value)

    earliest(WorkOrder.objects.filter(in_periods("accepted_at", periods),
                                      state=WorkOrderState.DISPATCHED, due_at__gte=now)
             .annotate(period=period_of("accepted_at", periods))
             .values("period").order_by().annotate(at=Min("due_at")))
    earliest(Fault.objects.filter(in_periods("reported_at", periods),
                                  first_fixed_at__isnull=True, due_at__gte=now)
             .exclude(state=FaultState.CANCELLED)
             .annotate(period=period_of("reported_at", periods))
             .values("period").order_by().annotate(at=Min("due_at")))
    callback_deadline = F("first_answer") + COMPLAINT_CALLBACK_WITHIN
    earliest(_complaint_clocks(Complaint.objects.all(), periods)
             .values("period").order_by().annotate(
                 contact=Min("contact_due", filter=Q(contacted_at__isnull=True,
                                                     contact_due__gte=now)),
                 answer=Min("answer_due", filter=Q(first_answer__isnull=True,
                                                   answer_due__gte=now)),
                 callback=Min(callback_deadline, filter=Q(
                     first_callback__isnull=True,
                     first_answer__gte=now - COMPLAINT_CALLBACK_WITHIN))))
    return found
