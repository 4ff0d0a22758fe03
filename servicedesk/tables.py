"""The one base table every list page uses."""

from datetime import datetime

import django_tables2 as tables
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import signature

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


class PythonRowsTable(BaseTable):
    """A BaseTable whose rows are written in Python: the HTML of bootstrap5.html's row loop
    (the same cells, attributes, escaping and localisation), without the template engine
    walking each of a page's ~300 cells. For the long lists a desk keeps open."""

    class Meta(BaseTable.Meta):
        template_name = "servicedesk/tables/python_rows.html"

    def rows_html(self):
        context = getattr(self, "context", None) or Context(autoescape=True)
        signatures = {}  # a column's render() signature, read once per table

        def render(bound_column, value=None):
            # BoundRow._call_render (django-tables2 3.0) without inspect.signature() for
            # every cell (a fifth of the page's CPU): the same arguments, the same link.
            kwargs = row._optional_cell_arguments(bound_column, value)
            function = bound_column.render
            if bound_column.name not in signatures:
                signatures[bound_column.name] = signature(function)
            names, catch_all = signatures[bound_column.name]
            if catch_all:
                content = function(**kwargs)
            elif any(name not in kwargs for name in names):
                content = None
            else:
                content = function(**{name: kwargs[name] for name in names})
            return bound_column.link(content, **kwargs) if bound_column.link else content

        rows = []
        for row in self.paginated_rows:
            cells = []
            for column in self.columns:  # BoundRow.items() with the render above
                cell = row._get_and_render_with(column, render_func=render,
                                                default=column.default)
                column.current_value, column.current_record = cell, row.record
                cells.append(f"<td {column.attrs['td'].as_html()}>"
                             f"{render_value_in_context(_localized(column, cell), context)}</td>")
            rows.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
        if not rows and self.empty_text:
            rows.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns),
                                    self.empty_text))
        return mark_safe("\n".join(rows))  # noqa: S308 - every part escaped above


def _localized(column, cell):
    if column.localize is None:
        return cell
    return formats.localize(cell, use_l10n=column.localize)


class ActionsColumn(tables.TemplateColumn):
    """An "open" link column for the row, never exported.

    Its template is compiled once (django-tables2's TemplateColumn compiles it again for
    every cell)."""

    def __init__(self, template_code='<a href="{{ record.get_absolute_url }}">{{ label }}</a>',
                 label=None, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("verbose_name", "")
        super().__init__(template_code=template_code, extra_context={"label": label or _("Open")},
                         **kwargs)
        self._template = None

    def render(self, record, table, value, bound_column, **kwargs):
        if self._template is None:
            self._template = Template(self.template_code)
        parent_context = getattr(table, "context", Context())
        context = self.get_context_data(record=record, table=table, value=value,
                                        bound_column=bound_column, **kwargs)
        with parent_context.update(context):
            parent_context["request"] = getattr(table, "request", None)
            return self._template.render(parent_context)


# Cells a long list renders 25 times a page, written in Python: the same text as
# django-tables2's columns, without a template compiled or a URL reversed for each cell.


class DateColumn(tables.DateColumn):
    """django-tables2's DateColumn (same text, same export), rendered without a template."""

    def __init__(self, format=None, short=True, **kwargs):
        super().__init__(format=format, short=short, **kwargs)
        self.date_format = format or ("SHORT_DATE_FORMAT" if short else "DATE_FORMAT")

    def render(self, value, bound_column):
        # TemplateColumn renders empty values too: '{{ value|date:f|default:default }}'
        return date_filter(value, self.date_format) or bound_column.default


class DateTimeColumn(tables.DateTimeColumn):
    """django-tables2's DateTimeColumn (local time, same export), without a template."""

    def __init__(self, format=None, short=True, **kwargs):
        super().__init__(format=format, short=short, **kwargs)
        self.date_format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")

    def render(self, value, bound_column):
        # as above, in local time as the template engine gives the date filter a datetime
        return date_filter(template_localtime(value), self.date_format) or bound_column.default

    def value(self, value, **kwargs):
        # Exported in local time to the second (django-tables2 writes the database's UTC
        # with microseconds: an order taken at 02:41 on the 2nd read "18:41 on the 1st").
        if isinstance(value, datetime):
            return template_localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        return super().value(value=value, **kwargs)


class PkLinkColumn(tables.Column):
    """The value linked to a page of the row (``linkify`` of one URL name), the URL
    reversed once per table with a stand-in id: ``PkLinkColumn("billing:receipt_detail")``,
    ``PkLinkColumn("accounts:subscriber_detail", pk="subscriber_id",
    accessor="subscriber__name")``. Exported as the plain value."""

    _STAND_IN = "987654321"

    def __init__(self, url_name: str, pk: str = "pk", **kwargs):
        self.url_name, self.pk_accessor = url_name, tables.A(pk)
        super().__init__(**kwargs)

    def render(self, value, record, table):
        urls = table.__dict__.setdefault("_pk_link_urls", {})
        if self.url_name not in urls:
            urls[self.url_name] = reverse(self.url_name, args=[self._STAND_IN])
        url = urls[self.url_name].replace(self._STAND_IN, str(self.pk_accessor.resolve(record)))
        return format_html('<a href="{}">{}</a>', url, value)

    def value(self, value):
        return value


class ActionLinkColumn(PkLinkColumn):
    """A fixed label ("Print") linked to a page of the row, never exported: an
    ActionsColumn of one URL without its template."""

    def __init__(self, url_name: str, label, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("verbose_name", "")
        super().__init__(url_name, accessor="pk", empty_values=(), **kwargs)
        self.label = label

    def render(self, record, table):
        return super().render(self.label, record, table)


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
