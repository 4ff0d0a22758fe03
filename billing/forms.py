"""Forms of the counter's money pages. They collect and type-check input; the rules are in
``billing.services`` (and ``tickets.services.workorders``), whose ValidationErrors the
views put back on these fields.

``CounterFormMixin`` gives every counter form what makes it safe and timed: a hidden
idempotency key (one POST = one write, however often it is sent) and a signed "opened at"
token (the transaction time for the scorecard, which the browser cannot fake).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.choices import PaymentMethod

OPENED_SALT = "counter.form-opened"
OPENED_MAX_AGE = 12 * 3600


def opened_token(now: datetime | None = None) -> str:
    return signing.dumps((now or timezone.now()).timestamp(), salt=OPENED_SALT)


def opened_at_from(token: str) -> datetime | None:
    """When the form was opened, from its signed token; None if missing, old or altered."""
    try:
        stamp = signing.loads(token or "", salt=OPENED_SALT, max_age=OPENED_MAX_AGE)
        return datetime.fromtimestamp(float(stamp), tz=timezone.get_current_timezone())
    except (signing.BadSignature, TypeError, ValueError, OverflowError):
        return None


class StyledMixin:
    """Bootstrap classes on every widget (the look of the register's forms)."""

    def style_widgets(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple,
                                   forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class CounterFormMixin(StyledMixin):
    """Hidden idempotency key and signed opened-at token on a counter form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"] = forms.UUIDField(widget=forms.HiddenInput,
                                                         initial=uuid.uuid4)
        self.fields["opened"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                initial=opened_token)
        self.style_widgets()

    def opened_at(self) -> datetime | None:
        return opened_at_from(self.data.get(self.add_prefix("opened"), ""))


def payment_fields(required: bool = True) -> dict:
    return {
        "payment_method": forms.ChoiceField(
            label=_("payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}), required=required),
        "payment_reference": forms.CharField(
            label=_("payment reference"), max_length=40, required=False,
            help_text=_("Card slip or transaction number (not for cash).")),
    }


def money_field(label, *, required=True, initial=None, max_value=Decimal("20000"),
                help_text="") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, initial=initial, min_value=0,
                              max_value=max_value, max_digits=10, decimal_places=2,
                              help_text=help_text,
                              widget=forms.NumberInput(attrs={"step": "0.01",
                                                              "inputmode": "decimal"}))


class AccountLookupForm(StyledMixin, forms.Form):
    """Which line the counter work is for: a broadband account name or a phone number."""

    account = forms.CharField(
        label=_("Account or phone number"), max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                      "spellcheck": "false",
                                      "placeholder": _("e.g. dw0120502 or 68012345")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


# --- receipts ---------------------------------------------------------------------------------


class ReceiptVoidForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("reason for voiding"), max_length=200,
                             widget=forms.TextInput(attrs={"autofocus": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class InvoiceRequestForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("invoice title"), max_length=100,
                            widget=forms.TextInput(attrs={"autofocus": True}))
    tax_id = forms.CharField(label=_("taxpayer ID"), max_length=20, required=False,
                             help_text=_("Organizations: the unified social credit code."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class ReceiptBookForm(StyledMixin, forms.Form):
    service_point = forms.ModelChoiceField(label=_("service point"), queryset=None)
    series = forms.CharField(label=_("series"), max_length=12,
                             help_text=_("Printed before the number, e.g. DW2026A."))
    first_number = forms.IntegerField(label=_("first number"), min_value=1,
                                      max_value=9_999_999)
    last_number = forms.IntegerField(label=_("last number"), min_value=1, max_value=9_999_999)

    def __init__(self, *args, service_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = service_points
        self.fields["service_point"].widget.attrs["autofocus"] = True
        self.style_widgets()


class ReceiptBookCloseForm(StyledMixin, forms.Form):
    note = forms.CharField(label=_("closing note"), max_length=200, required=False,
                           help_text=_("What became of the unused forms (lost, damaged…)."),
                           widget=forms.TextInput(attrs={"autofocus": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class DailyCloseForm(StyledMixin, forms.Form):
    counted_cash = money_field(_("counted cash"), max_value=Decimal("1000000"))
    explanation = forms.CharField(
        label=_("explanation"), max_length=300, required=False,
        help_text=_("Required when the counted cash differs from the expected cash."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counted_cash"].widget.attrs["autofocus"] = True
        self.style_widgets()


# --- renewal and top-up -----------------------------------------------------------------------


class RenewalForm(CounterFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=None, required=False,
                                  help_text=_("Another plan only at the end of the term."))

    def __init__(self, *args, plans, current_plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(payment_fields())
        self.fields["plan"].queryset = plans
        self.fields["plan"].initial = current_plan
        self.fields["plan"].empty_label = None
        self.style_widgets()


class TopUpForm(CounterFormMixin, forms.Form):
    amount = money_field(_("amount"), max_value=Decimal("5000"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(payment_fields())
        self.fields["amount"].widget.attrs["autofocus"] = True
        self.style_widgets()


# --- landline ledger ----------------------------------------------------------------------


class BalanceAdjustForm(StyledMixin, forms.Form):
    amount = forms.DecimalField(label=_("amount"), max_digits=8, decimal_places=2,
                                help_text=_("Positive puts money on, negative takes it off."))
    reason = forms.CharField(label=_("reason"), max_length=120)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.style_widgets()


class AlertThresholdForm(StyledMixin, forms.Form):
    alert_threshold = forms.DecimalField(
        label=_("alert threshold"), min_value=0, max_digits=8, decimal_places=2,
        help_text=_("Listed for a reminder call when the balance is under this amount."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class CdrUploadForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("call detail record file (CSV)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class LandlineLookupForm(StyledMixin, forms.Form):
    number = forms.CharField(label=_("phone number"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                           "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()
