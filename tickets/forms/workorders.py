"""Forms of the counter's work orders. They collect and type-check; the rules live in
``tickets.services.workorders`` (and billing, accounts), whose refusals the views put
back on these fields. Field order is the clerk's tab order."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SubscriberKind
from accounts.models import AddOn, BroadbandPlan, Carrier, LandlinePlan
from billing.forms import CounterFormMixin, StyledMixin, money_field, payment_fields
from servicedesk.models import ServicePoint
from tickets.models.workorders import CallbackResult, WorkOrderSatisfaction
from tickets.selectors.workorders import usual_plan_id
from tickets.services.workorders import installers_for


def _premises(prefix: str = "", required: bool = True) -> dict:
    def number(label, high, col):
        return forms.IntegerField(
            label=label, min_value=1, max_value=high, required=required,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "col": col}))

    return {
        f"{prefix}building": number(_("building"), 99, "col-4"),
        f"{prefix}unit": number(_("unit"), 9, "col-4"),
        f"{prefix}room": number(_("room"), 9999, "col-4"),
    }


def plan_choices():
    """Plans on sale, grouped by carrier (own service first)."""
    groups: dict = {}
    for plan in BroadbandPlan.objects.filter(is_active=True).select_related("carrier").order_by(
            "-carrier__is_own", "carrier__name", "term", "bandwidth_mbps"):
        groups.setdefault(plan.carrier.name, []).append(
            (plan.pk, f"{plan.name} · ¥{plan.price}"))
    return [("", "———"), *groups.items()]


class InstallOrderForm(CounterFormMixin, forms.Form):
    """One screen: who, where, what, how paid. Defaults make the common order (own
    broadband, cash) a matter of typing the name, ID, room and pressing Enter."""

    service_point = forms.ModelChoiceField(label=_("service point"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=SubscriberKind.choices,
                             initial=SubscriberKind.PERSON)
    name = forms.CharField(label=_("name"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    intro_letter_ref = forms.CharField(label=_("introduction letter"), max_length=60,
                                       required=False)
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel",
                                                           "autocomplete": "off"}))
    phone = forms.CharField(label=_("contact phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off"}))
    want_broadband = forms.BooleanField(label=_("Broadband"), required=False, initial=True)
    broadband_plan = forms.TypedChoiceField(label=_("plan"), required=False, coerce=int,
                                            empty_value=None)
    want_landline = forms.BooleanField(label=_("Landline"), required=False, initial=False)
    landline_carrier = forms.ModelChoiceField(label=_("carrier"), required=False, queryset=None)
    phone_number = forms.CharField(label=_("phone number"), max_length=12, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                 "autocomplete": "off"}))
    landline_plan = forms.ModelChoiceField(label=_("billing plan"), required=False,
                                           queryset=None)
    add_ons = forms.ModelMultipleChoiceField(label=_("add-ons"), required=False, queryset=None,
                                             widget=forms.CheckboxSelectMultiple)
    prepaid_credit = money_field(_("call credit"), required=False, initial=Decimal("0"),
                                 max_value=Decimal("5000"))
    broadband_points = forms.IntegerField(label=_("broadband points"), min_value=0,
                                          max_value=20, initial=1,
                                          help_text=_("2 free"))
    landline_points = forms.IntegerField(label=_("landline points"), min_value=0, max_value=20,
                                         initial=1, help_text=_("2 free"))
    router_setup = forms.BooleanField(label=_("router setup"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user, subscriber=None, **kwargs):
        self.user = user
        self.subscriber = subscriber
        super().__init__(*args, **kwargs)
        self.fields.update(_premises())
        self.fields.update(payment_fields())
        points = ServicePoint.objects.restrict(user).filter(is_active=True)
        self.fields["service_point"].queryset = points
        if user.service_point_id:
            del self.fields["service_point"]
        elif subscriber is not None:
            self.fields["service_point"].initial = subscriber.service_point_id
        self.fields["broadband_plan"].choices = plan_choices()
        self.fields["broadband_plan"].initial = usual_plan_id(
            user.service_point_id or (subscriber.service_point_id if subscriber else None))
        self.fields["landline_carrier"].queryset = Carrier.objects.filter(is_active=True)
        self.fields["landline_carrier"].initial = Carrier.objects.filter(is_own=True).values_list(
            "pk", flat=True).first()
        self.fields["landline_plan"].queryset = LandlinePlan.objects.filter(is_active=True)
        self.fields["landline_plan"].initial = LandlinePlan.objects.filter(
            is_default=True).values_list("pk", flat=True).first()
        self.fields["landline_plan"].empty_label = None
        self.fields["add_ons"].queryset = AddOn.objects.filter(is_active=True)
        if subscriber is not None:
            for name in ("kind", "name", "id_number", "intro_letter_ref", "mobile", "phone"):
                del self.fields[name]
            home = subscriber.home
            if home is not None and (not user.service_point_id
                                     or home.service_point_id == user.service_point_id):
                self.fields["building"].initial = home.building
                self.fields["unit"].initial = home.unit
                self.fields["room"].initial = home.room
        order = ["service_point", "kind", "name", "id_number", "intro_letter_ref", "mobile",
                 "phone", "building", "unit", "room", "want_broadband", "broadband_plan",
                 "want_landline", "landline_carrier", "phone_number", "landline_plan",
                 "add_ons", "prepaid_credit", "broadband_points", "landline_points",
                 "router_setup", "payment_method", "payment_reference", "note"]
        self.order_fields(order)
        self.style_widgets()
        first = next(name for name in order if name in self.fields)
        if subscriber is not None:
            first = "building" if self.fields["building"].initial is None else "broadband_plan"
        self.fields[first].widget.attrs["autofocus"] = True

    def clean_broadband_plan(self):
        return self.clean_plan(self.cleaned_data.get("broadband_plan"))

    @staticmethod
    def clean_plan(pk):
        if pk is None:
            return None
        plan = BroadbandPlan.objects.filter(pk=pk, is_active=True).select_related(
            "carrier").first()
        if plan is None:
            raise forms.ValidationError(_("This plan is no longer on sale."))
        return plan

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("want_broadband"):
            cleaned["broadband_plan"] = None
        elif not cleaned.get("broadband_plan") and "broadband_plan" not in self.errors:
            self.add_error("broadband_plan", _("Choose a broadband plan."))
        if not cleaned.get("want_landline"):
            cleaned["landline_carrier"] = None
        elif not cleaned.get("landline_carrier") and "landline_carrier" not in self.errors:
            self.add_error("landline_carrier", _("Choose the landline's carrier."))
        if not cleaned.get("want_broadband") and not cleaned.get("want_landline"):
            raise forms.ValidationError(_("Choose broadband, a landline, or both."))
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned data as ``install_order_open`` takes it."""
        data = self.cleaned_data
        kwargs = {name: data.get(name) for name in (
            "building", "unit", "room", "broadband_plan", "landline_carrier", "landline_plan",
            "phone_number", "payment_method", "payment_reference", "note", "router_setup")}
        kwargs["add_ons"] = list(data.get("add_ons") or [])
        kwargs["prepaid_credit"] = data.get("prepaid_credit") or Decimal("0")
        kwargs["broadband_points"] = data.get("broadband_points") or 0
        kwargs["landline_points"] = data.get("landline_points") or 0
        kwargs["idempotency_key"] = data.get("idempotency_key")
        kwargs["opened_at"] = self.opened_at()
        if self.subscriber is not None:
            kwargs["subscriber"] = self.subscriber
        else:
            kwargs["new_subscriber"] = {name: data.get(name) or "" for name in (
                "kind", "name", "id_number", "intro_letter_ref", "mobile", "phone")}
        return kwargs


class DispatchForm(StyledMixin, forms.Form):
    orders = forms.ModelMultipleChoiceField(label=_("orders"), queryset=None,
                                            widget=forms.CheckboxSelectMultiple)
    installer = forms.ModelChoiceField(label=_("installer"), queryset=None, required=False)
    installer_name = forms.CharField(label=_("or a name"), max_length=40, required=False,
                                     help_text=_("A project manager without a login."))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, orders, service_point_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = orders
        installers = installers_for(service_point_id)
        self.fields["installer"].queryset = installers
        usual = installers.first() if service_point_id else None
        if usual is not None and usual.service_point_id == service_point_id:
            self.fields["installer"].initial = usual.pk  # the compound's own installer
        self.fields["installer"].widget.attrs["autofocus"] = True
        self.style_widgets()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("installer") and not (cleaned.get("installer_name") or "").strip():
            self.add_error("installer", _("Choose the installer or type a name."))
        return cleaned


class ReturnForm(StyledMixin, forms.Form):
    installed_on = forms.DateField(label=_("done on"), initial=timezone.localdate,
                                   required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class CallbackForm(StyledMixin, forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=CallbackResult.choices,
                               initial=CallbackResult.CONFIRMED, widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("satisfaction"), required=False,
                                     choices=WorkOrderSatisfaction.choices,
                                     widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class ReasonForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200,
                             widget=forms.TextInput(attrs={"autofocus": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


# --- carrier orders -----------------------------------------------------------------------


class CarrierBatchForm(StyledMixin, forms.Form):
    carrier = forms.ModelChoiceField(label=_("carrier"), queryset=None)
    fax_ref = forms.CharField(label=_("fax reference"), max_length=40, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.filter(is_own=False, is_active=True)
        self.fields["carrier"].initial = self.fields["carrier"].queryset.filter(
            code="telecom").values_list("pk", flat=True).first()
        self.fields["carrier"].widget.attrs["autofocus"] = True
        if not user.service_point_id:
            self.fields["service_point"] = forms.ModelChoiceField(
                label=_("service point"),
                queryset=ServicePoint.objects.restrict(user).filter(is_active=True))
            self.order_fields(["service_point", "carrier", "fax_ref", "note"])
        self.style_widgets()


class CarrierOrderForm(StyledMixin, forms.Form):
    customer_name = forms.CharField(label=_("customer"), max_length=60)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)
    broadband = forms.BooleanField(label=_("Broadband"), required=False, initial=True)
    landline = forms.BooleanField(label=_("Landline"), required=False)
    carrier_ref = forms.CharField(label=_("carrier order number"), max_length=40,
                                  required=False)
    carrier_account = forms.CharField(label=_("carrier account or number"), max_length=40,
                                      required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_premises())
        self.order_fields(["customer_name", "contact_phone", "building", "unit", "room",
                           "broadband", "landline", "carrier_ref", "carrier_account"])
        self.style_widgets()

    def has_changed(self):
        # The default ticks alone do not make a row: only typed text does.
        return any(self[name].data for name in ("customer_name", "contact_phone", "building",
                                                 "unit", "room", "carrier_ref",
                                                 "carrier_account"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("broadband") and not cleaned.get("landline"):
            self.add_error("broadband", _("Tick broadband, landline or both."))
        return cleaned

    def as_order(self) -> dict:
        data = dict(self.cleaned_data)
        data["services"] = [s for s in ("broadband", "landline") if data.pop(s, False)]
        return data


CarrierOrderFormSet = forms.formset_factory(CarrierOrderForm, extra=6, max_num=40,
                                            validate_max=True)


# --- counter work on an existing line -----------------------------------------------------


class MoveForm(CounterFormMixin, forms.Form):
    to_service_point = forms.ModelChoiceField(label=_("compound"), queryset=None,
                                              required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(payment_fields())
        self.fields.update(_premises("to_"))
        self.fields["to_service_point"].queryset = ServicePoint.objects.filter(is_active=True)
        self.fields["to_service_point"].initial = account.premises.service_point_id
        self.fields["to_service_point"].empty_label = None
        self.order_fields(["to_service_point", "to_building", "to_unit", "to_room",
                           "payment_method", "payment_reference"])
        self.fields["to_building"].widget.attrs["autofocus"] = True
        self.style_widgets()


class ExtraPointsForm(CounterFormMixin, forms.Form):
    broadband_points = forms.IntegerField(
        label=_("broadband points"), min_value=0, max_value=20, initial=3,
        help_text=_("All the points the premises will have; 2 are free."))
    landline_points = forms.IntegerField(label=_("landline points"), min_value=0, max_value=20,
                                         initial=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(payment_fields())
        self.fields["broadband_points"].widget.attrs["autofocus"] = True
        self.style_widgets()


class RouterSetupForm(CounterFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(payment_fields())
        self.style_widgets()


class RemovalForm(CounterFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=150,
                             widget=forms.TextInput(attrs={"autofocus": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class SuspendForm(CounterFormMixin, forms.Form):
    months = forms.TypedChoiceField(label=_("months"), coerce=int, initial=3,
                                    choices=[(3, _("3 months")), (6, _("6 months"))],
                                    widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


