"""The manager's report pages: home dashboard, monthly report (page and PDF), retention
lists with the "called" mark.

Thin views: the figures come from ``appraisal.reports.figures`` (which asks each app's
``reports.py``), the charts from ``appraisal.reports.charts``. Everything reads through
``restrict(user)``: a manager sees every service point, a clerk's retention list only
their own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts import reports as accounts_reports
from accounts import services as accounts_services
from accounts.models import BroadbandAccount, LandlineAccount, RetentionOutcome
from appraisal.reports import charts, figures
from appraisal.reports.filtersets import ExpiringBroadbandFilterSet, LowBalanceLandlineFilterSet
from appraisal.reports.tables import ExpiringBroadbandTable, LowBalanceLandlineTable
from servicedesk.pdf import pdf_response, render_pdf
from servicedesk.views.generic import ObjectListView
from tickets.models.calldesk import Satisfaction
from tickets.selectors.calldesk import next_month, parse_month, previous_month

REPORTS_PERMISSION = "accounts.view_management_reports"


class ReportsAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = REPORTS_PERMISSION


class ManagerHomeView(ReportsAccessMixin, TemplateView):
    """``/`` for managers: today, now and this month by service point."""

    template_name = "reports/manager_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = figures.manager_home(self.request.user)
        takings_key = [c[1] for c in figures.HOME_COLUMNS].index("takings")
        context.update(
            home=home, today=home.today, title=_("Manager's overview"),
            takings_chart=charts.bar_chart(
                [charts.Bar(str(row.point), row.cells[takings_key].value,
                            row.cells[takings_key].href)
                 for row in home.rows if row.point is not None],
                title=_("Takings this month by service point (yuan)"),
                empty=_("No takings this month.")),
        )
        return context


class MonthlyReportView(ReportsAccessMixin, TemplateView):
    template_name = "reports/monthly.html"

    def get_month(self):
        return parse_month(self.request.GET.get("month"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.get_month()
        report = figures.monthly_report(self.request.user, month)
        context.update(
            title=_("Monthly report"), month=month, report=report,
            previous_month=previous_month(month), next_month=next_month(month),
            satisfaction_levels=Satisfaction.choices,
            satisfaction_sources=SATISFACTION_SOURCES,
            charts=monthly_charts(report),
            satisfaction_rows=satisfaction_rows(report),
            repeat_premises=repeat_premises(report),
        )
        return context


class MonthlyReportPdfView(MonthlyReportView):
    def render_to_response(self, context, **response_kwargs):
        context.update(printed_at=timezone.localtime(), printed_by=self.request.user)
        pdf = render_pdf("pdf/monthly_report.html", context, request=self.request)
        return pdf_response(pdf, f"monthly-report-{context['month']:%Y-%m}.pdf")


SATISFACTION_SOURCES = [
    ("faults", gettext_lazy("Fault callbacks")),
    ("complaints", gettext_lazy("Complaint callbacks")),
    ("inquiries", gettext_lazy("Inquiry cases")),
    ("orders", gettext_lazy("Install callbacks")),
]


def satisfaction_rows(report: figures.MonthlyReport) -> list[dict]:
    """One row per source: the answers by level, how many, and the satisfied share."""
    this = report.periods[0]
    lists = {
        "faults": ("tickets:fault_list", "reported"),
        "complaints": ("tickets:complaint_list", "received"),
        "inquiries": ("tickets:inquiry_list", "received"),
        "orders": ("tickets:workorder_list", "accepted"),
    }
    rows = []
    for key, label in SATISFACTION_SOURCES:
        levels = report.satisfaction.get(key, {})
        url_name, prefix = lists[key]
        dates = {f"{prefix}_from": this.first, f"{prefix}_to": this.last}
        counts = [figures.Cell(levels.get(level, 0),
                               figures.link(url_name, satisfaction=level, **dates))
                  for level, _label in Satisfaction.choices]
        satisfied, total = figures.tickets_reports.satisfied_share(levels)
        rate = figures.tickets_reports.rate(satisfied, total)
        rows.append({"label": label, "counts": counts, "total": total,
                     "rate": figures.Cell(rate, kind="rate", alert=rate is not None and rate
                                          < figures.tickets_reports.SATISFACTION_TARGET)})
    return rows


def repeat_premises(report: figures.MonthlyReport) -> list[dict]:
    this = report.periods[0]
    return [{"point": row["premises__service_point__name"],
             "label": f"{row['premises__building']}#-{row['premises__unit']}-"
                      f"{row['premises__room']}",
             "total": row["total"],
             "href": figures.link("tickets:fault_list", premises=row["premises"],
                                  reported_from=this.first, reported_to=this.last)}
            for row in report.repeat_premises]


def monthly_charts(report: figures.MonthlyReport) -> dict:
    """The monthly report's four charts (inline SVG)."""
    this = report.periods[0]
    by_day = {row["day"]: row for row in report.fault_days}
    days = []
    rates = []
    day = this.first
    while day <= this.last:
        row = by_day.get(day, {})
        days.append(charts.Bar(
            f"{day.day}", row.get("reported", 0),
            figures.link("tickets:fault_list", reported_from=day, reported_to=day)))
        rates.append(100 * row["on_time"] / row["reported"] if row.get("reported") else None)
        day = day.fromordinal(day.toordinal() + 1)
    trend = [charts.Point(f"{row['month']:%m}", row["rate"],
                          figures.link("reports:monthly", month=f"{row['month']:%Y-%m}"))
             for row in report.satisfaction_trend]
    takings = [charts.Bar(str(point), value,
                          figures.link("billing:receipt_list", service_point=point.pk,
                                       day_from=this.first, day_to=this.last, status="issued"))
               for point, value in report.takings_by_point if value]
    causes = [charts.Bar(row["root_cause__name"] or _("not yet investigated"), row["total"],
                         figures.link("tickets:complaint_list", root_cause=row["root_cause"] or "",
                                      received_from=this.first, received_to=this.last))
              for row in report.root_causes]
    return {
        "faults": charts.column_chart(
            days, rates=rates, target=100,
            title=_("Faults reported each day, and the share fixed within 12 hours (line)"),
            empty=_("No fault this month.")),
        "satisfaction": charts.line_chart(
            trend, target=figures.tickets_reports.SATISFACTION_TARGET,
            title=_("Satisfied customers over 12 months (target 90%)"),
            empty=_("No satisfaction answers in these 12 months."), low=50),
        "takings": charts.bar_chart(takings, title=_("Takings by service point (yuan)"),
                                    empty=_("No takings this month.")),
        "causes": charts.bar_chart(causes, title=_("Complaints by root cause"), colour="#c0392b",
                                   empty=_("No complaint this month.")),
    }


# --- retention lists ------------------------------------------------------------------


class _RetentionListView(ObjectListView):
    permission_required = "accounts.view_retentioncall"
    template_name = "reports/retention_list.html"
    export_formats = ("xlsx",)

    def get_queryset(self):
        return self.selector(self.request.user, today=timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, note=self.note, can_add=False)
        return context


class ExpiringBroadbandView(_RetentionListView):
    queryset = BroadbandAccount.objects.all()
    filterset_class = ExpiringBroadbandFilterSet
    table_class = ExpiringBroadbandTable
    title = gettext_lazy("Retention: broadband expiring within 30 days")
    note = gettext_lazy("Active accounts whose term ends in the next 30 days, soonest first. "
                        "Mark each call: the mark holds for this expiry date.")
    selector = staticmethod(accounts_reports.expiring_broadband)

    def get_export_filename(self, export_format):
        return f"retention-broadband-{timezone.localdate():%Y%m%d}.{export_format}"


class LowBalanceLandlineView(_RetentionListView):
    queryset = LandlineAccount.objects.all()
    filterset_class = LowBalanceLandlineFilterSet
    table_class = LowBalanceLandlineTable
    title = gettext_lazy("Retention: landlines under their alert threshold")
    note = gettext_lazy("Active and barred landlines whose prepaid balance is under the alert "
                        "threshold, lowest first. Mark each call: the mark holds for this "
                        "month.")
    selector = staticmethod(accounts_reports.low_balance_landlines)

    def get_export_filename(self, export_format):
        return f"retention-landline-{timezone.localdate():%Y%m%d}.{export_format}"


class RetentionMarkView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: mark the account called (once per account and period; again changes nothing)."""

    permission_required = "accounts.add_retentioncall"
    http_method_names = ["post"]
    model = None
    list_url = ""

    def post(self, request, pk):
        account = get_object_or_404(self.model.objects.restrict(request.user), pk=pk)
        outcome = request.POST.get("outcome") or RetentionOutcome.REACHED
        try:
            call = accounts_services.retention_call_mark(user=request.user, account=account,
                                                         outcome=outcome,
                                                         note=request.POST.get("note", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Marked called: %(account)s (%(outcome)s)") % {
                "account": account, "outcome": call.get_outcome_display()})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse(self.list_url)
        return HttpResponseRedirect(target)
