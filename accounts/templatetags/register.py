"""Display helpers of the register's pages."""

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def expiry_text(expires_on: date | None, today: date | None = None) -> str:
    """"expires today", "expires in 5 days", "expired 3 days ago"."""
    if expires_on is None:
        return ""
    days = (expires_on - (today or timezone.localdate())).days
    # gettext, not ngettext: the catalogue is Chinese, which has no plural forms.
    if days == 0:
        return _("expires today")
    if days > 0:
        return _("expires in %(days)d day(s)") % {"days": days}
    return _("expired %(days)d day(s) ago") % {"days": -days}


@register.filter
def expiry(expires_on):
    return expiry_text(expires_on)


@register.filter
def expiry_class(expires_on) -> str:
    """A Bootstrap text colour: red when past, amber within 30 days."""
    if expires_on is None:
        return ""
    days = (expires_on - timezone.localdate()).days
    if days < 0:
        return "text-danger"
    if days <= 30:
        return "text-warning-emphasis"
    return ""


STATE_BADGES = {
    "pending": "text-bg-info",
    "active": "text-bg-success",
    "suspended": "text-bg-secondary",
    "expired": "text-bg-danger",
    "barred": "text-bg-warning",
    "closed": "text-bg-light",
}


@register.filter
def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "text-bg-light")


@register.filter
def state_of(account, state: str) -> str:
    """The label of ``state`` for this kind of account (history rows store the value)."""
    return account.state_label(state)
