"""The subscriber page's buttons into tickets: new install order, fault, complaint, case.

Wired through ``settings.SUBSCRIBER_ACTIONS`` so the register never imports tickets.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicedesk.timeline import SubscriberAction

ACTIONS = (
    # (permission, url name, label, primary)
    ("tickets.add_workorder", "tickets:install_order", _("New install order"), True),
    ("tickets.add_fault", "tickets:fault_add", _("Log a fault"), True),
    ("tickets.add_complaint", "tickets:complaint_add", _("Take a complaint"), False),
    ("tickets.add_inquiry", "tickets:inquiry_add", _("Open a case"), False),
)


def subscriber_actions(subscriber, user) -> list[SubscriberAction]:
    query = "?" + urlencode({"subscriber": subscriber.pk})
    return [
        SubscriberAction(label=str(label), url=reverse(url_name) + query, primary=primary)
        for permission, url_name, label, primary in ACTIONS
        if user.has_perm(permission)
    ]
