"""Tables of the call desk. Only indexed columns sort (report time, deadline); overdue rows
are red on screen, and the Excel export carries the same columns as plain values."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.tables import BaseTable, DateTimeColumn, PkLinkColumn, PythonRowsTable
from tickets.models.calldesk import (
    CarrierDesk,
    Complaint,
    ComplaintRootCause,
    Fault,
    FaultCause,
    Inquiry,
    MaintenanceOffice,
)


def _fault_row_class(record, **kwargs):
    return "table-danger" if record.is_overdue() else ""


class CallDeskTable(BaseTable):
    """On screen only ``default_columns`` (when set); the export has every field."""

    default_columns: list[str] = []

    class Meta(BaseTable.Meta):
        orderable = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.default_columns:
            for name in self.columns.names():
                if name not in self.default_columns:
                    self.columns.hide(name)


class FaultTable(PythonRowsTable, CallDeskTable):
    """The desk's fault list, its rows written in Python (PythonRowsTable)."""

    number = PkLinkColumn("tickets:fault_detail", verbose_name=_("ticket no."),
                          accessor="number", orderable=False)
    service_number = tables.Column()
    contact_phone = tables.Column()
    address = tables.Column()
    reported_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    due_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    first_fixed_at = DateTimeColumn(format="Y-m-d H:i")
    state = tables.Column()
    repairer = tables.Column(verbose_name=_("repairer"), accessor="repairer_label",
                             empty_values=(), orderable=False)
    cause = tables.Column()
    owner = tables.Column()

    class Meta(CallDeskTable.Meta, PythonRowsTable.Meta):
        model = Fault
        fields = ["number", "mark", "source", "service_type", "service_number", "contact_name",
                  "contact_phone", "address", "description", "reported_at", "due_at", "state",
                  "maintenance_office", "repairer", "cause", "first_fixed_at",
                  "failed_callbacks", "satisfaction", "owner", "received_by"]
        sequence = fields
        row_attrs = {"class": _fault_row_class}

    default_columns = ["number", "source", "service_type", "service_number", "address",
                       "reported_at", "due_at", "state", "repairer", "owner"]


def _complaint_row_class(record, **kwargs):
    return "table-danger" if record.overdue_clocks() else ""


class ComplaintTable(CallDeskTable):
    number = tables.Column(verbose_name=_("ticket no."), accessor="pk", linkify=True)
    received_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    contact_due = DateTimeColumn(format="m-d H:i")
    answer_due = DateTimeColumn(format="m-d H:i")
    callback_due = DateTimeColumn(format="m-d H:i")

    class Meta(CallDeskTable.Meta):
        model = Complaint
        fields = ["number", "received_at", "channel", "kind", "urgency", "complainant_name",
                  "complainant_phone", "service_point", "against_staff", "description",
                  "contact_due", "answer_due", "callback_due", "state", "substantiated",
                  "root_cause", "complainant_count", "satisfaction", "owner"]
        sequence = fields
        row_attrs = {"class": _complaint_row_class}

    default_columns = ["number", "received_at", "kind", "urgency", "complainant_name",
                       "service_point", "answer_due", "state", "root_cause",
                       "complainant_count", "owner"]

    def render_number(self, record):
        return str(record)

    def value_number(self, record):
        return str(record)


class InquiryTable(CallDeskTable):
    number = tables.Column(verbose_name=_("ticket no."), accessor="pk", linkify=True)
    received_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    due_at = DateTimeColumn(format="Y-m-d H:i")
    answered_at = DateTimeColumn(format="Y-m-d H:i")

    class Meta(CallDeskTable.Meta):
        model = Inquiry
        fields = ["number", "received_at", "caller_name", "phone", "place", "question",
                  "due_at", "state", "answered_at", "owner"]
        sequence = fields
        row_attrs = {"class": lambda record, **kw: "table-danger" if record.is_overdue(
            timezone.now()) else ""}

    def render_number(self, record):
        return str(record)

    def value_number(self, record):
        return str(record)


# --- reference data: small tables ---------------------------------------------------------


class MaintenanceOfficeTable(BaseTable):
    name = tables.Column(linkify=True)
    service_points = tables.ManyToManyColumn(verbose_name=_("serves"))

    class Meta(BaseTable.Meta):
        model = MaintenanceOffice
        fields = ["name", "phone", "service_points", "sort_order", "is_active"]
        sequence = fields


class FaultCauseTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = FaultCause
        fields = ["name", "sort_order", "is_active"]
        sequence = fields


class ComplaintRootCauseTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ComplaintRootCause
        fields = ["name", "description", "sort_order", "is_active"]
        sequence = fields


class CarrierDeskTable(BaseTable):
    name = tables.Column(linkify=True)
    mark = tables.Column(verbose_name=_("mark"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = CarrierDesk
        fields = ["name", "source", "mark", "phone", "carrier", "is_active"]
        sequence = fields
