"""Pages of the landline ledger: a line's balance and tariff (the desk's lookup), its
monthly statement (详单) as a page, PDF and Excel/CSV, the low-balance reminder list,
manager adjustments, and call detail record imports with a progress bar."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from billing import cdr, forms, ledger, selectors, tables
from billing.filtersets import CdrImportFilterSet, LowBalanceFilterSet
from billing.models import CdrImport
from servicedesk.forms import add_service_errors
from servicedesk.pdf import pdf_response, render_pdf
from servicedesk.views.generic import ObjectDetailView, ObjectListView, RestrictedViewMixin

LEDGER_PERM = "billing.view_balanceentry"
STATEMENT_MONTHS = 12


def recent_months(today: date, count: int = STATEMENT_MONTHS) -> list[date]:
    months, month = [], ledger.month_start(today)
    for _i in range(count):
        months.append(month)
        month = ledger.month_start(month.replace(day=1) - date.resolution)
    return months


def parse_month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise Http404 from None


class LandlineBillingView(ObjectDetailView):
    """A line's balance, plan and rates, add-ons, credit and last movements."""

    queryset = selectors.landline_for_billing()
    permission_required = LEDGER_PERM
    template_name = "billing/landline_billing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["tariff"] = selectors.landline_tariff(self.object, today=today, movements=30)
        context["months"] = recent_months(today)
        context["can_adjust"] = self.request.user.has_perm("billing.adjust_balance")
        context.setdefault("adjust_form", forms.BalanceAdjustForm())
        context.setdefault("threshold_form", forms.AlertThresholdForm(
            initial={"alert_threshold": self.object.alert_threshold}))
        context["title"] = _("Landline %(number)s: balance and tariff") % {
            "number": self.object.phone_number}
        return context


class LandlineAdjustView(LandlineBillingView):
    """POST: a manager's adjustment with its reason."""

    http_method_names = ["post"]
    permission_required = (LEDGER_PERM, "billing.adjust_balance")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = forms.BalanceAdjustForm(request.POST)
        if form.is_valid():
            try:
                entry = ledger.landline_balance_adjust(
                    user=request.user, account=self.object, amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    idempotency_key=form.cleaned_data["idempotency_key"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Adjusted by ¥%(amount)s; balance ¥%(balance)s.")
                                 % {"amount": entry.amount, "balance": entry.balance_after})
                return redirect("billing:landline_billing", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(adjust_form=form), status=400)


class LandlineAlertThresholdView(LandlineBillingView):
    """POST: a manager sets the line's alert threshold (the reminder list's limit)."""

    http_method_names = ["post"]
    permission_required = (LEDGER_PERM, "billing.adjust_balance")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = forms.AlertThresholdForm(request.POST)
        if form.is_valid():
            try:
                account = ledger.landline_alert_threshold_set(
                    user=request.user, account=self.object,
                    threshold=form.cleaned_data["alert_threshold"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Alert threshold ¥%(threshold)s.")
                                 % {"threshold": account.alert_threshold})
                return redirect("billing:landline_billing", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(threshold_form=form), status=400)


class LandlineLookupView(RestrictedViewMixin, TemplateView):
    """The desk's lookup by phone number: opens the line's balance and tariff page."""

    permission_required = LEDGER_PERM
    template_name = "billing/landline_lookup.html"
    queryset = selectors.landline_for_billing()

    def get(self, request, *args, **kwargs):
        form = forms.LandlineLookupForm(request.GET or None)
        if form.is_valid():
            number = cdr.normalize_number(form.cleaned_data["number"])
            found = list(self.get_queryset().filter(phone_number=number)
                         .order_by("-created_at")[:5])
            open_lines = [line for line in found if line.state != "closed"]
            if len(open_lines or found) == 1:
                return redirect("billing:landline_billing", pk=(open_lines or found)[0].pk)
            if not found:
                form.add_error("number", _("No landline you can see has the number %(number)s.")
                               % {"number": number})
            return self.render_to_response({"form": form, "found": found,
                                            "title": _("Balance and tariff lookup")})
        return self.render_to_response({"form": form, "title": _("Balance and tariff lookup")})


class StatementView(ObjectDetailView):
    """A month's statement: opening and closing balance, every ledger row, the calls
    (exported to Excel/CSV with ``?_export=``)."""

    queryset = selectors.landline_for_billing()
    permission_required = LEDGER_PERM
    template_name = "billing/landline_statement.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        statement = selectors.landline_statement(self.object, parse_month(kwargs["month"]))
        table = tables.CallTable(statement.calls)
        export = request.GET.get("_export")
        if TableExport.is_valid_format(export) and export in ("csv", "xlsx"):
            name = f"statement-{self.object.phone_number}-{statement.month:%Y-%m}.{export}"
            return TableExport(export, table, exclude_columns=()).response(filename=name)
        RequestConfig(request, paginate={"per_page": 100}).configure(table)
        context = self.get_context_data(object=self.object, statement=statement, table=table)
        context["title"] = _("Statement %(number)s, %(month)s") % {
            "number": self.object.phone_number, "month": f"{statement.month:%Y-%m}"}
        return self.render_to_response(context)


class StatementPdfView(StatementView):
    def get(self, request, *args, **kwargs):
        account = self.get_object()
        statement = selectors.landline_statement(account, parse_month(kwargs["month"]))
        pdf = render_pdf("pdf/landline_statement.html", {
            "statement": statement, "account": account, "printed_at": timezone.localtime(),
            "service_point": account.service_point}, request=request)
        return pdf_response(pdf, f"statement-{account.phone_number}-{statement.month:%Y-%m}.pdf")


class LowBalanceListView(ObjectListView):
    """Lines under their alert threshold (default ¥1.00), lowest first: reminder calls."""

    queryset = selectors.landline_for_billing().order_by("balance", "pk")
    permission_required = LEDGER_PERM
    filterset_class = LowBalanceFilterSet
    table_class = tables.LowBalanceTable
    title = gettext_lazy("Low balance: reminder calls")
    template_name = "billing/low_balance.html"

    def get_queryset(self):
        return selectors.low_balance_lines(self.request.user).order_by("balance", "pk")

    def get_export_filename(self, export_format):
        return f"low-balance.{export_format}"


# --- call detail records ------------------------------------------------------------------


class CdrImportListView(ObjectListView):
    queryset = CdrImport.objects.select_related("uploaded_by").defer("content")
    table_class = tables.CdrImportTable
    filterset_class = CdrImportFilterSet
    title = gettext_lazy("Call record imports")
    template_name = "billing/cdrimport_list.html"


class CdrUploadView(RestrictedViewMixin, TemplateView):
    """A manager uploads a CSV; its page then rates it with a progress bar."""

    permission_required = "billing.add_cdrimport"
    queryset = CdrImport.objects.all()
    template_name = "billing/cdr_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.CdrUploadForm())
        context["columns"] = ",".join(cdr.COLUMNS)
        context["title"] = _("Upload call detail records")
        return context

    def post(self, request, *args, **kwargs):
        form = forms.CdrUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = cdr.cdr_import_create(user=request.user, file_name=upload.name,
                                            data=upload.read())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return HttpResponseRedirect(job.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


REJECTIONS_SHOWN = 200


class CdrImportDetailView(ObjectDetailView):
    queryset = CdrImport.objects.select_related("uploaded_by").defer("content")
    template_name = "billing/cdrimport_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rejections"] = self.object.rejections.all()[:REJECTIONS_SHOWN]
        context["rejections_shown"] = REJECTIONS_SHOWN
        context["summary"] = cdr.import_summary(self.object) if self.object.is_done else None
        return context


class CdrImportStepView(CdrImportDetailView):
    """POST (htmx, while the page is open): rate the next chunk, answer the progress."""

    http_method_names = ["post"]
    permission_required = "billing.add_cdrimport"
    template_name = "billing/_cdr_progress.html"

    def post(self, request, *args, **kwargs):
        job = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not job.is_done:
            cdr.cdr_import_step(cdr_import=job, user=request.user)
        self.object = CdrImport.objects.defer("content").get(pk=job.pk)
        context = self.get_context_data(object=self.object)
        if not request.headers.get("HX-Request"):
            return redirect(self.object)
        response = self.render_to_response(context)
        if self.object.is_done:
            response["HX-Refresh"] = "true"  # the whole page, with the summary and rejections
        return response
