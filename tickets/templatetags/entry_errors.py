"""``{% entry_error_panel record %}``: the flags on an order or fault, and the form to add
one (for users who may flag)."""

from django import template
from django.urls import reverse

from tickets.forms.entry_errors import EntryErrorForm

register = template.Library()


@register.inclusion_tag("tickets/_entry_errors.html", takes_context=True)
def entry_error_panel(context, record):
    user = context["request"].user
    is_order = record._meta.model_name == "workorder"
    url_name = "tickets:workorder_flag_error" if is_order else "tickets:fault_flag_error"
    return {
        "flags": list(record.entry_errors.select_related("flagged_by", "attributed_to")),
        "form": EntryErrorForm(record=record, auto_id="id_flag_%s"),
        "url": reverse(url_name, args=[record.pk]),
        "can_flag": user.has_perm("tickets.add_entryerrorflag"),
        "entered_by": record.accepted_by if is_order else record.received_by,
    }
