"""The one base table every list page uses."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from servicedesk.models import ServicePoint, User


class BaseTable(tables.Table):
    """Bootstrap 5 table with the project's attrs; subclasses declare columns only.

    ``Meta.fields`` lists what is shown and exported; ``default_columns`` (if set) is
    the on-screen subset; everything in ``fields`` goes to Excel/CSV.
    """

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"
        empty_text = _("Nothing matches.")
        per_page = 25


class ActionsColumn(tables.TemplateColumn):
    """An "open" link column for the row, never exported."""

    def __init__(self, template_code='<a href="{{ record.get_absolute_url }}">{{ label }}</a>',
                 label=None, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("verbose_name", "")
        super().__init__(template_code=template_code, extra_context={"label": label or _("Open")},
                         **kwargs)


class ServicePointTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ServicePoint
        fields = ["name", "code", "fault_mark", "address", "phone", "is_active"]


class StaffTable(BaseTable):
    full_name = tables.Column()
    role = tables.Column(verbose_name=_("Role"), accessor="role", orderable=False,
                         empty_values=())

    class Meta(BaseTable.Meta):
        model = User
        fields = ["staff_no", "full_name", "username", "role", "service_point", "phone"]

    def render_role(self, record):
        return record.role.label if record.role else "—"
