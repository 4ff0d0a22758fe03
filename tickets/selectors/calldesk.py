"""Reads of the call desk that views and other apps share.

The agent's queue (:func:`desk_queue`) reads open tickets only, each list through a
partial index in deadline order with a LIMIT, and the counts by state from one GROUP BY
over the open rows: its cost depends on how much work is open, not on how many faults
the desk has ever taken. Its query count is fixed (asserted in the tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BroadbandAccount, LandlineAccount, Premises, Subscriber
from accounts.validators import MOBILE_RE
from servicedesk.models import ServicePoint
from servicedesk.timeline import TimelineEntry
from tickets import reports
from tickets.models.calldesk import (
    OPEN_COMPLAINT_STATES,
    OPEN_FAULT_STATES,
    REPAIR_STATES,
    Complaint,
    ComplaintState,
    Fault,
    FaultCallback,
    FaultState,
    Inquiry,
    InquiryState,
    Satisfaction,
)
from tickets.reports import complaint_past_clock, fault_overdue_now

QUEUE_LIMIT = 25


# --- the agent's queue --------------------------------------------------------------------


@dataclass
class StateCount:
    state: str
    label: str
    count: int
    late: int = 0


@dataclass
class DeskQueue:
    now: datetime
    fault_counts: list[StateCount]
    faults_late: int
    repair: list[Fault]
    callbacks: list[Fault]
    replies: list[Fault]
    complaint_counts: list[StateCount]
    complaints_late: int
    complaints: list[Complaint]
    inquiries_open: int
    inquiries_late: int
    inquiries: list[Inquiry]

    @property
    def callbacks_waiting(self) -> int:
        return self._count(FaultState.FIXED)

    @property
    def replies_owed(self) -> int:
        return self._count(FaultState.REPLY_OWED)

    @property
    def faults_to_repair(self) -> int:
        return sum(c.count for c in self.fault_counts if c.state in REPAIR_STATES)

    def _count(self, state) -> int:
        return next((c.count for c in self.fault_counts if c.state == state), 0)


def _fault_cards(*related: str) -> QuerySet:
    """Faults for a queue card, joined only to what the card shows: each join costs the
    planner time on every poll (planning, not execution, dominates these small reads)."""
    return Fault.objects.select_related(*related)


def fault_state_counts(user, now: datetime) -> list[StateCount]:
    """Open faults by state, and how many of each are past the 12 hours: one GROUP BY."""
    rows = (Fault.objects.restrict(user).filter(state__in=OPEN_FAULT_STATES)
            .values("state")
            .annotate(n=Count("pk"),
                      late=Count("pk", filter=fault_overdue_now(now)))
            .order_by())
    found = {row["state"]: row for row in rows}
    return [StateCount(state, FaultState(state).label, found.get(state, {}).get("n", 0),
                       found.get(state, {}).get("late", 0))
            for state in OPEN_FAULT_STATES]


def open_complaints_by_clock(user) -> QuerySet:
    """Open complaints, the one whose next clock runs out first on top."""
    return (Complaint.objects.restrict(user).filter(state__in=OPEN_COMPLAINT_STATES)
            .annotate(next_clock=Case(
                When(state=ComplaintState.RECEIVED,
                     then=Least(F("contact_due"), F("answer_due"))),
                When(state=ComplaintState.CONTACTED, then=F("answer_due")),
                default=F("callback_due")))
            .select_related("owner").order_by("next_clock", "pk"))


def desk_queue(user, *, now: datetime | None = None, limit: int = QUEUE_LIMIT) -> DeskQueue:
    """Everything the call desk has to do now, most urgent first (7 queries)."""
    now = now or timezone.now()
    fault_counts = fault_state_counts(user, now)
    repair = list(_fault_cards("repairer").restrict(user).filter(state__in=REPAIR_STATES)
                  .order_by("due_at", "pk")[:limit])
    callbacks = list(_fault_cards().restrict(user).filter(state=FaultState.FIXED)
                     .order_by("fixed_at", "pk")[:limit])
    replies = list(_fault_cards("carrier_desk").restrict(user)
                   .filter(state=FaultState.REPLY_OWED).order_by("called_back_at", "pk")[:limit])
    complaint_rows = (Complaint.objects.restrict(user).filter(state__in=OPEN_COMPLAINT_STATES)
                      .values("state")
                      .annotate(n=Count("pk"), late=Count("pk", filter=complaint_past_clock(now)))
                      .order_by())
    found = {row["state"]: row for row in complaint_rows}
    complaint_counts = [
        StateCount(state, ComplaintState(state).label, found.get(state, {}).get("n", 0),
                   found.get(state, {}).get("late", 0))
        for state in OPEN_COMPLAINT_STATES]
    complaints = list(open_complaints_by_clock(user)[:limit])
    inquiry_totals = Inquiry.objects.restrict(user).filter(state=InquiryState.OPEN).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    inquiries = list(Inquiry.objects.restrict(user).filter(state=InquiryState.OPEN)
                     .select_related("owner").order_by("due_at", "pk")[:limit])
    return DeskQueue(
        now=now, fault_counts=fault_counts, faults_late=sum(c.late for c in fault_counts),
        repair=repair, callbacks=callbacks, replies=replies,
        complaint_counts=complaint_counts,
        complaints_late=sum(c.late for c in complaint_counts), complaints=complaints,
        inquiries_open=inquiry_totals["n"], inquiries_late=inquiry_totals["late"],
        inquiries=inquiries,
    )


def installer_faults(user, *, limit: int = QUEUE_LIMIT) -> list[Fault]:
    """The faults dispatched to ``user`` and not yet fixed, most urgent first."""
    return list(_fault_cards().restrict(user)
                .filter(state=FaultState.DISPATCHED, repairer=user)
                .order_by("due_at", "pk")[:limit])


# --- the fault page -----------------------------------------------------------------------


def fault_for_page() -> QuerySet:
    return Fault.objects.select_related(
        "service_point", "subscriber", "premises__service_point", "broadband_account",
        "landline_account", "maintenance_office", "repairer", "cause", "carrier_desk",
        "received_by", "owner",
    )


def fault_history(fault: Fault):
    return fault.status_changes.select_related("by").order_by("at", "pk")


# --- the inline subscriber lookup of the fault form ---------------------------------------

LOOKUP_LIMIT = 10
_ACCOUNT_NAME = re.compile(r"^[a-z]{1,4}\d{1,7}$")
_PREMISES = re.compile(
    r"^(?P<place>\D*?)\s*(?P<building>\d{1,2})\s*(?:#\s*-?|号楼|栋|幢|-)\s*"
    r"(?P<unit>\d)\s*(?:单元|-)\s*(?P<room>\d{1,4})\s*(?:室|号)?$")


def _subscriber_ids(queryset: QuerySet, column: str = "subscriber_id") -> list[int]:
    return list(queryset.values_list(column, flat=True)[:LOOKUP_LIMIT])


def subscriber_lookup(user, query: str) -> list[Subscriber]:
    """Subscribers for the fault form, by phone, account name or premises (at most 10).

    Exact or prefix lookups on B-tree indexes of the register only, so it answers while
    the customer is still talking: an 11-digit mobile, a 7-8 digit landline number, an
    account name (``dw0120502`` or its start), ``1#-2-502`` (optionally with the compound),
    or the start of a name.
    """
    query = " ".join((query or "").replace("\x00", "").split())[:40]
    if not query:
        return []
    subscribers = Subscriber.objects.restrict(user)
    compact = re.sub(r"[\s\-()（）]", "", query)
    ids: list[int] = []
    premises = _PREMISES.match(query)
    if premises:
        places = Premises.objects.restrict(user).filter(
            building=int(premises["building"]), unit=int(premises["unit"]),
            room=int(premises["room"]))
        place = premises["place"].strip()
        if place:
            places = places.filter(service_point__in=ServicePoint.objects.filter(
                Q(name__startswith=place) | Q(code__iexact=place)))
        found = list(places.values_list("pk", flat=True)[:LOOKUP_LIMIT])
        ids += _subscriber_ids(BroadbandAccount.objects.restrict(user)
                               .filter(premises__in=found))
        ids += _subscriber_ids(LandlineAccount.objects.restrict(user)
                               .filter(premises__in=found))
        ids += _subscriber_ids(subscribers.filter(home__in=found), "pk")
    elif compact.isdigit():
        number = compact[-8:] if compact.startswith("0") and len(compact) > 8 else compact
        if MOBILE_RE.match(number):
            ids += _subscriber_ids(subscribers.filter(mobile=number), "pk")
        elif len(number) >= 7:
            ids += _subscriber_ids(LandlineAccount.objects.restrict(user)
                                   .filter(phone_number=number))
    elif _ACCOUNT_NAME.match(compact.lower()):
        name = compact.lower()
        accounts = BroadbandAccount.objects.restrict(user)
        exact = _subscriber_ids(accounts.filter(account_name=name))
        ids += exact or _subscriber_ids(accounts.filter(account_name__startswith=name))
    else:
        ids += _subscriber_ids(subscribers.filter(name__startswith=query), "pk")
    ids = list(dict.fromkeys(ids))[:LOOKUP_LIMIT]
    if not ids:
        return []
    return list(subscribers.filter(pk__in=ids).select_related("home__service_point")
                .prefetch_related(*account_prefetches()).order_by("name", "pk"))


def account_prefetches() -> list[Prefetch]:
    """A subscriber's accounts that can have a fault (not closed), for the form's choice."""
    return [
        Prefetch("broadbandaccount_set", to_attr="fault_broadband",
                 queryset=BroadbandAccount.objects.exclude(state="closed")
                 .select_related("premises__service_point").order_by("account_name")),
        Prefetch("landlineaccount_set", to_attr="fault_landlines",
                 queryset=LandlineAccount.objects.exclude(state="closed")
                 .select_related("premises__service_point").order_by("phone_number")),
    ]


def subscriber_for_fault(user, pk) -> Subscriber | None:
    """The subscriber of ``?subscriber=<id>`` with the accounts to choose from."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (Subscriber.objects.restrict(user).filter(pk=pk)
            .select_related("home__service_point")
            .prefetch_related(*account_prefetches()).first())


# --- the subscriber page's timeline -------------------------------------------------------

TIMELINE_LIMIT = 10


def subscriber_timeline(subscriber: Subscriber, user) -> list[TimelineEntry]:
    """Faults, complaints and cases of a subscriber: one bounded query per kind."""
    entries = []
    faults = (Fault.objects.restrict(user).filter(subscriber=subscriber)
              .order_by("-reported_at")[:TIMELINE_LIMIT])
    for fault in faults:
        entries.append(TimelineEntry(
            at=fault.reported_at, kind=_("Fault"),
            title=f"{fault} {fault.service_number} {fault.description[:40]}",
            url=fault.get_absolute_url(), state=fault.get_state_display()))
    complaints = (Complaint.objects.restrict(user).filter(subscriber=subscriber)
                  .order_by("-received_at")[:TIMELINE_LIMIT])
    for complaint in complaints:
        entries.append(TimelineEntry(
            at=complaint.received_at, kind=_("Complaint"),
            title=f"{complaint} {complaint.get_kind_display()} {complaint.description[:40]}",
            url=complaint.get_absolute_url(), state=complaint.get_state_display()))
    inquiries = (Inquiry.objects.restrict(user).filter(subscriber=subscriber)
                 .order_by("-received_at")[:TIMELINE_LIMIT])
    for inquiry in inquiries:
        entries.append(TimelineEntry(
            at=inquiry.received_at, kind=_("Inquiry case"),
            title=f"{inquiry} {inquiry.question[:40]}",
            url=inquiry.get_absolute_url(), state=inquiry.get_state_display()))
    return entries


# --- statistics and evidence --------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of ``month`` and of the next one, in the local time (Asia/Shanghai)."""
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, timezone.make_aware(datetime(following.year, following.month, 1))


@dataclass
class CallDeskStatistics:
    month: date
    faults: dict
    faults_by_mark: list[dict]
    faults_by_cause: list[dict]
    satisfaction: list[dict]
    complaints: dict
    complaints_by_root_cause: list[dict]


def calldesk_statistics(user, month: date, *, now: datetime | None = None
                        ) -> CallDeskStatistics:
    """A month of the desk: faults on time (from the original report), by mark and cause;
    complaints by root cause, each merged group counted once with its complainants
    (4 queries: the month's totals are the sums of the few rows by mark and by root
    cause, not another pass over the month's faults and complaints)."""
    now = now or timezone.now()
    start, end = month_bounds(month)
    # The same cohorts and the same clock as the manager's reports (tickets.reports).
    faults = reports.fault_cohort(user, start, end)
    on_time, late = reports.FAULT_ON_TIME, reports.fault_late(now)
    by_mark = list(faults.values("mark").annotate(
        total=Count("pk"), on_time=Count("pk", filter=on_time), late=Count("pk", filter=late),
        closed=Count("pk", filter=Q(state=FaultState.CLOSED)),
        failed_callbacks=Sum("failed_callbacks", default=0),
    ).order_by("mark"))
    totals = {key: sum(row[key] for row in by_mark)
              for key in ("total", "on_time", "late", "closed", "failed_callbacks")}
    totals["on_time_rate"] = reports.rate(totals["on_time"], totals["total"])
    by_cause = list(faults.filter(cause__isnull=False).values("cause__name").annotate(
        total=Count("pk"), late=Count("pk", filter=late)).order_by("-total", "cause__name"))
    order = {value: i for i, value in enumerate(Satisfaction.values)}
    satisfaction = sorted(faults.exclude(satisfaction="").values("satisfaction")
                          .annotate(total=Count("pk")).order_by(),
                          key=lambda row: order.get(row["satisfaction"], 99))
    complaints = reports.complaint_cohort(user, start, end)
    by_root = list(complaints.values("root_cause__name").annotate(
        total=Count("pk"), complainants=Sum("complainant_count"),
        substantiated=Count("pk", filter=Q(substantiated=True)),
        closed=Count("pk", filter=Q(state=ComplaintState.CLOSED)),
    ).order_by("-total", "root_cause__name"))
    complaint_totals = {key: sum(row[key] or 0 for row in by_root)
                        for key in ("total", "complainants", "substantiated", "closed")}
    for row in by_root:
        del row["closed"]  # a total only: the table shows no closed column
    return CallDeskStatistics(month=month, faults=totals, faults_by_mark=by_mark,
                              faults_by_cause=by_cause, satisfaction=satisfaction,
                              complaints=complaint_totals, complaints_by_root_cause=by_root)


def substantiated_complaints_against(user, month: date) -> QuerySet:
    """Scorecard evidence: substantiated complaints about ``user`` answered in ``month``.

    Each merged group counts once (the primary, with its complainant count). For the
    appraisal app: ``len()`` is the number of complaints, each row says what and when.
    """
    start, end = month_bounds(month)
    return (Complaint.objects.filter(against_staff=user, substantiated=True,
                                     handled_at__gte=start, handled_at__lt=end)
            .exclude(state=ComplaintState.MERGED)
            .select_related("root_cause").order_by("handled_at", "pk"))


def calldesk_evidence(user, month: date) -> dict[str, int]:
    """What the call desk knows about an agent's month, for the scorecard (4 queries):
    faults received, of those fixed late or still past due, fault callbacks made, and
    substantiated complaints against them."""
    start, end = month_bounds(month)
    received = Fault.objects.filter(received_by=user, reported_at__gte=start,
                                    reported_at__lt=end).exclude(state=FaultState.CANCELLED)
    counts = received.aggregate(
        received=Count("pk"),
        late=Count("pk", filter=reports.fault_late(min(end, timezone.now()))),
    )
    counts["callbacks"] = FaultCallback.objects.filter(by=user, at__gte=start,
                                                       at__lt=end).count()
    counts["substantiated_complaints"] = substantiated_complaints_against(user, month).count()
    return counts


def parse_month(value: str | None, default: date | None = None) -> date:
    """``"2026-11"`` → 2026-11-01; anything else → the current month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (value or "").strip())
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    today = default or timezone.localdate()
    return today.replace(day=1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)
