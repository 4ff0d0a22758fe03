"""The retention lists' tables: who to call, their phones, and the "called" mark.

Exported to Excel through django-tables2 (the mark's button is not exported). No ID
number appears.
"""

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import BroadbandAccount, LandlineAccount, RetentionOutcome
from accounts.tables import DaysLeftColumn
from servicedesk.tables import DateColumn, PkLinkColumn, PythonRowsTable

OUTCOMES = dict(RetentionOutcome.choices)


def subscriber_column():
    return PkLinkColumn("accounts:subscriber_detail", pk="subscriber_id",
                        accessor="subscriber__name", verbose_name=_("subscriber"))


class CalledColumn(tables.Column):
    """When the current period's call was made, by whom, and how it went."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("called"))
        kwargs.setdefault("accessor", "called_at")
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    def value(self, record, value):
        if value is None:
            return ""
        from django.utils import timezone

        return (f"{timezone.localtime(value):%Y-%m-%d %H:%M} {record.called_by_name or ''} "
                f"{OUTCOMES.get(record.call_outcome, '')}").strip()

    def render(self, record, value):
        return self.value(record, value)




class MarkColumn(tables.Column):
    """The "mark called" form of a row not yet called (for users who may mark).

    Rendered in Python: the form's fixed parts (CSRF token, return address, the outcome
    choices, the URL with a placeholder id) are built once per table, not a template per
    row (the list's slowest part)."""

    _PLACEHOLDER = 987654321

    def __init__(self, mark_url: str, **kwargs):
        self.mark_url = mark_url
        super().__init__(accessor="pk", orderable=False, exclude_from_export=True,
                         verbose_name="", empty_values=(), **kwargs)

    def _parts(self, table):
        cache = table.__dict__.setdefault("_mark_parts", {})
        if self.mark_url not in cache:
            request = getattr(table, "request", None)
            if request is None or not request.user.has_perm("accounts.add_retentioncall"):
                cache[self.mark_url] = None
            else:
                options = format_html_join("", '<option value="{}">{}</option>',
                                           RetentionOutcome.choices)
                head = format_html(
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<input type="hidden" name="next" value="{}">'
                    '<select name="outcome" class="form-select form-select-sm" '
                    'aria-label="{}">{}</select>'
                    '<button class="btn btn-sm btn-outline-primary text-nowrap" '
                    'type="submit" data-once>{}</button>',
                    get_token(request), request.get_full_path(), gettext("outcome"), options,
                    gettext("Mark called"))
                url = reverse(self.mark_url, args=[self._PLACEHOLDER])
                cache[self.mark_url] = (url, head)
        return cache[self.mark_url]

    def render(self, record, table):
        parts = self._parts(table)
        if parts is None or record.called_at:
            return ""
        url, head = parts
        return format_html('<form method="post" action="{}" class="d-flex gap-1">{}</form>',
                           url.replace(str(self._PLACEHOLDER), str(record.pk)), head)


class RetentionTable(PythonRowsTable):
    class Meta(PythonRowsTable.Meta):
        orderable = False
        empty_text = _("Nobody to call.")


class ExpiringBroadbandTable(RetentionTable):
    account_name = PkLinkColumn("accounts:broadband_detail")
    subscriber = subscriber_column()
    mobile = tables.Column(accessor="subscriber__mobile", verbose_name=_("mobile"))
    phone = tables.Column(accessor="subscriber__phone", verbose_name=_("contact phone"))
    premises = tables.Column(accessor="premises__label", verbose_name=_("premises"))
    expires_on = DateColumn()
    time_left = DaysLeftColumn()
    called = CalledColumn()
    mark = MarkColumn("reports:retention_broadband_mark")

    class Meta(RetentionTable.Meta):
        model = BroadbandAccount
        fields = ["service_point", "account_name", "subscriber", "mobile", "phone", "premises",
                  "plan", "expires_on", "time_left", "called", "mark"]
        sequence = fields


class LowBalanceLandlineTable(RetentionTable):
    phone_number = PkLinkColumn("accounts:landline_detail")
    subscriber = subscriber_column()
    mobile = tables.Column(accessor="subscriber__mobile", verbose_name=_("mobile"))
    phone = tables.Column(accessor="subscriber__phone", verbose_name=_("contact phone"))
    premises = tables.Column(accessor="premises__label", verbose_name=_("premises"))
    called = CalledColumn()
    mark = MarkColumn("reports:retention_landline_mark")

    class Meta(RetentionTable.Meta):
        model = LandlineAccount
        fields = ["service_point", "phone_number", "subscriber", "mobile", "phone", "premises",
                  "carrier", "state", "balance", "alert_threshold", "called", "mark"]
        sequence = fields
