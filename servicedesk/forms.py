from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from servicedesk.models import ServicePoint


class QuickSelect(forms.Select):
    """A Select whose options are written in Python: the same HTML as Django's templates
    (select.html, select_option.html), without a template per option (a filter's list of
    the 200 staff took ~40 ms a page). Option groups fall back to the templates."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = widget["optgroups"]
        if any(group_name for group_name, _choices, _index in groups):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '\n  <option value="{}"{}>{}</option>\n',
            ((option["value"], _attrs_html(option["attrs"]), option["label"])
             for _name, choices, _index in groups for option in choices))
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"],
                           _attrs_html(widget["attrs"]), options)


def _attrs_html(attrs):
    """Django's attrs.html: in the dict's order (flatatt sorts them, so an invalid filter's
    aria-invalid/aria-describedby came out swapped), True as a bare name, False left out."""
    return mark_safe("".join(  # noqa: S308 - every part escaped by format_html
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False))


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
