"""One FilterSet per money list; every filter has an index behind it (billing/models.py)."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import LandlineState
from accounts.models import LandlineAccount
from billing.choices import PaymentMethod, ReceiptPurpose, ReceiptStatus
from billing.models import CdrImport, DailyClose, InvoiceRequest, Receipt, ReceiptBook
from servicedesk.filtersets import BaseFilterSet
from servicedesk.models import ServicePoint, User

DATE = forms.DateInput(attrs={"type": "date"})


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class ScopedFilterSet(BaseFilterSet):
    """Offers only the service points (and clerks) the user may see."""

    service_point = django_filters.ModelChoiceFilter(label=_("service point"),
                                                     queryset=ServicePoint.objects.none())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["service_point"].queryset = ServicePoint.objects.restrict(user)
        if "clerk" in self.filters:
            staff = User.objects.restrict(user).filter(is_active=True).order_by("full_name")
            self.filters["clerk"].queryset = staff


class ReceiptFilterSet(ScopedFilterSet):
    day_from = django_filters.DateFilter(field_name="issued_on", method="issued_from",
                                         label=_("from date"), widget=DATE)
    day_to = django_filters.DateFilter(field_name="issued_on", method="issued_to",
                                       label=_("to date"), widget=DATE)
    clerk = django_filters.ModelChoiceFilter(field_name="issued_by", label=_("clerk"),
                                             queryset=User.objects.none())
    payment_method = django_filters.ChoiceFilter(label=_("payment method"),
                                                 choices=PaymentMethod.choices)
    purpose = django_filters.ChoiceFilter(label=_("purpose"), choices=ReceiptPurpose.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=ReceiptStatus.choices)

    class Meta:
        model = Receipt
        fields = ["service_point"]

    # A receipt's date is the local date of its time (billing.services.issue_receipt), so
    # a day range is also an ``issued_at`` range: that bound lets the list's index on
    # ``-issued_at`` (its order, receipt_issued / receipt_sp_issued) start at the range's
    # end and stop after a page, instead of filtering every receipt newer than the range
    # (a month two years back: 3 million rows at N = 1,000,000).
    def issued_from(self, queryset, name, value):
        return queryset.filter(issued_on__gte=value, issued_at__gte=_local_midnight(value))

    def issued_to(self, queryset, name, value):
        queryset = queryset.filter(issued_on__lte=value)
        if value < date.max:
            queryset = queryset.filter(issued_at__lt=_local_midnight(value + timedelta(days=1)))
        return queryset

    def search(self, queryset, name, value):
        """A receipt number (with or without its series), a payer or a reference."""
        value = value.strip()
        digits = value.rsplit("-", 1)[-1]
        if digits.isdigit():
            return queryset.filter(Q(number=int(digits)) | Q(reference__icontains=value))
        return queryset.filter(Q(payer_name__icontains=value) | Q(reference__icontains=value))


class ReceiptBookFilterSet(ScopedFilterSet):
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull",
                                        label=_("open"))

    class Meta:
        model = ReceiptBook
        fields = ["service_point"]

    def search(self, queryset, name, value):
        return queryset.filter(series__iexact=value.strip())


class DailyCloseFilterSet(ScopedFilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("from date"),
                                         widget=DATE)
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("to date"),
                                       widget=DATE)
    clerk = django_filters.ModelChoiceFilter(label=_("clerk"), queryset=User.objects.none())
    is_late = django_filters.BooleanFilter(label=_("late"))

    class Meta:
        model = DailyClose
        fields = ["service_point"]

    def search(self, queryset, name, value):
        return queryset.filter(clerk__full_name__icontains=value.strip())


class InvoiceRequestFilterSet(ScopedFilterSet):
    waiting = django_filters.BooleanFilter(field_name="collected_at", lookup_expr="isnull",
                                           label=_("not collected"))

    class Meta:
        model = InvoiceRequest
        fields = ["service_point"]

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())


class LowBalanceFilterSet(ScopedFilterSet):
    """The reminder list: by service point and state; ``q`` finds a number (trigram index)."""

    state = django_filters.ChoiceFilter(
        label=_("state"), choices=[(LandlineState.ACTIVE, LandlineState.ACTIVE.label),
                                   (LandlineState.BARRED, LandlineState.BARRED.label)])

    class Meta:
        model = LandlineAccount
        fields = ["service_point", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(phone_number__contains="".join(ch for ch in value
                                                              if ch.isdigit()))


class CdrImportFilterSet(BaseFilterSet):
    """Call record imports (a few a month: no index needed for the file name search)."""

    class Meta:
        model = CdrImport
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(file_name__icontains=value)
