"""One FilterSet per list page; every filter has an index behind it."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import BroadbandState, LandlineState, SubscriberKind, Term
from accounts.models import (
    AddOn,
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    Fee,
    LandlineAccount,
    LandlinePlan,
    Subscriber,
)
from accounts.selectors import SearchKind, classify_query, search_lookups
from servicedesk.filtersets import BaseFilterSet
from servicedesk.models import ServicePoint


class _ScopedFilterSet(BaseFilterSet):
    """Offers only the service points the user may see."""

    service_point = django_filters.ModelChoiceFilter(
        label=_("service point"), queryset=ServicePoint.objects.none()
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["service_point"].queryset = ServicePoint.objects.restrict(user)


class SubscriberFilterSet(_ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=SubscriberKind.choices)

    class Meta:
        model = Subscriber
        fields = ["service_point", "kind"]

    def search(self, queryset, name, value):
        """The header search's lookups (name, phone, ID, premises, account…)."""
        classified = classify_query(value)
        if classified.kind == SearchKind.NONE:
            return queryset
        lookups = search_lookups(self.request.user, classified)
        if not lookups:
            return queryset.none()
        ids = set()
        for lookup in lookups:
            ids.update(lookup)
        return queryset.filter(pk__in=ids)


class _AccountFilterSet(_ScopedFilterSet):
    carrier = django_filters.ModelChoiceFilter(label=_("carrier"),
                                               queryset=Carrier.objects.all())


class BroadbandAccountFilterSet(_AccountFilterSet):
    plan = django_filters.ModelChoiceFilter(label=_("plan"),
                                            queryset=BroadbandPlan.objects.all())
    state = django_filters.ChoiceFilter(label=_("state"), choices=BroadbandState.choices)
    term = django_filters.ChoiceFilter(label=_("term"), field_name="plan__term",
                                       choices=Term.choices)
    expiring_within = django_filters.NumberFilter(
        label=_("Expiring within (days)"), method="filter_expiring",
        min_value=0, max_value=3660, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = BroadbandAccount
        fields = ["service_point", "carrier", "plan", "term", "state"]

    def filter_expiring(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(state=BroadbandState.ACTIVE, expires_on__gte=today,
                               expires_on__lte=today + timedelta(days=int(value)))

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:40]
        if not value:
            return queryset
        return queryset.filter(account_name__contains=value.lower()) | queryset.filter(
            registration_serial__in=[value.upper(), value.lower()])


class LandlineAccountFilterSet(_AccountFilterSet):
    plan = django_filters.ModelChoiceFilter(label=_("billing plan"),
                                            queryset=LandlinePlan.objects.all())
    state = django_filters.ChoiceFilter(label=_("state"), choices=LandlineState.choices)
    low_balance = django_filters.BooleanFilter(
        label=_("Balance under the alert threshold"), method="filter_low_balance",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = LandlineAccount
        fields = ["service_point", "carrier", "plan", "state"]

    def filter_low_balance(self, queryset, name, value):
        if value:
            # Written as the indexed expression ll_balance_margin.
            return queryset.alias(margin=F("balance") - F("alert_threshold")).filter(
                margin__lt=0)
        return queryset

    def search(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())[:12]
        if not digits:
            return queryset.none()
        return queryset.filter(phone_number__contains=digits)


# --- tariff data -----------------------------------------------------------------------


class _NameSearch(BaseFilterSet):
    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.replace("\x00", "")[:60])


class CarrierFilterSet(_NameSearch):
    class Meta:
        model = Carrier
        fields = ["is_active"]


class BroadbandPlanFilterSet(_NameSearch):
    class Meta:
        model = BroadbandPlan
        fields = ["carrier", "term", "is_active"]


class LandlinePlanFilterSet(_NameSearch):
    class Meta:
        model = LandlinePlan
        fields = ["is_active"]


class AddOnFilterSet(_NameSearch):
    class Meta:
        model = AddOn
        fields = ["is_active"]


class FeeFilterSet(_NameSearch):
    class Meta:
        model = Fee
        fields = ["is_active"]
