"""Pages of the money at the counter. Thin: lists and details through the generic views
(scoped by ``restrict(user)``), every write one service call whose ValidationError comes
back as a field error, and PDFs through ``servicedesk.pdf``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.models import BroadbandAccount, BroadbandPlan, LandlineAccount
from billing import filtersets, forms, rules, selectors, services, tables
from billing.models import DailyClose, InvoiceRequest, ReceiptBook
from servicedesk.forms import add_service_errors
from servicedesk.models import ServicePoint
from servicedesk.views.generic import (
    ObjectDetailView,
    ObjectListView,
    PdfMixin,
    RestrictedViewMixin,
)


class PermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    pass


# --- receipts -----------------------------------------------------------------------------


class ReceiptListView(ObjectListView):
    queryset = selectors.receipts_for_display()
    filterset_class = filtersets.ReceiptFilterSet
    table_class = tables.ReceiptTable
    title = gettext_lazy("Receipts")


class ReceiptDetailView(ObjectDetailView):
    queryset = selectors.receipts_for_display().select_related("voided_by")
    template_name = "billing/receipt_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receipt = self.object
        user = self.request.user
        today = timezone.localdate()
        context["lines"] = receipt.lines.all()
        context["in_words"] = rules.amount_in_words(receipt.total)
        context["invoice"] = InvoiceRequest.objects.filter(receipt=receipt).first()
        context["can_void"] = not receipt.is_void and (
            user.has_perm("billing.void_receipt")
            or (receipt.issued_by_id == user.pk and receipt.issued_on == today
                and selectors.close_status(user, day=today) is None))
        context["void_form"] = kwargs.get("void_form") or forms.ReceiptVoidForm()
        context["invoice_deadline"] = rules.invoice_request_deadline(receipt.issued_on)
        context["can_request_invoice"] = (
            not receipt.is_void and context["invoice"] is None
            and today <= context["invoice_deadline"]
            and user.has_perm("billing.add_invoicerequest"))
        context["invoice_form"] = kwargs.get("invoice_form") or forms.InvoiceRequestForm(
            initial={"title": receipt.payer_name})
        return context


class ReceiptPdfView(PdfMixin, ObjectDetailView):
    """The receipt as the customer gets it (A5 landscape), VOID-marked once voided."""

    queryset = selectors.receipts_for_display()
    pdf_template = "pdf/receipt.html"

    def get_pdf_context(self, context):
        receipt = self.object
        return {"receipt": receipt, "lines": list(receipt.lines.all()),
                "in_words": rules.amount_in_words(receipt.total)}

    def get_pdf_filename(self):
        return f"receipt-{self.object.number_display}.pdf"


class ReceiptVoidView(ReceiptDetailView):
    """POST: void with a reason (the service decides who may)."""

    http_method_names = ["post"]
    permission_required = "billing.add_receipt"

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = forms.ReceiptVoidForm(request.POST)
        if form.is_valid():
            try:
                services.receipt_void(user=request.user, receipt=self.object,
                                      reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Receipt %(number)s is void; its number stays "
                                            "used.") % {"number": self.object.number_display})
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(void_form=form), status=400)


class InvoiceRequestView(ReceiptDetailView):
    http_method_names = ["post"]
    permission_required = "billing.add_invoicerequest"

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = forms.InvoiceRequestForm(request.POST)
        if form.is_valid():
            try:
                invoice = services.invoice_request(user=request.user, receipt=self.object,
                                                   **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Invoice requested: ready on %(date)s; the "
                                            "customer brings the receipt.")
                                 % {"date": f"{invoice.ready_on:%Y-%m-%d}"})
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(invoice_form=form), status=400)


class InvoiceListView(ObjectListView):
    queryset = InvoiceRequest.objects.select_related("receipt__book", "service_point",
                                                     "requested_by")
    filterset_class = filtersets.InvoiceRequestFilterSet
    table_class = tables.InvoiceRequestTable
    title = gettext_lazy("Invoice requests")


class InvoiceCollectView(RestrictedViewMixin, TemplateView):
    http_method_names = ["post"]
    queryset = InvoiceRequest.objects.all()
    action = "change"

    def post(self, request, pk):
        invoice = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.invoice_collect(user=request.user, request=invoice)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Invoice handed over."))
        return redirect("billing:invoice_list")


# --- receipt books ------------------------------------------------------------------------


class ReceiptBookListView(ObjectListView):
    queryset = ReceiptBook.objects.select_related("service_point", "opened_by")
    filterset_class = filtersets.ReceiptBookFilterSet
    table_class = tables.ReceiptBookTable
    title = gettext_lazy("Receipt books")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("billing:receiptbook_add")
        return context


class ReceiptBookOpenView(PermissionMixin, TemplateView):
    permission_required = "billing.add_receiptbook"
    template_name = "billing/form_page.html"

    def form(self, data=None):
        points = ServicePoint.objects.restrict(self.request.user).filter(is_active=True)
        initial = {}
        point_id = self.request.GET.get("service_point")
        if point_id and point_id.isdigit():
            initial["service_point"] = point_id
        return forms.ReceiptBookForm(data, service_points=points, initial=initial)

    def get(self, request):
        return self.render_to_response(self.page(self.form()))

    def page(self, form):
        return {"form": form, "title": _("Open a receipt book"),
                "submit_label": _("Open the book"),
                "cancel_url": reverse("billing:receiptbook_list"),
                "intro": _("The numbers printed on the forms of the new book, first to last. "
                           "The current book of the point must be used up or closed.")}

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                book = services.receipt_book_open(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Receipt book %(book)s opened.") % {"book": book})
                return redirect("billing:receiptbook_list")
        return self.render_to_response(self.page(form), status=400)


class ReceiptBookCloseView(RestrictedViewMixin, TemplateView):
    queryset = ReceiptBook.objects.select_related("service_point")
    action = "change"
    template_name = "billing/form_page.html"

    def page(self, book, form):
        return {"form": form, "title": _("Close receipt book %(book)s") % {"book": book},
                "submit_label": _("Close the book"), "object": book,
                "cancel_url": reverse("billing:receiptbook_list"),
                "confirm": _("Close this book? Its unused numbers can no longer be issued."),
                "intro": _("%(n)d numbers of this book are unused.") % {"n": book.remaining}}

    def get(self, request, pk):
        book = get_object_or_404(self.get_queryset(), pk=pk)
        return self.render_to_response(self.page(book, forms.ReceiptBookCloseForm()))

    def post(self, request, pk):
        book = get_object_or_404(self.get_queryset(), pk=pk)
        form = forms.ReceiptBookCloseForm(request.POST)
        if form.is_valid():
            try:
                services.receipt_book_close(user=request.user, book=book,
                                            note=form.cleaned_data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Receipt book %(book)s closed.") % {"book": book})
                return redirect("billing:receiptbook_list")
        return self.render_to_response(self.page(book, form), status=400)


# --- daily close --------------------------------------------------------------------------


class DailyCloseView(PermissionMixin, TemplateView):
    """The clerk's day (日结): receipts by method, voids, expected cash; count and close."""

    permission_required = "billing.add_dailyclose"
    template_name = "billing/daily_close.html"

    def get_day(self) -> date:
        today = timezone.localdate()
        day = parse_date(self.request.GET.get("day") or "") or today
        return min(day, today)

    def page(self, form, day):
        summary = selectors.day_summary(clerk=self.request.user, day=day)
        return {"form": form, "summary": summary, "day": day,
                "title": _("Daily close"), "is_today": day == timezone.localdate(),
                "unclosed": selectors.unclosed_days(self.request.user, days=14)}

    def get(self, request):
        day = self.get_day()
        return self.render_to_response(self.page(forms.DailyCloseForm(), day))

    def post(self, request):
        day = self.get_day()
        form = forms.DailyCloseForm(request.POST)
        if form.is_valid():
            try:
                close = services.daily_close(user=request.user, day=day, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Day %(day)s closed.") % {"day": f"{day:%Y-%m-%d}"})
                return redirect(close)
        return self.render_to_response(self.page(form, day), status=400)


class DailyCloseListView(ObjectListView):
    queryset = DailyClose.objects.select_related("service_point", "clerk")
    filterset_class = filtersets.DailyCloseFilterSet
    table_class = tables.DailyCloseTable
    title = gettext_lazy("Daily closes")
    template_name = "billing/dailyclose_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unclosed"] = selectors.unclosed_days(self.request.user, days=14)
        return context


class DailyCloseDetailView(ObjectDetailView):
    queryset = DailyClose.objects.select_related("service_point", "clerk")
    template_name = "billing/dailyclose_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.day_summary(clerk=self.object.clerk, day=self.object.day)
        return context


class DailyClosePdfView(PdfMixin, DailyCloseDetailView):
    pdf_template = "pdf/daily_close.html"

    def get_pdf_context(self, context):
        return {"close": self.object, "summary": context["summary"]}

    def get_pdf_filename(self):
        close = self.object
        return f"daily-close-{close.day:%Y%m%d}-{close.clerk.username}.pdf"


# --- counter work on an existing line: the common page ------------------------------------


@dataclass
class Preview:
    """What a counter form will do, computed by the server as the clerk types."""

    lines: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return services.lines_total(self.lines)

    @property
    def in_words(self) -> str:
        return rules.amount_in_words(self.total)


class CounterActionView(PermissionMixin, TemplateView):
    """A small counter form on one line (renewal, top-up, move, suspension…): find the
    account, see the fee computed by the server, take the payment. Subclasses say which
    accounts, the form, the ``preview`` and the one service call in ``perform``."""

    template_name = "billing/counter_action.html"
    permission_required = "billing.add_receipt"
    account_models: tuple = (BroadbandAccount, LandlineAccount)
    form_class = None
    title = ""
    intro = ""
    submit_label = gettext_lazy("Take payment")
    confirm = ""
    aliases: dict = {}

    def find_account(self):
        text = self.request.POST.get("account") or self.request.GET.get("account") or ""
        return selectors.find_account(self.request.user, text, self.account_models)

    def form_kwargs(self, account) -> dict:
        return {}

    def make_form(self, account, data=None):
        return self.form_class(data, **self.form_kwargs(account))

    def preview(self, account, data: dict) -> Preview:
        return Preview()

    def perform(self, account, form):  # -> the object to redirect to
        raise NotImplementedError

    def form_data(self, form) -> dict:
        """Typed values for the preview: cleaned where valid, initial otherwise."""
        if form.is_bound:
            form.is_valid()
            data = {name: form.cleaned_data.get(name) for name in form.fields}
        else:
            data = {}
            for name, field in form.fields.items():
                value = form.get_initial_for_field(field, name)
                try:
                    data[name] = field.clean(value) if value not in (None, "") else None
                except ValidationError:
                    data[name] = None
        return data

    def safe_preview(self, account, form) -> Preview:
        try:
            return self.preview(account, self.form_data(form))
        except ValidationError as exc:
            return Preview(problems=exc.messages)

    def context(self, account, form, lookup=None, **extra):
        text = self.request.POST.get("account") or self.request.GET.get("account") or ""
        return {
            "title": self.title, "intro": self.intro, "account": account, "form": form,
            "lookup": lookup or forms.AccountLookupForm(initial={"account": text}),
            "looked_up": bool(text), "submit_label": self.submit_label,
            "confirm": self.confirm,
            "preview": self.safe_preview(account, form) if account and form else None,
            **extra,
        }

    def get(self, request, *args, **kwargs):
        account = self.find_account()
        form = self.make_form(account) if account else None
        return self.render_to_response(self.context(account, form))

    def post(self, request, *args, **kwargs):
        account = self.find_account()
        if account is None:
            raise Http404
        form = self.make_form(account, request.POST)
        if request.POST.get("_preview"):
            return self.response_class(
                request=request, template="billing/_preview.html",
                context={"preview": self.safe_preview(account, form)}, using=self.template_engine)
        if form.is_valid():
            try:
                target = self.perform(account, form)
            except ValidationError as exc:
                add_service_errors(form, exc, self.aliases)
            else:
                return HttpResponseRedirect(target.get_absolute_url())
        return self.render_to_response(self.context(account, form), status=400)


class RenewalView(CounterActionView):
    """Renewal (续费) and the plan change at term end: reuses the original serial."""

    account_models = (BroadbandAccount,)
    form_class = forms.RenewalForm
    title = gettext_lazy("Broadband renewal")
    intro = gettext_lazy("One more term at the plan's price; another plan only at the end of "
                         "the term. The renewal keeps the original registration serial.")

    def form_kwargs(self, account):
        plans = BroadbandPlan.objects.filter(carrier=account.carrier, is_active=True) | \
            BroadbandPlan.objects.filter(pk=account.plan_id)
        return {"plans": plans.distinct().order_by("term", "bandwidth_mbps"),
                "current_plan": account.plan}

    def preview(self, account, data):
        quote = services.broadband_renewal_quote(account=account, plan=data.get("plan"))
        return Preview(
            lines=[services.Line(_("%(plan)s, %(start)s to %(end)s") % {
                "plan": quote.plan.name, "start": f"{quote.starts_on:%Y-%m-%d}",
                "end": f"{quote.expires_on:%Y-%m-%d}"}, quote.price)],
            notes=[_("New expiry date: %(date)s") % {"date": f"{quote.expires_on:%Y-%m-%d}"},
                   _("Registration serial: %(serial)s") % {
                       "serial": account.registration_serial or "—"}])

    def perform(self, account, form):
        data = form.cleaned_data
        receipt = services.broadband_renewal_pay(
            user=self.request.user, account=account, plan=data.get("plan"),
            payment_method=data["payment_method"],
            payment_reference=data.get("payment_reference", ""),
            idempotency_key=data["idempotency_key"])
        messages.success(self.request, _("Renewed: %(account)s. Print the receipt.")
                         % {"account": account})
        return receipt


class TopUpView(CounterActionView):
    """Call credit on a landline's prepaid balance (6869 Unicom lines: only at the center)."""

    account_models = (LandlineAccount,)
    form_class = forms.TopUpForm
    title = gettext_lazy("Landline top-up")

    def preview(self, account, data):
        amount = data.get("amount") or Decimal("0")
        preview = Preview(notes=[_("Balance now: ¥%(balance)s") % {"balance": account.balance}])
        if amount > 0:
            preview.lines.append(services.Line(
                _("Landline call credit %(number)s") % {"number": account.phone_number},
                amount))
            preview.notes.append(_("Balance after: ¥%(balance)s")
                                 % {"balance": account.balance + amount})
        return preview

    def perform(self, account, form):
        data = form.cleaned_data
        receipt = services.landline_top_up(
            user=self.request.user, account=account, amount=data["amount"],
            payment_method=data["payment_method"],
            payment_reference=data.get("payment_reference", ""),
            idempotency_key=data["idempotency_key"])
        messages.success(self.request, _("¥%(amount)s put on %(number)s.")
                         % {"amount": data["amount"], "number": account.phone_number})
        return receipt
