"""Forms of the call desk. They collect and type-check input only: the rules are in
``tickets.services.calldesk``, whose ValidationErrors the views put back on these fields.
Choices offered are scoped to what the user may see."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.models import ServicePoint, User
from servicedesk.roles import Role
from tickets.models.calldesk import (
    CallbackOutcome,
    CarrierDesk,
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintRootCause,
    FaultCause,
    FaultServiceType,
    FaultSource,
    MaintenanceOffice,
    Satisfaction,
    Urgency,
)

AUTOFOCUS = {"autofocus": True}


class StyledMixin:
    """Bootstrap classes on every widget (the look of the other apps' forms)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            # Radio and checkbox lists put the class on their container too: left plain.
            if isinstance(widget, (forms.HiddenInput, forms.RadioSelect,
                                   forms.CheckboxSelectMultiple)):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = " ".join(filter(None, [css, widget.attrs.get("class")]))


class Form(StyledMixin, forms.Form):
    pass


class ModelForm(StyledMixin, forms.ModelForm):
    pass
WIDE = {"col": "col-12"}
HALF = {"col": "col-md-6"}


def _datetime_field(label, help_text=""):
    return forms.DateTimeField(
        label=label, required=False, help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _staff_choices(roles):
    return (User.objects.filter(is_active=True, groups__name__in=roles)
            .order_by("full_name", "username").distinct())


def _account_value(account) -> str:
    return f"{account.service}:{account.pk}"


# --- faults ------------------------------------------------------------------------------


class FaultReportForm(Form):
    """Log a fault while the customer is on the line: account, source, what is wrong."""

    account = forms.ChoiceField(label=_("account at fault"), required=False)
    source = forms.ChoiceField(label=_("source"), choices=FaultSource.choices,
                               initial=FaultSource.CUSTOMER,
                               widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("fault description"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
        help_text=_("As the caller puts it, e.g. no dial tone, cannot get online."),
    )
    contact_name = forms.CharField(label=_("contact"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("callback phone"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Empty: the subscriber's phone on file."))
    reported_by = forms.CharField(label=_("reported by"), max_length=40, required=False,
                                  help_text=_("Who phoned it in (上报人)."))
    service_type = forms.ChoiceField(label=_("service type"), required=False,
                                     choices=[("", "---------"), *FaultServiceType.choices])
    service_number = forms.CharField(
        label=_("line or account"), max_length=30, required=False,
        help_text=_("Carrier desks: the number at fault when it is not in our register."))
    address = forms.CharField(label=_("address"), max_length=120, required=False)
    service_point = forms.ModelChoiceField(label=_("service point"), required=False,
                                           queryset=ServicePoint.objects.none())
    reported_at = _datetime_field(_("reported at"),
                                  _("Empty: now. Earlier when copied from the log book."))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user, subscriber=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.subscriber = subscriber
        self.fields["service_point"].queryset = ServicePoint.objects.restrict(user).filter(
            is_active=True)
        self._accounts = {}
        if subscriber is not None:
            for account in [*subscriber.fault_broadband, *subscriber.fault_landlines]:
                self._accounts[_account_value(account)] = account
        choices = [(value, f"{account._meta.verbose_name} {account} · {account.premises.label}"
                    f" · {account.get_state_display()}")
                   for value, account in self._accounts.items()]
        field = self.fields["account"]
        field.choices = [("", _("— not in our register —")), *choices]
        if len(choices) == 1 and not self.is_bound:
            field.initial = choices[0][0]
        focus = "account" if len(choices) > 1 else "description"
        self.fields[focus].widget.attrs.update(AUTOFOCUS)
        if subscriber is None:
            self.fields["account"].widget = forms.HiddenInput()

    def clean_account(self):
        value = self.cleaned_data.get("account")
        if not value:
            return None
        account = self._accounts.get(value)
        if account is None:
            raise forms.ValidationError(_("Pick one of the subscriber's accounts."))
        return account


class DispatchForm(Form):
    maintenance_office = forms.ModelChoiceField(
        label=_("maintenance office"), queryset=MaintenanceOffice.objects.filter(is_active=True))
    repairer = forms.ModelChoiceField(label=_("repairer"), required=False,
                                      queryset=User.objects.none(),
                                      help_text=_("An installer with a login…"))
    repairer_name = forms.CharField(label=_("or repairer's name"), max_length=40,
                                    required=False, help_text=_("…or just a name."))
    note = forms.CharField(label=_("dispatch note"), max_length=200, required=False,
                           widget=forms.TextInput(attrs=WIDE))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repairer"].queryset = _staff_choices([Role.INSTALLER])
        if matter is not None and not self.is_bound:
            office = matter.maintenance_office
            if office is None and matter.service_point_id:
                office = (MaintenanceOffice.objects.filter(
                    is_active=True, service_points=matter.service_point_id).first())
            self.initial.update(maintenance_office=office, repairer=matter.repairer,
                                repairer_name=matter.repairer_name)
        self.fields["maintenance_office"].widget.attrs.update(AUTOFOCUS)


class FixForm(Form):
    cause = forms.ModelChoiceField(label=_("fault cause"),
                                   queryset=FaultCause.objects.filter(is_active=True),
                                   widget=forms.Select(attrs=AUTOFOCUS))
    note = forms.CharField(label=_("repair note"), max_length=200, required=False)
    at = _datetime_field(_("fixed at"), _("Empty: now."))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


class FaultCallbackForm(Form):
    result = forms.ChoiceField(
        label=_("callback result"), widget=forms.RadioSelect,
        choices=[("passed", _("☆ Passed: the customer confirms it works")),
                 ("failed", _("× Failed: still not working"))],
    )
    satisfaction = forms.ChoiceField(label=_("satisfaction"), required=False,
                                     choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("callback note"), max_length=300, required=False,
                           widget=forms.TextInput(attrs=WIDE),
                           help_text=_("Required when the callback fails: what is wrong."))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        cleaned["passed"] = cleaned.pop("result", None) == "passed"
        return cleaned


class CarrierReplyForm(Form):
    note = forms.CharField(label=_("reply note"), max_length=200, required=False,
                           widget=forms.TextInput(attrs=WIDE),
                           help_text=_("Who at the desk took the reply, for example."))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


class CancelForm(Form):
    reason = forms.CharField(label=_("reason"), max_length=200,
                             widget=forms.TextInput(attrs=WIDE))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


class HandOverForm(Form):
    to_user = forms.ModelChoiceField(label=_("hand over to"), queryset=User.objects.none())
    note = forms.CharField(label=_("hand-over note"), max_length=300,
                           widget=forms.TextInput(attrs=HALF))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = _staff_choices([Role.AGENT, Role.MANAGER])
        if matter is not None:
            staff = staff.exclude(pk=matter.owner_id)
        self.fields["to_user"].queryset = staff


# --- complaints --------------------------------------------------------------------------


class ComplaintForm(Form):
    complainant_name = forms.CharField(label=_("complainant"), max_length=60, required=False,
                                       widget=forms.TextInput(attrs=AUTOFOCUS))
    complainant_phone = forms.CharField(label=_("complainant phone"), max_length=20,
                                        required=False,
                                        widget=forms.TextInput(attrs={"inputmode": "tel"}))
    channel = forms.ChoiceField(label=_("channel"), choices=ComplaintChannel.choices,
                                initial=ComplaintChannel.PHONE)
    kind = forms.ChoiceField(label=_("complaint type"),
                             choices=[("", "---------"), *ComplaintKind.choices])
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    against_staff = forms.ModelChoiceField(label=_("staff complained about"), required=False,
                                           queryset=User.objects.none())
    description = forms.CharField(label=_("what the customer says"), max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}))
    address = forms.CharField(label=_("address"), max_length=120, required=False)
    service_point = forms.ModelChoiceField(label=_("service point"), required=False,
                                           queryset=ServicePoint.objects.none())
    received_at = _datetime_field(_("received at"), _("Empty: now."))

    def __init__(self, *args, user, subscriber=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = ServicePoint.objects.restrict(user)
        self.fields["against_staff"].queryset = User.objects.filter(is_active=True).order_by(
            "full_name")
        if subscriber is not None:
            self.fields["complainant_name"].help_text = _("Empty: %(name)s") % {
                "name": subscriber.name}
            self.fields["complainant_phone"].help_text = _("Empty: the phone on file.")


class ComplaintContactForm(Form):
    note = forms.CharField(label=_("contact note"), max_length=300, required=False,
                           widget=forms.TextInput(attrs=WIDE))
    at = _datetime_field(_("contacted at"), _("Empty: now."))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


class ComplaintRescheduleForm(Form):
    new_due = forms.DateTimeField(
        label=_("new agreed deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    reason = forms.CharField(label=_("reason"), max_length=200,
                             widget=forms.TextInput(attrs=HALF))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


class ComplaintHandleForm(Form):
    substantiated = forms.TypedChoiceField(
        label=_("substantiated"), coerce=lambda v: v == "yes", empty_value=None,
        choices=[("yes", _("Yes, substantiated")), ("no", _("No, not substantiated"))],
        widget=forms.RadioSelect)
    root_cause = forms.ModelChoiceField(
        label=_("root cause"), queryset=ComplaintRootCause.objects.filter(is_active=True),
        help_text=_("What it came from in the end, not the customer's words."))
    against_staff = forms.ModelChoiceField(label=_("staff complained about"), required=False,
                                           queryset=User.objects.none())
    result = forms.CharField(label=_("investigation and answer"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}))
    at = _datetime_field(_("answered at"), _("Empty: now."))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against_staff"].queryset = User.objects.filter(
            is_active=True).order_by("full_name")
        if matter is not None and not self.is_bound:
            self.initial.setdefault("against_staff", matter.against_staff_id)


class ComplaintCallbackForm(Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=CallbackOutcome.choices,
                                widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("satisfaction"), required=False,
                                     choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("callback note"), max_length=300, required=False,
                           widget=forms.TextInput(attrs=WIDE))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


class ComplaintMergeForm(Form):
    into = forms.CharField(label=_("same complaint as"), max_length=20,
                           help_text=_("Its number, e.g. TS-00012."))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, matter=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_into(self):
        digits = "".join(ch for ch in self.cleaned_data["into"] if ch.isdigit())
        complaint = None
        if digits and len(digits) < 12:
            queryset = Complaint.objects.restrict(self.user) if self.user else Complaint.objects
            complaint = queryset.filter(pk=int(digits)).first()
        if complaint is None:
            raise forms.ValidationError(_("No complaint has that number."))
        return complaint


# --- cases -------------------------------------------------------------------------------


class InquiryForm(Form):
    caller_name = forms.CharField(label=_("who"), max_length=60, required=False,
                                  widget=forms.TextInput(attrs=AUTOFOCUS))
    phone = forms.CharField(label=_("phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    place = forms.CharField(label=_("where"), max_length=120, required=False)
    question = forms.CharField(label=_("what"), max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}))
    service_point = forms.ModelChoiceField(label=_("service point"), required=False,
                                           queryset=ServicePoint.objects.none())
    received_at = _datetime_field(_("when"), _("Empty: now."))

    def __init__(self, *args, user, subscriber=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = ServicePoint.objects.restrict(user)
        if subscriber is not None:
            self.fields["caller_name"].help_text = _("Empty: %(name)s") % {
                "name": subscriber.name}
            self.fields["phone"].help_text = _("Empty: the phone on file.")


class InquiryAnswerForm(Form):
    answer = forms.CharField(label=_("answer given"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "col": "col-12",
                                                          "autofocus": True}))
    satisfaction = forms.ChoiceField(label=_("satisfaction"), required=False,
                                     choices=[("", _("not asked")), *Satisfaction.choices])
    at = _datetime_field(_("answered at"), _("Empty: now."))

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)


# --- reference data (saved by the ModelForm) ----------------------------------------------


class MaintenanceOfficeForm(ModelForm):
    class Meta:
        model = MaintenanceOffice
        fields = ["name", "phone", "service_points", "sort_order", "is_active"]
        widgets = {"name": forms.TextInput(attrs=AUTOFOCUS),
                   "service_points": forms.CheckboxSelectMultiple}


class FaultCauseForm(ModelForm):
    class Meta:
        model = FaultCause
        fields = ["name", "sort_order", "is_active"]
        widgets = {"name": forms.TextInput(attrs=AUTOFOCUS)}


class ComplaintRootCauseForm(ModelForm):
    class Meta:
        model = ComplaintRootCause
        fields = ["name", "description", "sort_order", "is_active"]
        widgets = {"name": forms.TextInput(attrs=AUTOFOCUS)}


class CarrierDeskForm(ModelForm):
    class Meta:
        model = CarrierDesk
        fields = ["source", "name", "phone", "carrier", "is_active"]
        widgets = {"source": forms.Select(attrs=AUTOFOCUS)}


__all__ = [
    "FaultReportForm", "DispatchForm", "FixForm", "FaultCallbackForm", "CarrierReplyForm",
    "CancelForm", "HandOverForm", "ComplaintForm", "ComplaintContactForm",
    "ComplaintRescheduleForm", "ComplaintHandleForm", "ComplaintCallbackForm",
    "ComplaintMergeForm", "InquiryForm", "InquiryAnswerForm", "MaintenanceOfficeForm",
    "FaultCauseForm", "ComplaintRootCauseForm", "CarrierDeskForm",
]
