"""Display helpers of the call desk: deadline countdowns and state badges."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def duration_text(seconds: float) -> str:
    """``3:07`` (hours:minutes), hours may pass 24: the same format calldesk.js ticks."""
    minutes = int(abs(seconds) // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def countdown_text(due: datetime | None, now: datetime | None = None) -> str:
    """"剩余 3:07" before the deadline, "超时 0:45" after it."""
    if due is None:
        return ""
    seconds = (due - (now or timezone.now())).total_seconds()
    if seconds >= 0:
        return _("%(time)s left") % {"time": duration_text(seconds)}
    return _("%(time)s overdue") % {"time": duration_text(seconds)}


@register.simple_tag
def countdown(due, now=None):
    """A live countdown: the text now, and data for calldesk.js to keep it ticking."""
    if due is None:
        return ""
    now = now or timezone.now()
    late = due < now
    return format_html(
        '<span class="sd-countdown{}" data-due="{}" data-left="{}" data-over="{}">{}</span>',
        " sd-overdue" if late else "", due.isoformat(), _("%(time)s left"),
        _("%(time)s overdue"), countdown_text(due, now),
    )


FAULT_BADGES = {
    "new": "text-bg-warning",
    "dispatched": "text-bg-info",
    "fixed": "text-bg-primary",
    "reopened": "text-bg-danger",
    "reply_owed": "text-bg-secondary",
    "closed": "text-bg-success",
    "cancelled": "text-bg-light",
    # complaints and cases
    "received": "text-bg-warning",
    "contacted": "text-bg-info",
    "handled": "text-bg-primary",
    "merged": "text-bg-light",
    "open": "text-bg-warning",
    "answered": "text-bg-success",
}


@register.filter
def ticket_badge(state: str) -> str:
    return FAULT_BADGES.get(state, "text-bg-light")


@register.filter
def local_iso(value) -> str:
    """For ``<input type="datetime-local">`` defaults."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@register.filter
def state_label(value: str, change) -> str:
    """The label of a state stored in a status-change row (``{{ s|state_label:change }}``)."""
    return change.state_label(value)


@register.filter
def fields_of(form, names: str):
    """The bound fields named in ``names`` (comma-separated) that the form has."""
    return [form[name] for name in names.split(",") if name in form.fields]


@register.filter
def get_label(mapping, key):
    """``{{ labels|get_label:value }}``: the label of a stored choice value."""
    return mapping.get(key, key) if mapping else key
