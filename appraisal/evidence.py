"""What the system already knows about a person's month, for their scorecard.

``collect(start, end, user_ids)`` runs one query per kind of evidence for all the people
at once (not one per person), so generating a month for 200 staff costs about a dozen
queries whatever the headcount. Each fact comes back with a link to its record.
Facts read from tickets (orders, faults, complaints, cases, callbacks, entry-error flags)
and billing (daily closes); nobody imports appraisal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Count, F, Min, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appraisal.models import CallReview, EvidenceKind, RewardKind, RewardPenalty
from tickets import reports as tickets_reports
from tickets.selectors.calldesk import month_bounds

SLOW_TRANSACTION_SECONDS = 180  # 业务处理时间不超过3分钟


@dataclass
class Fact:
    kind: str
    label: str
    detail: str = ""
    url: str = ""
    at: datetime | None = None
    points: Decimal = Decimal(0)  # a reward's or penalty's points


@dataclass
class PersonEvidence:
    facts: list[Fact] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    points: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    median_transaction_seconds: int | None = None
    call_quality_average: Decimal | None = None
    quarreled: bool = False

    def add(self, fact: Fact, count: int = 1) -> None:
        self.facts.append(fact)
        self.counts[fact.kind] += count
        self.points[fact.kind] += fact.points


_PK = "2147483647"  # a stand-in for the record's id, reversed once per URL name


@lru_cache(maxsize=32)
def _url_parts(name: str, prefix: str) -> tuple[str, str]:
    head, _marker, tail = reverse(name, args=[_PK]).rpartition(_PK)
    return head, tail


def _url(name: str, pk: int) -> str:
    """The record's URL: a month of evidence links thousands of facts, so the pattern is
    reversed once per name (and script prefix), not once per fact."""
    head, tail = _url_parts(name, get_script_prefix())
    return f"{head}{pk}{tail}"


def collect(month: date, user_ids: list[int], *, now: datetime | None = None
            ) -> dict[int, PersonEvidence]:
    from billing.models import DailyClose
    from tickets.models import (
        Complaint,
        ComplaintCallback,
        EntryErrorFlag,
        EntryErrorKind,
        Fault,
        FaultCallback,
        FaultState,
        Inquiry,
        WorkOrder,
        WorkOrderCallback,
    )

    now = now or timezone.now()
    start, end = month_bounds(month)
    cutoff = min(now, end)
    people: dict[int, PersonEvidence] = {uid: PersonEvidence() for uid in user_ids}
    ids = list(user_ids)
    k = EvidenceKind

    # substantiated complaints against the person (merged duplicates count once)
    for c in (Complaint.objects.filter(against_staff_id__in=ids, substantiated=True,
                                       primary__isnull=True, handled_at__gte=start,
                                       handled_at__lt=end)
              .values("id", "against_staff_id", "handled_at", "kind", "complainant_count")):
        people[c["against_staff_id"]].add(Fact(
            k.COMPLAINTS, f"TS-{c['id']:05d}", _complaint_detail(c),
            _url("tickets:complaint_detail", c["id"]), c["handled_at"]))

    # entry errors flagged by others on the orders and faults the person entered
    kinds = dict(EntryErrorKind.choices)
    for f in (EntryErrorFlag.objects.filter(attributed_to_id__in=ids, flagged_at__gte=start,
                                            flagged_at__lt=end)
              .values("attributed_to_id", "kind", "note", "work_order_id", "fault_id",
                      "fault__mark", "flagged_at")):
        if f["work_order_id"]:
            label = f"GD{f['work_order_id']:06d}"
            url = _url("tickets:workorder_detail", f["work_order_id"])
        else:
            label = f"{f['fault__mark']}-{f['fault_id']:05d}"
            url = _url("tickets:fault_detail", f["fault_id"])
        people[f["attributed_to_id"]].add(Fact(
            k.ENTRY_ERRORS, label, f"{kinds.get(f['kind'], f['kind'])}: {f['note']}", url,
            f["flagged_at"]))

    # counter transactions over 3 minutes, and the median transaction time
    for o in (WorkOrder.objects.filter(accepted_by_id__in=ids, accepted_at__gte=start,
                                       accepted_at__lt=end,
                                       transaction_seconds__gt=SLOW_TRANSACTION_SECONDS)
              .values("id", "accepted_by_id", "transaction_seconds", "accepted_at")):
        secs = o["transaction_seconds"]
        people[o["accepted_by_id"]].add(Fact(
            k.SLOW_TRANSACTIONS, f"GD{o['id']:06d}", f"{secs // 60}′{secs % 60:02d}″",
            _url("tickets:workorder_detail", o["id"]), o["accepted_at"]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT accepted_by_id, percentile_cont(0.5) WITHIN GROUP "
            f"(ORDER BY transaction_seconds) FROM {WorkOrder._meta.db_table} "
            f"WHERE accepted_by_id = ANY(%s) AND accepted_at >= %s AND accepted_at < %s "
            f"AND transaction_seconds IS NOT NULL GROUP BY accepted_by_id",
            [ids, start, end])
        for uid, median in cursor.fetchall():
            people[uid].median_transaction_seconds = round(median)

    # late daily closes (after 19:00)
    for d in (DailyClose.objects.filter(clerk_id__in=ids, day__gte=start.date(),
                                        day__lt=end.date(), is_late=True)
              .values("id", "clerk_id", "day", "closed_at")):
        people[d["clerk_id"]].add(Fact(
            k.LATE_CLOSES, f"{d['day']:%Y-%m-%d}",
            f"{timezone.localtime(d['closed_at']):%m-%d %H:%M}",
            _url("billing:dailyclose_detail", d["id"]), d["closed_at"]))

    # faults they owned that were not fixed within 12 hours (the reports' definition)
    for f in (Fault.objects.filter(owner_id__in=ids, due_at__gte=start, due_at__lt=end)
              .exclude(state=FaultState.CANCELLED)
              .filter(tickets_reports.fault_late(cutoff))
              .values("id", "mark", "owner_id", "due_at", "first_fixed_at")):
        people[f["owner_id"]].add(Fact(
            k.OVERDUE_FAULTS, f"{f['mark']}-{f['id']:05d}",
            _late_detail(f["due_at"], f["first_fixed_at"]),
            _url("tickets:fault_detail", f["id"]), f["due_at"]))

    # complaint callbacks (3 days) and cases (3 days) they owned, done late or not at all
    for c in (Complaint.objects.filter(owner_id__in=ids, callback_due__gte=start,
                                       callback_due__lt=end, primary__isnull=True)
              .annotate(first_callback=Min("callbacks__at"))
              .filter(Q(first_callback__gt=F("callback_due"))
                      | Q(first_callback__isnull=True, callback_due__lt=cutoff))
              .values("id", "owner_id", "callback_due", "first_callback")):
        people[c["owner_id"]].add(Fact(
            k.OVERDUE_CALLBACKS, f"TS-{c['id']:05d}",
            _late_detail(c["callback_due"], c["first_callback"]),
            _url("tickets:complaint_detail", c["id"]), c["callback_due"]))
    for i in (Inquiry.objects.filter(owner_id__in=ids, due_at__gte=start, due_at__lt=end)
              .filter(Q(answered_at__gt=F("due_at"))
                      | Q(answered_at__isnull=True, due_at__lt=cutoff))
              .values("id", "owner_id", "due_at", "answered_at")):
        people[i["owner_id"]].add(Fact(
            k.OVERDUE_CALLBACKS, f"ZX-{i['id']:05d}", _late_detail(i["due_at"], i["answered_at"]),
            _url("tickets:inquiry_detail", i["id"]), i["due_at"]))

    # callbacks done (one line per kind, with the count)
    for model, label, list_url in (
        (FaultCallback, "fault callbacks", "tickets:fault_list"),
        (ComplaintCallback, "complaint callbacks", "tickets:complaint_list"),
        (WorkOrderCallback, "order callbacks", "tickets:workorder_list"),
    ):
        list_path = reverse(list_url)
        rows = (model.objects.filter(by_id__in=ids, at__gte=start, at__lt=end)
                .values("by_id").annotate(n=Count("id")))
        for row in rows:
            people[row["by_id"]].add(
                Fact(k.CALLBACKS_DONE, str(_CALLBACK_LABELS[label]), str(row["n"]),
                     list_path), count=row["n"])

    # the month's call-quality reviews (calibration reviews do not count)
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for r in (CallReview.objects.filter(agent_id__in=ids, call_at__gte=start, call_at__lt=end,
                                        is_calibration=False)
              .values("id", "agent_id", "final_score", "call_at", "fatal_errors")):
        scores[r["agent_id"]].append(r["final_score"])
        people[r["agent_id"]].add(Fact(
            k.CALL_QUALITY, f"{timezone.localtime(r['call_at']):%m-%d %H:%M}",
            f"{r['final_score']}" + (" ✗" if r["fatal_errors"] else ""),
            _url("appraisal:review_detail", r["id"]), r["call_at"]))
    for uid, values in scores.items():
        people[uid].call_quality_average = (sum(values, Decimal(0)) / len(values)).quantize(
            Decimal("0.01"))

    # reward and penalty records
    for r in (RewardPenalty.objects.filter(person_id__in=ids, on__gte=start.date(),
                                           on__lt=end.date())
              .values("id", "person_id", "kind", "number", "reason", "points", "on",
                      "quarrel")):
        kind = k.REWARDS if r["kind"] == RewardKind.REWARD else k.PENALTIES
        people[r["person_id"]].add(Fact(
            kind, r["number"], r["reason"][:200], _url("appraisal:rewardpenalty_detail", r["id"]),
            timezone.make_aware(datetime.combine(r["on"], time(12))), r["points"]))
        if r["quarrel"]:
            people[r["person_id"]].quarreled = True
    return people


_CALLBACK_LABELS = {
    "fault callbacks": _("Fault callbacks"),
    "complaint callbacks": _("Complaint callbacks"),
    "order callbacks": _("Order callbacks"),
}


def _complaint_detail(c) -> str:
    from tickets.models import ComplaintKind

    n = c["complainant_count"]
    kinds = dict(ComplaintKind.choices)
    return f"{kinds.get(c['kind'], c['kind'])}" + (f" ×{n}" if n > 1 else "")


def _late_detail(due: datetime, done: datetime | None) -> str:
    due_s = f"{timezone.localtime(due):%m-%d %H:%M}"
    if done is None:
        return f"{due_s} → —"
    return f"{due_s} → {timezone.localtime(done):%m-%d %H:%M}"
