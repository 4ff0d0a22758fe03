"""Reads of the counter's work orders that pages share (always scoped by ``restrict``)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.timeline import TimelineEntry
from tickets.models.workorders import (
    CarrierOrderBatch,
    Dispatch,
    WorkOrder,
    WorkOrderState,
)

HOME_LIST_LENGTH = 15


def orders_for_display() -> QuerySet:
    return WorkOrder.objects.select_related(
        "service_point", "premises", "installer", "receipt__book", "accepted_by", "carrier")


def order_for_detail() -> QuerySet:
    return orders_for_display().select_related(
        "subscriber", "to_premises", "broadband__plan", "landline__plan", "batch",
        "slip_received_by")


def dispatches_for_display() -> QuerySet:
    return Dispatch.objects.select_related("service_point", "installer", "dispatched_by")


def batches_for_display() -> QuerySet:
    return CarrierOrderBatch.objects.select_related("service_point", "carrier", "received_by",
                                                    "acknowledged_by")


def awaiting_dispatch(user) -> QuerySet:
    """Accepted orders not yet handed to an installer, oldest first."""
    return (orders_for_display().restrict(user).filter(state=WorkOrderState.ACCEPTED)
            .order_by("accepted_at"))


def overdue(user, now: datetime | None = None) -> QuerySet:
    """Dispatched and not back within the install time limit, most overdue first."""
    return orders_for_display().restrict(user).overdue(now).order_by("due_at")


def todays_orders(user, now: datetime | None = None) -> QuerySet:
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (orders_for_display().restrict(user).filter(accepted_at__gte=start)
            .order_by("-accepted_at"))


def awaiting_callback(user) -> QuerySet:
    return (orders_for_display().restrict(user).filter(state=WorkOrderState.RETURNED)
            .order_by("slip_received_at"))


def installer_orders(user) -> QuerySet:
    """An installer's dispatched work, the soonest due first."""
    return (orders_for_display().restrict(user).filter(state=WorkOrderState.DISPATCHED)
            .order_by("due_at"))


WORKORDER_TIMELINE_LENGTH = 20


def workorder_timeline(subscriber, user) -> list[TimelineEntry]:
    """The subscriber page's timeline: the subscriber's work orders (one query, limited)."""
    orders = (WorkOrder.objects.restrict(user).filter(subscriber=subscriber)
              .order_by("-accepted_at")[:WORKORDER_TIMELINE_LENGTH])
    return [
        TimelineEntry(at=order.accepted_at, kind=_("Work order"),
                      title=f"{order.number} · {order.get_kind_display()} · {order.description}",
                      url=order.get_absolute_url(), state=order.get_state_display())
        for order in orders
    ]


def usual_plan_id(service_point_id=None, days: int = 60) -> int | None:
    """The broadband plan sold most at the service point lately: the install form's default
    (the last 200 install orders there, on the service point + accepted index)."""
    from collections import Counter
    from datetime import timedelta

    from accounts.models import BroadbandPlan

    since = timezone.now() - timedelta(days=days)
    orders = WorkOrder.objects.filter(accepted_at__gte=since, kind="install",
                                      broadband__isnull=False)
    if service_point_id:
        orders = orders.filter(service_point_id=service_point_id)
    recent = orders.order_by("-accepted_at").values_list("broadband__plan_id",
                                                          "broadband__plan__is_active")[:200]
    counts = Counter(plan for plan, active in recent if active)
    if counts:
        return max(sorted(counts), key=counts.get)
    return (BroadbandPlan.objects.filter(is_active=True, carrier__is_own=True)
            .order_by("term", "bandwidth_mbps").values_list("pk", flat=True).first())
