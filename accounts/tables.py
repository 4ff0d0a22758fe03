"""Tables of the register. ID numbers appear masked (on screen and in exports); passwords
never appear. Only columns backed by an index can be sorted, so a sort stays fast at a
million rows."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from accounts.templatetags.register import expiry_text
from servicedesk.tables import BaseTable, DateTimeColumn


class RegisterTable(BaseTable):
    class Meta(BaseTable.Meta):
        orderable = False


class SubscriberTable(RegisterTable):
    name = tables.Column(linkify=True)
    masked_id_number = tables.Column(verbose_name=_("ID number"), accessor="masked_id_number",
                                     empty_values=())
    home = tables.Column(verbose_name=_("premises"), accessor="home__label")
    created_at = DateTimeColumn(format="Y-m-d", orderable=True)

    class Meta(RegisterTable.Meta):
        model = Subscriber
        fields = ["name", "kind", "masked_id_number", "mobile", "phone", "service_point",
                  "home", "created_at"]
        sequence = fields


class DaysLeftColumn(tables.Column):
    """"N days left" / "expired N days ago" of a broadband term."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("time left"))
        kwargs.setdefault("accessor", "expires_on")
        super().__init__(**kwargs)

    def render(self, value):
        return expiry_text(value)

    def value(self, value):
        return (value - timezone.localdate()).days


class BroadbandAccountTable(RegisterTable):
    account_name = tables.Column(linkify=True, orderable=True)
    subscriber = tables.Column(linkify=True)
    premises = tables.Column(accessor="premises__label")
    state = tables.Column()
    starts_on = tables.DateColumn(format="Y-m-d")
    expires_on = tables.DateColumn(format="Y-m-d", orderable=True)
    days_left = DaysLeftColumn()

    class Meta(RegisterTable.Meta):
        model = BroadbandAccount
        fields = ["account_name", "subscriber", "premises", "service_point", "carrier", "plan",
                  "state", "starts_on", "expires_on", "days_left", "registration_serial"]
        sequence = fields


class LandlineAccountTable(RegisterTable):
    phone_number = tables.Column(linkify=True, orderable=True)
    subscriber = tables.Column(linkify=True)
    premises = tables.Column(accessor="premises__label")
    add_ons = tables.ManyToManyColumn(verbose_name=_("add-ons"))
    bundled_with = tables.Column(linkify=True)
    starts_on = tables.DateColumn(format="Y-m-d")

    class Meta(RegisterTable.Meta):
        model = LandlineAccount
        fields = ["phone_number", "subscriber", "premises", "service_point", "carrier", "plan",
                  "add_ons", "bundled_with", "balance", "state", "starts_on",
                  "registration_serial"]
        sequence = fields


# --- tariff data: small tables, every column sortable ----------------------------------


class CarrierTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Carrier
        fields = ["name", "code", "is_own", "number_prefix", "prepaid_only",
                  "international_calls", "is_active"]


class BroadbandPlanTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = BroadbandPlan
        fields = ["name", "carrier", "bandwidth_mbps", "term", "months", "price",
                  "monthly_call_credit", "is_active"]


class LandlinePlanTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = LandlinePlan
        fields = ["name", "monthly_rent", "caller_id_fee", "local_rate", "domestic_rate",
                  "international_rate", "is_default", "is_active"]


class AddOnTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = AddOn
        fields = ["name", "code", "monthly_fee", "is_active"]
        sequence = fields


class FeeTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Fee
        fields = ["name", "code", "amount", "is_active"]
        sequence = fields
