"""One FilterSet per call-desk list; each filter has an index behind it (see the models)."""

import re
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.filtersets import BaseFilterSet
from servicedesk.models import ServicePoint
from tickets.models.calldesk import (
    OPEN_COMPLAINT_STATES,
    OPEN_FAULT_STATES,
    CarrierDesk,
    Complaint,
    ComplaintKind,
    ComplaintRootCause,
    ComplaintState,
    Fault,
    FaultCause,
    FaultServiceType,
    FaultSource,
    FaultState,
    Inquiry,
    InquiryState,
    MaintenanceOffice,
    Satisfaction,
)
from tickets.reports import (
    FAULT_ON_TIME,
    complaint_past_clock,
    fault_late,
    fault_overdue_now,
)

DATE = forms.DateInput(attrs={"type": "date"})
_NUMBER = re.compile(r"^(?:[A-Za-z]{1,4}\d{0,3})?-?0*(\d{1,10})$")


def _number_or_phone(queryset, value, phone_fields, prefix=None):
    """``X-00123`` / ``TS-12`` → that ticket; digits → phone or number starting with them."""
    value = value.replace("\x00", "").strip()[:30]
    if not value:
        return queryset
    match = _NUMBER.match(value.replace(" ", ""))
    digits = re.sub(r"\D", "", value)
    condition = Q(pk__in=[])
    if match and (not value.isdigit() or len(value) <= 6):
        condition |= Q(pk=int(match[1]))
    if len(digits) >= 3 and value.replace("-", "").replace(" ", "").isdigit():
        for field in phone_fields:
            condition |= Q(**{f"{field}__startswith": digits})
    if prefix and not value.isdigit():
        condition |= Q(**{f"{prefix}__startswith": value.lower()})
    return queryset.filter(condition)


class _DateRangeMixin:
    """``from`` / ``to`` local dates on the ticket's main time (to is inclusive)."""

    date_field = "reported_at"

    def filter_from(self, queryset, name, value):
        start = timezone.make_aware(datetime.combine(value, time.min))
        return queryset.filter(**{f"{self.date_field}__gte": start})

    def filter_to(self, queryset, name, value):
        end = timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))
        return queryset.filter(**{f"{self.date_field}__lt": end})


def _date_filters():
    return (
        django_filters.DateFilter(label=_("from date"), method="filter_from", widget=DATE),
        django_filters.DateFilter(label=_("to date"), method="filter_to", widget=DATE),
    )


class _ScopedFilterSet(BaseFilterSet):
    service_point = django_filters.ModelChoiceFilter(label=_("service point"),
                                                     queryset=ServicePoint.objects.none())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["service_point"].queryset = ServicePoint.objects.restrict(user)


OPEN = "open"


class FaultFilterSet(_DateRangeMixin, _ScopedFilterSet):
    # QuickSelect: the options without a template each (the fault list is kept open)
    source = django_filters.ChoiceFilter(label=_("source"), choices=FaultSource.choices)
    state = django_filters.ChoiceFilter(
        label=_("state"), method="filter_state",
        choices=[(OPEN, _("All open")), *FaultState.choices])
    service_type = django_filters.ChoiceFilter(label=_("service type"),
                                               choices=FaultServiceType.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue (not fixed in 12 h)"),
                                           method="filter_overdue", widget=forms.CheckboxInput)
    reported_from, reported_to = _date_filters()
    cause = django_filters.ModelChoiceFilter(label=_("fault cause"),
                                             queryset=FaultCause.objects.all())
    # The manager's reports link here: fixed within 12 hours or not, a satisfaction, a room.
    deadline = django_filters.ChoiceFilter(
        label=_("12-hour deadline"), method="filter_deadline",
        choices=[("on_time", _("Fixed within 12 hours")), ("late", _("Late"))])
    satisfaction = django_filters.ChoiceFilter(label=_("satisfaction"),
                                               choices=Satisfaction.choices)
    premises = django_filters.NumberFilter(field_name="premises", widget=forms.HiddenInput)

    class Meta:
        model = Fault
        fields = ["service_point", "source", "state", "service_type", "cause"]

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=OPEN_FAULT_STATES)
        return queryset.filter(state=value)

    def filter_overdue(self, queryset, name, value):
        if value:  # the partial index fault_repair_due
            return queryset.filter(fault_overdue_now(timezone.now()))
        return queryset

    def filter_deadline(self, queryset, name, value):
        """As tickets.reports counts it: the first ✓ against the report's 12 hours."""
        if value == "on_time":
            return queryset.filter(FAULT_ON_TIME)
        return queryset.filter(fault_late(timezone.now()))

    def search(self, queryset, name, value):
        return _number_or_phone(queryset, value, ["contact_phone", "service_number"],
                                prefix="service_number")


class ComplaintFilterSet(_DateRangeMixin, _ScopedFilterSet):
    date_field = "received_at"
    state = django_filters.ChoiceFilter(
        label=_("state"), method="filter_state",
        choices=[(OPEN, _("All open")), *ComplaintState.choices])
    kind = django_filters.ChoiceFilter(label=_("complaint type"), choices=ComplaintKind.choices)
    root_cause = django_filters.ModelChoiceFilter(label=_("root cause"),
                                                  queryset=ComplaintRootCause.objects.all())
    overdue = django_filters.BooleanFilter(label=_("Past a clock"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    received_from, received_to = _date_filters()
    satisfaction = django_filters.ChoiceFilter(label=_("satisfaction"),
                                               choices=Satisfaction.choices)

    class Meta:
        model = Complaint
        fields = ["service_point", "state", "kind", "root_cause"]

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=OPEN_COMPLAINT_STATES)
        return queryset.filter(state=value)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(complaint_past_clock(timezone.now()))

    def search(self, queryset, name, value):
        return _number_or_phone(queryset, value, ["complainant_phone"])


class InquiryFilterSet(_DateRangeMixin, _ScopedFilterSet):
    date_field = "received_at"
    state = django_filters.ChoiceFilter(label=_("state"), choices=InquiryState.choices)
    overdue = django_filters.BooleanFilter(label=_("Past the 3 days"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    received_from, received_to = _date_filters()
    satisfaction = django_filters.ChoiceFilter(label=_("satisfaction"),
                                               choices=Satisfaction.choices)

    class Meta:
        model = Inquiry
        fields = ["service_point", "state"]

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(state=InquiryState.OPEN, due_at__lt=timezone.now())
        return queryset

    def search(self, queryset, name, value):
        return _number_or_phone(queryset, value, ["phone"])


class _NameSearch(BaseFilterSet):
    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.replace("\x00", "")[:60])


class MaintenanceOfficeFilterSet(_NameSearch):
    class Meta:
        model = MaintenanceOffice
        fields = ["is_active"]


class FaultCauseFilterSet(_NameSearch):
    class Meta:
        model = FaultCause
        fields = ["is_active"]


class ComplaintRootCauseFilterSet(_NameSearch):
    class Meta:
        model = ComplaintRootCause
        fields = ["is_active"]


class CarrierDeskFilterSet(_NameSearch):
    class Meta:
        model = CarrierDesk
        fields = ["is_active"]
