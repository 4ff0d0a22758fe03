"""Pages of the call desk. Thin: reads go through ``tickets.selectors.calldesk`` or the
generic views (scoped by ``restrict(user)``), every write is one service call.

An action on a ticket (dispatch, ✓, callback…) is a POST to its own URL. A refusal on
a field comes back on the ticket's page with the form and its errors; a refusal of the
move itself (someone else was quicker, the state no longer allows it) comes back as a
message on the page as it now is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from servicedesk.forms import add_service_errors
from servicedesk.views import StaffHomeView
from servicedesk.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PdfMixin,
    RestrictedViewMixin,
)
from tickets.filtersets import calldesk as filtersets
from tickets.forms import calldesk as forms
from tickets.models.calldesk import (
    CarrierDesk,
    Complaint,
    ComplaintRootCause,
    ComplaintState,
    Fault,
    FaultCause,
    FaultState,
    Inquiry,
    MaintenanceOffice,
    Satisfaction,
)
from tickets.selectors import calldesk as selectors
from tickets.services import calldesk as services
from tickets.tables import calldesk as tables

# --- home pages and queues ----------------------------------------------------------------


class AgentHomeView(StaffHomeView):
    """The agent's home (settings.ROLE_HOME_VIEWS["agent"]): the live desk queue."""

    template_name = "tickets/calldesk/agent_home.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["queue"] = selectors.desk_queue(self.request.user)
        return context


class DeskQueueView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The queue alone, polled by htmx every 20 seconds."""

    permission_required = "tickets.view_fault"
    template_name = "tickets/calldesk/_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["queue"] = selectors.desk_queue(self.request.user)
        return context


class InstallerFaultsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The installer's dispatched faults (loaded into installer_panel.html by htmx)."""

    permission_required = "tickets.view_fault"
    template_name = "tickets/calldesk/_installer_faults.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["faults"] = selectors.installer_faults(self.request.user)
        context["now"] = timezone.now()
        return context


# --- detail pages with their actions ------------------------------------------------------


class _MatterDetailView(ObjectDetailView):
    """A ticket's page: its facts, its history, and a form for each action allowed now."""

    action_forms: dict[str, type] = {}

    def allowed_actions(self) -> set[str]:
        raise NotImplementedError

    def get_context_data(self, bound_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        actions = self.allowed_actions()
        if services.can_hand_over(self.object, user):
            actions.add("hand_over")
        forms_ = {}
        for name in actions:
            if bound_forms and name in bound_forms:
                forms_[name] = bound_forms[name]
            else:
                forms_[name] = self.action_forms[name](matter=self.object,
                                                       **self.form_kwargs(name))
        context.update(actions=actions, action_forms=forms_, now=timezone.now(),
                       hand_overs=self.object.hand_overs.select_related(
                           "from_owner", "to_owner", "by"))
        return context

    def form_kwargs(self, name) -> dict:
        return {}


class FaultDetailView(_MatterDetailView):
    queryset = selectors.fault_for_page()
    template_name = "tickets/calldesk/fault_detail.html"
    action_forms = {
        "dispatch": forms.DispatchForm, "fix": forms.FixForm,
        "callback": forms.FaultCallbackForm, "reply": forms.CarrierReplyForm,
        "cancel": forms.CancelForm, "hand_over": forms.HandOverForm,
    }

    def allowed_actions(self):
        return services.fault_actions(self.object, self.request.user) - {"hand_over"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = selectors.fault_history(self.object)
        context["callbacks"] = self.object.callbacks.select_related("by")
        context["desk"] = (self.object.carrier_desk if self.object.is_carrier_fault
                           else None)
        return context


class _MatterActionView(RestrictedViewMixin, View):
    """POST one action on a ticket: validate its form, call its service, come back."""

    http_method_names = ["post"]
    detail_view = None
    action = ""
    form_class = None
    permissions_any: tuple[str, ...] = ()

    def get_permission_required(self):
        return self.permissions_any[:1]

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(p) for p in self.permissions_any)

    def form_kwargs(self) -> dict:
        return {}

    def run(self, obj, data):
        raise NotImplementedError

    def success_message(self, obj) -> str:
        return _("Saved: %(object)s") % {"object": obj}

    def post(self, request, *args, **kwargs):
        obj = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        form = self.form_class(request.POST, matter=obj, **self.form_kwargs())
        if form.is_valid():
            try:
                obj = self.run(obj, form.cleaned_data)
            except ValidationError as exc:
                if not add_service_errors(form, exc):
                    messages.error(request, " ".join(exc.messages))
                    return HttpResponseRedirect(obj.get_absolute_url())
            else:
                messages.success(request, self.success_message(obj))
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_detail(obj, form)

    def render_detail(self, obj, form):
        view = self.detail_view()
        view.setup(self.request, pk=obj.pk)
        view.object = view.get_object()
        context = view.get_context_data(object=view.object, bound_forms={self.action: form})
        return TemplateResponse(self.request, view.get_template_names(), context)


class _FaultAction(_MatterActionView):
    queryset = Fault.objects.all()
    detail_view = FaultDetailView
    permissions_any = ("tickets.change_fault",)


class FaultDispatchView(_FaultAction):
    action = "dispatch"
    form_class = forms.DispatchForm

    def run(self, fault, data):
        return services.fault_dispatch(user=self.request.user, fault=fault, **data)

    def success_message(self, fault):
        return _("%(number)s dispatched to %(to)s.") % {
            "number": fault, "to": fault.repairer_label or fault.maintenance_office}


class FaultFixView(_FaultAction):
    action = "fix"
    form_class = forms.FixForm
    permissions_any = ("tickets.change_fault", "tickets.fix_fault")

    def run(self, fault, data):
        return services.fault_fix(user=self.request.user, fault=fault, **data)

    def success_message(self, fault):
        return _("%(number)s marked fixed ✓: phone the customer back.") % {"number": fault}


class FaultCallbackView(_FaultAction):
    action = "callback"
    form_class = forms.FaultCallbackForm

    def run(self, fault, data):
        return services.fault_callback_record(user=self.request.user, fault=fault, **data)

    def success_message(self, fault):
        if fault.state == FaultState.REOPENED:
            return _("%(number)s callback failed ×: it goes back to dispatch.") % {
                "number": fault}
        if fault.state == FaultState.REPLY_OWED:
            return _("%(number)s called back ☆: now reply to %(desk)s.") % {
                "number": fault, "desk": fault.carrier_desk or fault.get_source_display()}
        return _("%(number)s called back ☆ and closed.") % {"number": fault}


class FaultReplyView(_FaultAction):
    action = "reply"
    form_class = forms.CarrierReplyForm

    def run(self, fault, data):
        return services.fault_carrier_reply(user=self.request.user, fault=fault, **data)

    def success_message(self, fault):
        return _("Replied to %(desk)s; %(number)s is closed.") % {
            "desk": fault.carrier_desk, "number": fault}


class FaultCancelView(_FaultAction):
    action = "cancel"
    form_class = forms.CancelForm

    def run(self, fault, data):
        return services.fault_cancel(user=self.request.user, fault=fault, **data)


class _HandOverMixin:
    action = "hand_over"
    form_class = forms.HandOverForm

    def run(self, matter, data):
        return services.matter_hand_over(user=self.request.user, matter=matter, **data)

    def success_message(self, matter):
        return _("%(number)s handed over to %(user)s.") % {"number": matter,
                                                           "user": matter.owner}


class FaultHandOverView(_HandOverMixin, _FaultAction):
    pass


# --- the fault form -----------------------------------------------------------------------


class FaultReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Log a fault: look the caller up (or ``?subscriber=<id>``), pick the account, type."""

    permission_required = "tickets.add_fault"
    template_name = "tickets/calldesk/fault_form.html"

    def subscriber(self):
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return selectors.subscriber_for_fault(self.request.user, source.get("subscriber"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        context.update(
            title=_("Log a fault"), lookup_query=query,
            lookup_results=selectors.subscriber_lookup(self.request.user, query)
            if query else None,
        )
        return context

    def get(self, request, *args, **kwargs):
        subscriber = self.subscriber()
        initial = {}
        if request.GET.get("account"):
            initial["account"] = request.GET["account"]
        if request.GET.get("source"):
            initial["source"] = request.GET["source"]
        form = forms.FaultReportForm(user=request.user, subscriber=subscriber, initial=initial)
        return self.render_to_response(self.get_context_data(form=form, subscriber=subscriber))

    def post(self, request, *args, **kwargs):
        subscriber = self.subscriber()
        form = forms.FaultReportForm(request.POST, user=request.user, subscriber=subscriber)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                fault = services.fault_report(user=request.user, subscriber=subscriber, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _(
                    "%(number)s logged: due %(due)s. Tell the caller it will be handled "
                    "within 12 hours.") % {
                    "number": fault,
                    "due": timezone.localtime(fault.due_at).strftime("%m-%d %H:%M")})
                return HttpResponseRedirect(fault.get_absolute_url())
        context = self.get_context_data(form=form, subscriber=subscriber)
        return self.render_to_response(context)


class SubscriberLookupView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The inline lookup's results (htmx partial; the form also works without it)."""

    permission_required = "tickets.add_fault"
    template_name = "tickets/calldesk/_lookup_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        context.update(lookup_query=query, next=self.request.GET.get("next", "fault"),
                       lookup_results=selectors.subscriber_lookup(self.request.user, query))
        return context


# --- fault list, slip ---------------------------------------------------------------------


class _AddUrlMixin:
    add_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.add_url_name:
            context["add_url"] = reverse(self.add_url_name)
        return context


class FaultListView(_AddUrlMixin, ObjectListView):
    # The screen shows repairer and owner; the export has every column. Each join costs
    # planning time on a table with many indexes, so the export's joins are added for it.
    queryset = Fault.objects.select_related("repairer", "owner")
    filterset_class = filtersets.FaultFilterSet
    table_class = tables.FaultTable
    add_url_name = "tickets:fault_add"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.GET.get(self.export_trigger_param):
            queryset = queryset.select_related("maintenance_office", "cause", "received_by")
        return queryset

    def get_export_filename(self, export_format):
        return f"faults-{timezone.localdate():%Y%m%d}.{export_format}"


class FaultSlipView(PdfMixin, ObjectDetailView):
    """客户服务记录单 (seed 000): the service record slip of a fault visit, A4 or A5."""

    queryset = selectors.fault_for_page()
    pdf_template = "pdf/calldesk_service_record.html"

    def get_pdf_context(self, context):
        paper = "a5" if self.request.GET.get("paper") == "a5" else "a4"
        callbacks = list(self.object.callbacks.select_related("by"))
        return {
            "fault": self.object, "paper": paper, "satisfaction_levels": Satisfaction.choices,
            "last_callback": callbacks[-1] if callbacks else None,
            "failed_callbacks": [cb for cb in callbacks if not cb.passed],
        }

    def get_pdf_filename(self):
        return f"service-record-{self.object}.pdf"


# --- complaints ---------------------------------------------------------------------------


class ComplaintListView(_AddUrlMixin, ObjectListView):
    queryset = Complaint.objects.select_related("against_staff", "root_cause", "owner",
                                                "service_point")
    filterset_class = filtersets.ComplaintFilterSet
    table_class = tables.ComplaintTable
    add_url_name = "tickets:complaint_add"


class ComplaintDetailView(_MatterDetailView):
    queryset = Complaint.objects.select_related(
        "service_point", "subscriber", "against_staff", "root_cause", "received_by", "owner",
        "primary")
    template_name = "tickets/calldesk/complaint_detail.html"
    action_forms = {
        "contact": forms.ComplaintContactForm, "reschedule": forms.ComplaintRescheduleForm,
        "handle": forms.ComplaintHandleForm, "callback": forms.ComplaintCallbackForm,
        "merge": forms.ComplaintMergeForm, "hand_over": forms.HandOverForm,
    }

    def form_kwargs(self, name):
        return {"user": self.request.user} if name == "merge" else {}

    def allowed_actions(self):
        complaint = self.object
        if not self.request.user.has_perm("tickets.change_complaint"):
            return set()
        targets = services.COMPLAINT_TRANSITIONS[complaint.state]
        actions = set()
        if ComplaintState.CONTACTED in targets and complaint.state == ComplaintState.RECEIVED:
            actions.add("contact")
        if complaint.state in (ComplaintState.RECEIVED, ComplaintState.CONTACTED):
            actions.add("reschedule")
        if ComplaintState.HANDLED in targets:
            actions.add("handle")
        if complaint.state == ComplaintState.HANDLED:
            actions.add("callback")
        if ComplaintState.MERGED in targets:
            actions.add("merge")
        return actions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = self.object
        context.update(
            history=complaint.status_changes.select_related("by"),
            deadline_changes=complaint.deadline_changes.select_related("by"),
            callbacks=complaint.callbacks.select_related("by"),
            merged=complaint.merged.all().order_by("received_at"),
            late=complaint.overdue_clocks(),
        )
        return context


class _ComplaintAction(_MatterActionView):
    queryset = Complaint.objects.all()
    detail_view = ComplaintDetailView
    permissions_any = ("tickets.change_complaint",)


class ComplaintContactView(_ComplaintAction):
    action = "contact"
    form_class = forms.ComplaintContactForm

    def run(self, complaint, data):
        return services.complaint_contact(user=self.request.user, complaint=complaint, **data)


class ComplaintRescheduleView(_ComplaintAction):
    action = "reschedule"
    form_class = forms.ComplaintRescheduleForm

    def run(self, complaint, data):
        return services.complaint_reschedule(user=self.request.user, complaint=complaint,
                                             **data)


class ComplaintHandleView(_ComplaintAction):
    action = "handle"
    form_class = forms.ComplaintHandleForm

    def run(self, complaint, data):
        return services.complaint_handle(user=self.request.user, complaint=complaint, **data)


class ComplaintCallbackView(_ComplaintAction):
    action = "callback"
    form_class = forms.ComplaintCallbackForm

    def run(self, complaint, data):
        return services.complaint_callback_record(user=self.request.user,
                                                  complaint=complaint, **data)


class ComplaintMergeView(_ComplaintAction):
    action = "merge"
    form_class = forms.ComplaintMergeForm

    def form_kwargs(self):
        return {"user": self.request.user}

    def run(self, complaint, data):
        primary = services.complaint_merge(user=self.request.user, complaint=complaint,
                                           **data)
        return primary

    def success_message(self, primary):
        return _("Merged into %(number)s: %(count)s complainants.") % {
            "number": primary, "count": primary.complainant_count}


class ComplaintHandOverView(_HandOverMixin, _ComplaintAction):
    pass


class _IntakeView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A new complaint or case, optionally for ``?subscriber=<id>``."""

    form_class = None
    template_name = "tickets/calldesk/intake_form.html"
    title = ""

    def subscriber(self):
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return selectors.subscriber_for_fault(self.request.user, source.get("subscriber"))

    def create(self, subscriber, data):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        subscriber = self.subscriber()
        form = self.form_class(user=request.user, subscriber=subscriber)
        return self.render_to_response(self.get_context_data(
            form=form, subscriber=subscriber, title=self.title))

    def post(self, request, *args, **kwargs):
        subscriber = self.subscriber()
        form = self.form_class(request.POST, user=request.user, subscriber=subscriber)
        if form.is_valid():
            try:
                obj = self.create(subscriber, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.created_message(obj))
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_to_response(self.get_context_data(
            form=form, subscriber=subscriber, title=self.title))


class ComplaintCreateView(_IntakeView):
    permission_required = "tickets.add_complaint"
    form_class = forms.ComplaintForm

    @property
    def title(self):
        return _("Take a complaint")

    def create(self, subscriber, data):
        return services.complaint_register(user=self.request.user, subscriber=subscriber,
                                           **data)

    def created_message(self, complaint):
        return _("%(number)s taken: first contact due %(due)s.") % {
            "number": complaint,
            "due": timezone.localtime(complaint.contact_due).strftime("%m-%d %H:%M")}


# --- cases --------------------------------------------------------------------------------


class InquiryListView(_AddUrlMixin, ObjectListView):
    queryset = Inquiry.objects.select_related("owner")
    filterset_class = filtersets.InquiryFilterSet
    table_class = tables.InquiryTable
    add_url_name = "tickets:inquiry_add"


class InquiryDetailView(_MatterDetailView):
    queryset = Inquiry.objects.select_related("service_point", "subscriber", "received_by",
                                              "owner")
    template_name = "tickets/calldesk/inquiry_detail.html"
    action_forms = {"answer": forms.InquiryAnswerForm, "hand_over": forms.HandOverForm}

    def allowed_actions(self):
        if (self.request.user.has_perm("tickets.change_inquiry")
                and services.INQUIRY_TRANSITIONS[self.object.state]):
            return {"answer"}
        return set()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.status_changes.select_related("by")
        return context


class _InquiryAction(_MatterActionView):
    queryset = Inquiry.objects.all()
    detail_view = InquiryDetailView
    permissions_any = ("tickets.change_inquiry",)


class InquiryAnswerView(_InquiryAction):
    action = "answer"
    form_class = forms.InquiryAnswerForm

    def run(self, inquiry, data):
        return services.inquiry_answer(user=self.request.user, inquiry=inquiry, **data)


class InquiryHandOverView(_HandOverMixin, _InquiryAction):
    pass


class InquiryCreateView(_IntakeView):
    permission_required = "tickets.add_inquiry"
    form_class = forms.InquiryForm

    @property
    def title(self):
        return _("Open a case")

    def create(self, subscriber, data):
        return services.inquiry_open(user=self.request.user, subscriber=subscriber, **data)

    def created_message(self, inquiry):
        return _("%(number)s opened: answer the caller by %(due)s.") % {
            "number": inquiry,
            "due": timezone.localtime(inquiry.due_at).strftime("%m-%d %H:%M")}


# --- statistics ---------------------------------------------------------------------------


class StatisticsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "tickets.view_calldesk_statistics"
    template_name = "tickets/calldesk/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = selectors.parse_month(self.request.GET.get("month"))
        context.update(
            title=_("Call-desk statistics"), month=month,
            previous_month=selectors.previous_month(month),
            next_month=selectors.next_month(month),
            stats=selectors.calldesk_statistics(self.request.user, month),
            satisfaction_labels=dict(Satisfaction.choices),
        )
        return context


# --- reference data a manager maintains ---------------------------------------------------


def _reference_views(model, form, table, filterset, name):
    """A list view and an edit view (add and change; no delete: deactivate instead)."""
    list_view = type(f"{model.__name__}ListView", (_AddUrlMixin, ObjectListView), {
        "queryset": model.objects.all(), "table_class": table, "filterset_class": filterset,
        "add_url_name": f"tickets:{name}_add",
    })
    edit_view = type(f"{model.__name__}EditView", (ObjectEditView,), {
        "queryset": model.objects.all(), "form_class": form,
        "get_success_url": lambda self: reverse(f"tickets:{name}_list"),
    })
    return list_view, edit_view


REFERENCE_PAGES = [
    ("faultcause", *_reference_views(FaultCause, forms.FaultCauseForm, tables.FaultCauseTable,
                                     filtersets.FaultCauseFilterSet, "faultcause")),
    ("complaintrootcause", *_reference_views(
        ComplaintRootCause, forms.ComplaintRootCauseForm, tables.ComplaintRootCauseTable,
        filtersets.ComplaintRootCauseFilterSet, "complaintrootcause")),
    ("maintenanceoffice", *_reference_views(
        MaintenanceOffice, forms.MaintenanceOfficeForm, tables.MaintenanceOfficeTable,
        filtersets.MaintenanceOfficeFilterSet, "maintenanceoffice")),
    ("carrierdesk", *_reference_views(CarrierDesk, forms.CarrierDeskForm,
                                      tables.CarrierDeskTable, filtersets.CarrierDeskFilterSet,
                                      "carrierdesk")),
]
