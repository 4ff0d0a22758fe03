from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from servicedesk.models import ServicePoint


def add_service_errors(form, exc: ValidationError, aliases: dict | None = None) -> bool:
    """Put a service's ValidationError on the form: on its field where the form shows one.

    ``aliases`` maps the service's (model) field names to the form's. An error on a field
    the form lacks, hides or disables goes on top of the form, where the user sees it.
    Returns whether any error landed on a field.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return False
    placed = False
    for name, errors in exc.error_dict.items():
        name = (aliases or {}).get(name, name)
        field = form.fields.get(name) if name != NON_FIELD_ERRORS else None
        shown = field is not None and not (field.disabled or field.widget.is_hidden)
        target = name if shown else None
        form.add_error(target, errors)
        placed = placed or target is not None
    return placed


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["name", "code", "fault_mark", "address", "phone", "is_active"]
