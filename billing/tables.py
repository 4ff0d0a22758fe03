"""Tables of the money pages. Sorting only on indexed columns."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import LandlineAccount
from billing.models import CallRecord, CdrImport, DailyClose, InvoiceRequest, Receipt, ReceiptBook
from servicedesk.tables import (
    ActionLinkColumn,
    ActionsColumn,
    BaseTable,
    DateTimeColumn,
    PkLinkColumn,
    PythonRowsTable,
)


class MoneyColumn(tables.Column):
    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "sd-money"}, "th": {"class": "sd-money"}})
        super().__init__(**kwargs)

    def render(self, value):
        return f"¥{value:,.2f}"

    def value(self, value):
        return value


class ReceiptTable(PythonRowsTable):
    number = PkLinkColumn("billing:receipt_detail", verbose_name=_("number"),
                          accessor="number_display", order_by=("number",))
    issued_at = DateTimeColumn(format="Y-m-d H:i", orderable=True)
    subscriber = PkLinkColumn("accounts:subscriber_detail", pk="subscriber_id",
                              orderable=False)
    total = MoneyColumn(orderable=False)
    status = tables.Column(orderable=False)
    actions = ActionLinkColumn("billing:receipt_pdf", label=_("Print"))

    class Meta(PythonRowsTable.Meta):
        model = Receipt
        orderable = False
        fields = ["number", "issued_at", "service_point", "payer_name", "subscriber", "purpose",
                  "payment_method", "total", "status", "issued_by", "reference"]
        sequence = fields
        row_attrs = {"class": lambda record: "text-decoration-line-through text-secondary"
                     if record.is_void else ""}

    def value_number(self, record):
        return record.number_display


class ReceiptBookTable(BaseTable):
    series = tables.Column(orderable=False)
    range = tables.Column(verbose_name=_("numbers"), accessor="first_number", orderable=False)
    remaining = tables.Column(verbose_name=_("unused"), accessor="next_number",
                              orderable=False)
    actions = ActionsColumn(
        template_code='{% if record.is_open and perms.billing.change_receiptbook %}'
                      '<a href="{% url "billing:receiptbook_close" record.pk %}">{{ label }}</a>'
                      '{% endif %}',
        label=_("Close"))

    class Meta(BaseTable.Meta):
        model = ReceiptBook
        orderable = False
        fields = ["service_point", "series", "range", "remaining", "opened_at", "opened_by",
                  "closed_at", "close_note"]
        sequence = [*fields, "actions"]

    def render_range(self, record):
        return f"{record.first_number:07d}–{record.last_number:07d}"

    def render_remaining(self, record):
        return record.remaining


class DailyCloseTable(BaseTable):
    day = tables.DateColumn(format="Y-m-d", linkify=True, orderable=True)
    total = MoneyColumn(orderable=False)
    expected_cash = MoneyColumn(orderable=False)
    counted_cash = MoneyColumn(orderable=False)
    difference = MoneyColumn(orderable=False)
    closed_at = DateTimeColumn(format="H:i", orderable=False)
    is_late = tables.BooleanColumn(orderable=False)
    actions = ActionsColumn(
        template_code='<a href="{% url "billing:dailyclose_pdf" record.pk %}">{{ label }}</a>',
        label=_("Print"))

    class Meta(BaseTable.Meta):
        model = DailyClose
        orderable = False
        fields = ["day", "service_point", "clerk", "receipt_count", "total", "void_count",
                  "expected_cash", "counted_cash", "difference", "explanation", "closed_at",
                  "is_late"]
        sequence = [*fields, "actions"]
        row_attrs = {"class": lambda record: "table-warning" if record.is_late else ""}


class InvoiceRequestTable(BaseTable):
    receipt = tables.Column(linkify=True)
    requested_at = DateTimeColumn(format="Y-m-d", orderable=False)
    ready_on = tables.DateColumn(format="Y-m-d", orderable=False)
    collected_at = DateTimeColumn(format="Y-m-d", orderable=False)
    actions = ActionsColumn(
        template_code='{% if not record.collected_at %}<form method="post" '
                      'action="{% url "billing:invoice_collect" record.pk %}">{% csrf_token %}'
                      '<button class="btn btn-sm btn-outline-primary" type="submit" data-once>'
                      '{{ label }}</button></form>{% endif %}',
        label=_("Collected"))

    class Meta(BaseTable.Meta):
        model = InvoiceRequest
        orderable = False
        fields = ["receipt", "title", "tax_id", "service_point", "requested_at", "requested_by",
                  "ready_on", "collected_at"]
        sequence = [*fields, "actions"]


# --- landline ledger ----------------------------------------------------------------------


class LowBalanceTable(BaseTable):
    """Lines under their alert threshold: who to phone with a reminder."""

    phone_number = tables.Column(
        linkify=("billing:landline_billing", {"pk": tables.A("pk")}), orderable=False)
    subscriber = tables.Column(linkify=True, orderable=False)
    contact = tables.Column(verbose_name=_("contact phone"), accessor="subscriber__mobile",
                            orderable=False)
    balance = MoneyColumn(orderable=False)
    alert_threshold = MoneyColumn(orderable=False)

    class Meta(BaseTable.Meta):
        model = LandlineAccount
        orderable = False
        fields = ["phone_number", "subscriber", "contact", "service_point", "carrier", "plan",
                  "balance", "alert_threshold", "state"]
        sequence = fields
        row_attrs = {"class": lambda record: "table-danger" if record.balance < 0 else ""}

    def render_contact(self, record):
        return record.subscriber.mobile or record.subscriber.phone or "—"


class CdrImportTable(BaseTable):
    file_name = tables.Column(linkify=True, orderable=False)
    uploaded_at = DateTimeColumn(format="Y-m-d H:i", orderable=False)
    total_charged = MoneyColumn(orderable=False)

    class Meta(BaseTable.Meta):
        model = CdrImport
        orderable = False
        fields = ["file_name", "uploaded_at", "uploaded_by", "status", "rows_read", "rated",
                  "skipped", "flagged", "rejected", "total_charged"]
        sequence = fields


class CallTable(BaseTable):
    """The calls of a statement (详单), exported to Excel/CSV from the statement page."""

    started_at = DateTimeColumn(format="Y-m-d H:i:s", orderable=False)
    rate = MoneyColumn(orderable=False)
    charge = MoneyColumn(orderable=False)
    credit_used = MoneyColumn(orderable=False)
    charged = MoneyColumn(orderable=False)

    class Meta(BaseTable.Meta):
        model = CallRecord
        orderable = False
        per_page = 100
        fields = ["started_at", "called_number", "call_type", "seconds", "rate", "charge",
                  "credit_used", "charged", "status", "call_id"]
        sequence = fields
