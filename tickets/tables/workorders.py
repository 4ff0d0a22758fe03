"""Tables of the counter's work orders. Sorting only on indexed columns."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from servicedesk.tables import BaseTable, DateTimeColumn, PkLinkColumn, PythonRowsTable
from tickets.models.workorders import CarrierOrderBatch, Dispatch, WorkOrder


class WorkOrderTable(PythonRowsTable):
    number = PkLinkColumn("tickets:workorder_detail", verbose_name=_("number"),
                          accessor="number", orderable=False)
    accepted_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    premises = tables.Column(accessor="premises__label", orderable=False)
    state = tables.Column(orderable=False)
    due_at = DateTimeColumn(format="m-d H:i", orderable=False)
    receipt = PkLinkColumn("billing:receipt_detail", pk="receipt_id", orderable=False)

    class Meta(PythonRowsTable.Meta):
        model = WorkOrder
        orderable = False
        fields = ["number", "accepted_at", "kind", "source", "service_point", "customer_name",
                  "premises", "description", "state", "installer", "due_at", "receipt"]
        sequence = fields
        row_attrs = {"class": lambda record: "table-danger" if record.is_overdue() else ""}

    def render_installer(self, record):
        return record.installer_label or "—"

    def render_state(self, record):
        if record.is_overdue():
            return format_html('{} <span class="badge text-bg-danger">{}</span>',
                               record.get_state_display(), _("overdue"))
        return record.get_state_display()

    def value_state(self, record):
        """Exported as text: the state, and "overdue" in brackets (not the badge's HTML)."""
        if record.is_overdue():
            return f"{record.get_state_display()} ({_('overdue')})"
        return record.get_state_display()


class DispatchTable(BaseTable):
    number = tables.Column(verbose_name=_("number"), accessor="pk", linkify=True,
                           orderable=False)
    dispatched_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    installer = tables.Column(orderable=False, empty_values=())
    order_count = tables.Column(verbose_name=_("orders"), orderable=False)
    due_at = DateTimeColumn(format="Y-m-d H:i", orderable=False)
    log = tables.TemplateColumn(
        '<a href="{% url "tickets:dispatch_pdf" record.pk %}">{{ label }}</a>',
        extra_context={"label": _("Print log")}, verbose_name="", orderable=False,
        exclude_from_export=True)

    class Meta(BaseTable.Meta):
        model = Dispatch
        orderable = False
        fields = ["number", "dispatched_at", "service_point", "installer", "order_count",
                  "due_at", "dispatched_by", "note"]
        sequence = [*fields, "log"]

    def render_number(self, record):
        return record.number

    def render_installer(self, record):
        return record.installer_label


class CarrierBatchTable(BaseTable):
    received_at = DateTimeColumn(format="Y-m-d H:i", linkify=True, orderable=True)
    acknowledged_at = DateTimeColumn(format="Y-m-d H:i", orderable=False)

    class Meta(BaseTable.Meta):
        model = CarrierOrderBatch
        orderable = False
        fields = ["received_at", "service_point", "carrier", "fax_ref", "order_count",
                  "received_by", "acknowledged_at", "note"]
        sequence = fields
