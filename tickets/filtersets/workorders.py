"""FilterSets of the work order lists; every filter has an index behind it."""

import re
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.filtersets import BaseFilterSet
from servicedesk.models import ServicePoint, User
from servicedesk.roles import Role
from tickets.models.workorders import (
    CarrierOrderBatch,
    Dispatch,
    WorkOrder,
    WorkOrderKind,
    WorkOrderSatisfaction,
    WorkOrderSource,
    WorkOrderState,
    order_overdue,
)

DATE = forms.DateInput(attrs={"type": "date"})
ORDER_NUMBER = re.compile(r"^(?:GD)?0*(\d{1,9})$", re.IGNORECASE)
PREMISES = re.compile(r"^(\d{1,2})#?-(\d)-(\d{1,4})$")


class DayFilter(django_filters.DateFilter):
    """A day on a datetime column, as a range (so the column's index serves it)."""

    def __init__(self, *args, upper=False, **kwargs):
        self.upper = upper
        kwargs.setdefault("widget", DATE)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        start = timezone.make_aware(datetime.combine(value, time.min))
        if self.upper:
            return qs.filter(**{f"{self.field_name}__lt": start + timedelta(days=1)})
        return qs.filter(**{f"{self.field_name}__gte": start})


class _Scoped(BaseFilterSet):
    service_point = django_filters.ModelChoiceFilter(label=_("service point"),
                                                     queryset=ServicePoint.objects.none())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["service_point"].queryset = ServicePoint.objects.restrict(user)
        if "installer" in self.filters:
            self.filters["installer"].queryset = User.objects.filter(
                is_active=True, groups__name=Role.INSTALLER).order_by("full_name")


class WorkOrderFilterSet(_Scoped):
    # QuickSelect: the options without a template each (the installers are a long list)
    state = django_filters.ChoiceFilter(label=_("state"), choices=WorkOrderState.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=WorkOrderKind.choices)
    source = django_filters.ChoiceFilter(label=_("source"), choices=WorkOrderSource.choices)
    installer = django_filters.ModelChoiceFilter(label=_("installer"),
                                                 queryset=User.objects.none())
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    # The manager's reports link here: how far the month's orders came.
    dispatched = django_filters.BooleanFilter(field_name="dispatched_at", lookup_expr="isnull",
                                              exclude=True, label=_("dispatched"))
    returned = django_filters.BooleanFilter(field_name="slip_received_at", lookup_expr="isnull",
                                            exclude=True, label=_("returned signed"))
    satisfaction = django_filters.ChoiceFilter(label=_("satisfaction"),
                                               choices=WorkOrderSatisfaction.choices)
    accepted_from = DayFilter(field_name="accepted_at", label=_("from date"))
    accepted_to = DayFilter(field_name="accepted_at", label=_("to date"), upper=True)

    class Meta:
        model = WorkOrder
        fields = ["service_point"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = order_overdue(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def search(self, queryset, name, value):
        """An order number (GD000123), premises (1-2-502), a carrier order number or a name."""
        value = value.strip()
        number = ORDER_NUMBER.match(value)
        if number:
            return queryset.filter(Q(pk=int(number.group(1))) | Q(carrier_ref=value))
        premises = PREMISES.match(value)
        if premises:
            building, unit, room = (int(g) for g in premises.groups())
            return queryset.filter(premises__building=building, premises__unit=unit,
                                   premises__room=room)
        return queryset.filter(Q(customer_name__icontains=value) | Q(carrier_ref=value))


class DispatchFilterSet(_Scoped):
    installer = django_filters.ModelChoiceFilter(label=_("installer"),
                                                 queryset=User.objects.none())
    day_from = DayFilter(field_name="dispatched_at", label=_("from date"))
    day_to = DayFilter(field_name="dispatched_at", label=_("to date"), upper=True)

    class Meta:
        model = Dispatch
        fields = ["service_point"]

    def search(self, queryset, name, value):
        value = value.strip().upper().removeprefix("PD").lstrip("0")
        if value.isdigit():
            return queryset.filter(pk=int(value))
        return queryset.filter(installer_name__icontains=value)


class CarrierBatchFilterSet(_Scoped):
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at",
                                                lookup_expr="isnull", exclude=True,
                                                label=_("acknowledged"))

    class Meta:
        model = CarrierOrderBatch
        fields = ["service_point", "carrier"]

    def search(self, queryset, name, value):
        return queryset.filter(fax_ref__icontains=value.strip())
