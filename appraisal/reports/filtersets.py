"""Filters of the retention lists: service point (the user's own only) and a search."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import BroadbandAccount, Carrier, LandlineAccount
from servicedesk.filtersets import BaseFilterSet
from servicedesk.models import ServicePoint


class _Scoped(BaseFilterSet):
    service_point = django_filters.ModelChoiceFilter(label=_("service point"),
                                                     queryset=ServicePoint.objects.none())
    carrier = django_filters.ModelChoiceFilter(label=_("carrier"),
                                               queryset=Carrier.objects.all())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["service_point"].queryset = ServicePoint.objects.restrict(user)


class ExpiringBroadbandFilterSet(_Scoped):
    class Meta:
        model = BroadbandAccount
        fields = ["service_point", "carrier"]

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:40]
        return queryset.filter(Q(account_name__startswith=value.lower())
                               | Q(subscriber__name__startswith=value))


class LowBalanceLandlineFilterSet(_Scoped):
    class Meta:
        model = LandlineAccount
        fields = ["service_point", "carrier"]

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:40]
        return queryset.filter(Q(phone_number__startswith=value)
                               | Q(subscriber__name__startswith=value))
