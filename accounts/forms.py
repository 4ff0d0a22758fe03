"""Forms of the register. They only collect and type-check input: the rules are in
``accounts.services``, whose ValidationErrors the views put back on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import SubscriberKind
from accounts.models import AddOn, BroadbandPlan, Carrier, Fee, LandlinePlan, Subscriber
from servicedesk.models import ServicePoint

AUTOFOCUS = {"autofocus": True}


class BootstrapMixin:
    """Bootstrap classes on every widget (form-control, form-select, form-check-input)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = css


def _premises_fields():
    return {
        "building": forms.IntegerField(
            label=_("building"), required=False, min_value=1, max_value=99,
            widget=forms.NumberInput(attrs={"col": "col-4 col-md-2", "inputmode": "numeric"}),
            help_text=_("1-99"),
        ),
        "unit": forms.IntegerField(
            label=_("unit"), required=False, min_value=1, max_value=9,
            widget=forms.NumberInput(attrs={"col": "col-4 col-md-2", "inputmode": "numeric"}),
            help_text=_("1-9"),
        ),
        "room": forms.IntegerField(
            label=_("room"), required=False, min_value=1, max_value=9999,
            widget=forms.NumberInput(attrs={"col": "col-4 col-md-2", "inputmode": "numeric"}),
            help_text=_("1-9999, e.g. 502"),
        ),
    }


class _PremisesFieldsMixin:
    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(name) for name in ("building", "unit", "room")]
        if any(value is not None for value in given) and not all(
            value is not None for value in given
        ):
            for name in ("building", "unit", "room"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter the building, unit and room together."))
        return cleaned


class SubscriberCreateForm(BootstrapMixin, _PremisesFieldsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SubscriberKind.choices,
                             initial=SubscriberKind.PERSON,
                             widget=forms.Select(attrs=AUTOFOCUS))
    name = forms.CharField(label=_("Name (person or organization)"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number"), max_length=20, required=False,
        help_text=_("Persons: 18 digits, the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    intro_letter_ref = forms.CharField(
        label=_("introduction letter"), max_length=60, required=False,
        help_text=_("Organizations: the reference of the introduction letter."),
    )
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel"}))
    phone = forms.CharField(label=_("contact phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}),
                            help_text=_("A mobile, or a landline such as 029-86860001."))
    service_point = forms.ModelChoiceField(label=_("service point"),
                                           queryset=ServicePoint.objects.none())
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_premises_fields())
        self.style_widgets()
        # Field order: identity, contact, where.
        self.order_fields(["kind", "name", "id_number", "intro_letter_ref", "mobile", "phone",
                           "service_point", "building", "unit", "room", "note"])
        points = ServicePoint.objects.restrict(user).filter(is_active=True)
        field = self.fields["service_point"]
        field.queryset = points
        if user.service_point_id:
            # A clerk registers at their own point: shown, not choosable.
            field.initial = user.service_point_id
            field.disabled = True
        elif points.count() == 1:
            field.initial = points.get().pk


class SubscriberUpdateForm(BootstrapMixin, _PremisesFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name (person or organization)"), max_length=60,
                           widget=forms.TextInput(attrs=AUTOFOCUS))
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel"}))
    phone = forms.CharField(label=_("contact phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}),
                            help_text=_("A mobile, or a landline such as 029-86860001."))
    intro_letter_ref = forms.CharField(label=_("introduction letter"), max_length=60,
                                       required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user, instance: Subscriber, **kwargs):
        home = instance.home
        kwargs.setdefault("initial", {
            "name": instance.name, "mobile": instance.mobile, "phone": instance.phone,
            "intro_letter_ref": instance.intro_letter_ref, "note": instance.note,
            "building": home.building if home else None,
            "unit": home.unit if home else None,
            "room": home.room if home else None,
        })
        super().__init__(*args, **kwargs)
        self.fields.update(_premises_fields())
        self.style_widgets()
        if instance.kind != SubscriberKind.ORGANIZATION:
            del self.fields["intro_letter_ref"]
        self.order_fields(["name", "mobile", "phone", "intro_letter_ref", "building", "unit",
                           "room", "note"])


class ReasonForm(BootstrapMixin, forms.Form):
    """Why a password is reset (required; logged)."""

    reason = forms.CharField(label=_("reason"), max_length=200,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class RevealReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


# --- tariff data (reference data: saved by the ModelForm) -----------------------------


class CarrierForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["name", "code", "is_own", "number_prefix", "prepaid_only",
                  "international_calls", "is_active"]
        widgets = {"name": forms.TextInput(attrs=AUTOFOCUS)}


class BroadbandPlanForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = BroadbandPlan
        fields = ["carrier", "name", "bandwidth_mbps", "term", "months", "price",
                  "monthly_call_credit", "is_active"]
        widgets = {"carrier": forms.Select(attrs=AUTOFOCUS)}


class LandlinePlanForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = LandlinePlan
        fields = ["name", "monthly_rent", "caller_id_fee", "local_rate", "domestic_rate",
                  "international_rate", "is_default", "is_active"]
        widgets = {"name": forms.TextInput(attrs=AUTOFOCUS)}


class AddOnForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = AddOn
        fields = ["code", "name", "monthly_fee", "is_active"]
        widgets = {"code": forms.TextInput(attrs=AUTOFOCUS)}


class FeeForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Fee
        fields = ["code", "name", "amount", "is_active"]
        widgets = {"code": forms.TextInput(attrs=AUTOFOCUS)}
