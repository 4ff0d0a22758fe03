"""Pages of the counter's work orders: the install order screen and its live quote, the
lists, dispatch and the dispatch log, return / callback / archive, carrier faxes, the
other counter work on a line, and the clerk's and the installer's home pages.

Thin: reads through the selectors (scoped by ``restrict(user)``), every write one service
call whose ValidationError comes back as a field error on the same page.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts import rules as account_rules
from accounts import services as accounts_services
from accounts.models import BroadbandAccount, LandlineAccount, Subscriber
from accounts.services import subscriber_with_id_number
from billing import selectors as billing_selectors
from billing.services import Line
from billing.views import CounterActionView, Preview
from servicedesk.forms import add_service_errors
from servicedesk.models import ServicePoint
from servicedesk.views import StaffHomeView
from servicedesk.views.generic import (
    ObjectDetailView,
    ObjectListView,
    PdfMixin,
    RestrictedViewMixin,
)
from tickets.filtersets.workorders import (
    CarrierBatchFilterSet,
    DispatchFilterSet,
    WorkOrderFilterSet,
)
from tickets.forms import workorders as forms
from tickets.models.workorders import CarrierOrderBatch, WorkOrder, WorkOrderKind
from tickets.selectors import workorders as selectors
from tickets.services import workorders as services
from tickets.tables.workorders import CarrierBatchTable, DispatchTable, WorkOrderTable

# Service errors on fields the forms call differently.
ALIASES = {"premises": "building", "home": "building", "plan": "broadband_plan",
           "bundled_with": "want_landline"}


class PermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    pass


# --- the install order --------------------------------------------------------------------


class InstallOrderMixin(PermissionMixin):
    permission_required = "tickets.add_workorder"

    def get_subscriber(self) -> Subscriber | None:
        pk = self.request.GET.get("subscriber") or self.request.POST.get("subscriber")
        if not pk or not str(pk).isdigit():
            return None
        return get_object_or_404(
            Subscriber.objects.restrict(self.request.user).select_related("home",
                                                                          "service_point"),
            pk=pk)

    def get_form(self, data=None):
        return forms.InstallOrderForm(data, user=self.request.user,
                                      subscriber=self.get_subscriber())

    def service_point(self, form) -> ServicePoint | None:
        user = self.request.user
        if user.service_point_id:
            return user.service_point
        return form.cleaned_data.get("service_point") if hasattr(form, "cleaned_data") else None


def install_quote(form, service_point) -> dict:
    """The live quote of the install screen, from whatever the clerk has typed so far."""
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
    else:  # the first screen: the defaults (the usual plan) already have a price
        data = {}
        for name, field in form.fields.items():
            try:
                data[name] = field.clean(form.get_initial_for_field(field, name))
            except ValidationError:
                data[name] = None
        try:
            data["broadband_plan"] = form.clean_plan(data.get("broadband_plan"))
        except ValidationError:
            data["broadband_plan"] = None
    today = timezone.localdate()
    context = {"quote": None, "problems": [], "warnings": []}
    if service_point is None:
        context["problems"].append(_("Choose the service point."))
        return context
    plan = data.get("broadband_plan") if data.get("want_broadband") else None
    carrier = data.get("landline_carrier") if data.get("want_landline") else None
    building, unit, room = data.get("building"), data.get("unit"), data.get("room")
    try:
        quote = services.install_order_quote(
            service_point=service_point, accepted_on=today, broadband_plan=plan,
            landline_carrier=carrier, phone_number=data.get("phone_number") or "",
            prepaid_credit=data.get("prepaid_credit") or Decimal("0"),
            broadband_points=data.get("broadband_points") or 0,
            landline_points=data.get("landline_points") or 0,
            router_setup=bool(data.get("router_setup")), building=building, unit=unit,
            room=room)
    except ValidationError as exc:
        context["problems"].extend(exc.messages)
        return context
    context["quote"] = quote
    if None not in (building, unit, room):
        premises = f"{building}#-{unit}-{room}"
        occupied = BroadbandAccount.objects.open().filter(
            premises__service_point=service_point, premises__building=building,
            premises__unit=unit, premises__room=room).first()
        if plan is not None and occupied is not None:
            context["warnings"].append(
                _("%(premises)s already has broadband %(account)s (%(state)s): no second "
                  "broadband account there.") % {"premises": premises,
                                                 "account": occupied.account_name,
                                                 "state": occupied.get_state_display()})
    number = (data.get("phone_number") or "").strip()
    if carrier is not None and number and LandlineAccount.objects.open().filter(
            phone_number=number).exists():
        context["warnings"].append(_("Number %(number)s is already in use.")
                                   % {"number": number})
    id_number = (data.get("id_number") or "").strip()
    if form.subscriber is None and id_number:
        existing = subscriber_with_id_number(id_number)
        if existing is not None:
            visible = Subscriber.objects.restrict(form.user).filter(pk=existing.pk).exists()
            context["existing"] = existing if visible else None
            context["warnings"].append(_("This ID number is already registered.")
                                       if visible else
                                       _("This ID number is registered at another service "
                                         "point; ask a manager."))
    context["password_note"] = plan is not None
    return context


class InstallOrderCreateView(InstallOrderMixin, TemplateView):
    """新装受理: one screen from the customer's name to the receipt."""

    template_name = "tickets/workorders/install_form.html"

    def page(self, form, status=200):
        point = self.service_point(form)
        if point is None and "service_point" in form.fields and not form.is_bound:
            point = form.fields["service_point"].queryset.first()  # a manager's first view
        context = {
            "form": form, "subscriber": form.subscriber, "title": _("New install order"),
            "today": timezone.localdate(),
            "activation": account_rules.activation_date(timezone.localdate()),
            **install_quote(form, point),
        }
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        key = form.data.get("idempotency_key")
        done = WorkOrder.objects.filter(idempotency_key=key).first() if _is_uuid(key) else None
        if done is not None:  # a double click or a re-post: show the first result
            return redirect(reverse("tickets:workorder_detail", args=[done.pk]) + "?new=1")
        if form.is_valid():
            point = self.service_point(form)
            try:
                order = services.install_order_open(user=request.user, service_point=point,
                                                    **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, ALIASES)
            else:
                return redirect(reverse("tickets:workorder_detail", args=[order.pk]) + "?new=1")
        return self.page(form, status=400)


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


class InstallQuoteView(InstallOrderMixin, View):
    """POST (htmx, as the clerk types): the fee lines and total, rendered by the server."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        form.is_valid()
        context = install_quote(form, self.service_point(form))
        context["activation"] = account_rules.activation_date(timezone.localdate())
        return TemplateResponse(request, "tickets/workorders/_quote.html", context)


# --- lists and the order page -------------------------------------------------------------


class WorkOrderListView(ObjectListView):
    queryset = selectors.orders_for_display()
    filterset_class = WorkOrderFilterSet
    table_class = WorkOrderTable
    title = gettext_lazy("Work orders")
    template_name = "tickets/workorders/workorder_list.html"


class WorkOrderDetailView(ObjectDetailView):
    queryset = selectors.order_for_detail()
    template_name = "tickets/workorders/workorder_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        user = self.request.user
        context.update(
            is_new=self.request.GET.get("new") == "1",
            changes=order.status_changes.select_related("by"),
            callbacks=order.callbacks.select_related("by"),
            dispatch_lines=order.dispatch_lines.select_related("dispatch"),
            can_act=user.has_perm("tickets.change_workorder"),
            can_dispatch=user.has_perm("tickets.dispatch_workorder"),
            can_cancel=user.has_perm("tickets.cancel_workorder"),
            overdue=order.is_overdue(),
            # a step's form with its errors comes back through the view's kwargs
            return_form=self.kwargs.get("return_form") or forms.ReturnForm(),
            callback_form=self.kwargs.get("callback_form") or forms.CallbackForm(),
            cancel_form=self.kwargs.get("cancel_form") or forms.ReasonForm(),
        )
        return context


class InstallSlipPdfView(PdfMixin, ObjectDetailView):
    """The install order slip (装机单) the installer takes and the customer signs."""

    queryset = selectors.order_for_detail()
    pdf_template = "pdf/install_slip.html"

    def get_pdf_context(self, context):
        order = self.object
        return {"order": order,
                "patch_cable": order.kind == WorkOrderKind.INSTALL and order.broadband_id}

    def get_pdf_filename(self):
        return f"slip-{self.object.number}.pdf"


class WorkOrderActionView(RestrictedViewMixin, View):
    """POST one step of an order (return, callback, report, archive, recall, cancel)."""

    http_method_names = ["post"]
    queryset = WorkOrder.objects.all()
    permission_required = "tickets.change_workorder"
    form_class = None
    form_context = ""

    def perform(self, order, data):
        raise NotImplementedError

    def post(self, request, pk):
        order = get_object_or_404(self.get_queryset(), pk=pk)
        form = self.form_class(request.POST) if self.form_class else None
        if form is None or form.is_valid():
            try:
                message = self.perform(order, form.cleaned_data if form else {})
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                    return redirect(order)
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect(order)
        view = WorkOrderDetailView.as_view()
        request.method = "GET"
        response = view(request, pk=pk, **{self.form_context: form})
        response.status_code = 400
        return response


class WorkOrderReturnView(WorkOrderActionView):
    form_class = forms.ReturnForm
    form_context = "return_form"

    def perform(self, order, data):
        services.workorder_return(user=self.request.user, order=order, **data)
        return _("Signed slip recorded; the accounts are active from their start date.")


class WorkOrderCallbackView(WorkOrderActionView):
    form_class = forms.CallbackForm
    form_context = "callback_form"

    def perform(self, order, data):
        services.workorder_callback_record(user=self.request.user, order=order, **data)
        return _("Callback recorded.")


class WorkOrderReportView(WorkOrderActionView):
    def perform(self, order, data):
        services.workorder_report_to_carrier(user=self.request.user, order=order)
        return _("Completion reported to the carrier.")


class WorkOrderArchiveView(WorkOrderActionView):
    def perform(self, order, data):
        services.workorder_archive(user=self.request.user, order=order)
        return _("Order %(order)s archived.") % {"order": order.number}


class WorkOrderRecallView(WorkOrderActionView):
    permission_required = "tickets.dispatch_workorder"

    def perform(self, order, data):
        services.workorder_recall(user=self.request.user, order=order)
        return _("Order %(order)s taken back; dispatch it again.") % {"order": order.number}


class WorkOrderCancelView(WorkOrderActionView):
    permission_required = "tickets.cancel_workorder"
    form_class = forms.ReasonForm
    form_context = "cancel_form"

    def perform(self, order, data):
        services.workorder_cancel(user=self.request.user, order=order, reason=data["reason"])
        return _("Order %(order)s cancelled.") % {"order": order.number}


# --- dispatch -----------------------------------------------------------------------------


class DispatchCreateView(PermissionMixin, TemplateView):
    """派单: tick the accepted orders, choose the installer, print the dispatch log."""

    permission_required = "tickets.dispatch_workorder"
    template_name = "tickets/workorders/dispatch_form.html"

    def point_id(self):
        user = self.request.user
        if user.service_point_id:
            return user.service_point_id
        value = self.request.GET.get("service_point") or self.request.POST.get("service_point")
        return int(value) if value and value.isdigit() else None

    def orders(self):
        queryset = selectors.awaiting_dispatch(self.request.user)
        point_id = self.point_id()
        if point_id:
            queryset = queryset.filter(service_point_id=point_id)
        return queryset

    def page(self, form, status=200):
        orders = list(form.fields["orders"].queryset[:200])
        return self.render_to_response({
            "form": form, "orders": orders, "title": _("Dispatch work orders"),
            "points": ServicePoint.objects.restrict(self.request.user).filter(is_active=True),
            "point_id": self.point_id(), "limit_days": services.install_time_limit().days,
            "checked": {str(v) for v in form["orders"].value() or []} if form.is_bound else
            {str(o.pk) for o in orders},
        }, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(forms.DispatchForm(orders=self.orders(),
                                            service_point_id=self.point_id()))

    def post(self, request, *args, **kwargs):
        form = forms.DispatchForm(request.POST, orders=self.orders(),
                                  service_point_id=self.point_id())
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispatch = services.workorders_dispatch(
                    user=request.user, orders=list(data["orders"]),
                    installer=data.get("installer"),
                    installer_name=data.get("installer_name") or "", note=data.get("note") or "")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(n)d order(s) dispatched to %(who)s: print the "
                                            "dispatch log for their signature.")
                                 % {"n": len(data["orders"]), "who": dispatch.installer_label})
                return redirect(dispatch)
        return self.page(form, status=400)


class DispatchListView(ObjectListView):
    queryset = selectors.dispatches_for_display().annotate(order_count=Count("lines"))
    filterset_class = DispatchFilterSet
    table_class = DispatchTable
    title = gettext_lazy("Dispatch logs")


class DispatchDetailView(ObjectDetailView):
    queryset = selectors.dispatches_for_display()
    template_name = "tickets/workorders/dispatch_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = self.object.lines.select_related(
            "order__premises", "order__service_point", "order__installer")
        return context


class DispatchLogPdfView(PdfMixin, DispatchDetailView):
    """发单登记表: one row per order with the installer's signature line (A4)."""

    pdf_template = "pdf/dispatch_log.html"

    def get_pdf_context(self, context):
        return {"dispatch": self.object, "lines": list(context["lines"])}

    def get_pdf_filename(self):
        return f"dispatch-{self.object.number}.pdf"


# --- carrier orders (fax) -----------------------------------------------------------------


class CarrierBatchListView(ObjectListView):
    queryset = selectors.batches_for_display()
    filterset_class = CarrierBatchFilterSet
    table_class = CarrierBatchTable
    title = gettext_lazy("Carrier orders by fax")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("tickets:carrierbatch_add")
        return context


class CarrierBatchCreateView(PermissionMixin, TemplateView):
    permission_required = "tickets.add_carrierorderbatch"
    template_name = "tickets/workorders/carrierbatch_form.html"

    def page(self, form, formset, status=200):
        return self.render_to_response({"form": form, "formset": formset,
                                        "title": _("Register a carrier fax")}, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(forms.CarrierBatchForm(user=request.user),
                         forms.CarrierOrderFormSet(prefix="o"))

    def post(self, request, *args, **kwargs):
        form = forms.CarrierBatchForm(request.POST, user=request.user)
        formset = forms.CarrierOrderFormSet(request.POST, prefix="o")
        if form.is_valid() and formset.is_valid():
            orders = [f.as_order() for f in formset.forms if f.has_changed()]
            point = request.user.service_point or form.cleaned_data.get("service_point")
            try:
                batch = services.carrier_batch_register(
                    user=request.user, service_point=point,
                    carrier=form.cleaned_data["carrier"], orders=orders,
                    fax_ref=form.cleaned_data["fax_ref"], note=form.cleaned_data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(n)d carrier order(s) registered: print the "
                                            "acknowledgement and fax it back.")
                                 % {"n": batch.order_count})
                return redirect(batch)
        return self.page(form, formset, status=400)


class CarrierBatchDetailView(ObjectDetailView):
    queryset = selectors.batches_for_display()
    template_name = "tickets/workorders/carrierbatch_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["orders"] = self.object.orders.select_related("premises").order_by("pk")
        return context


class CarrierAckPdfView(PdfMixin, CarrierBatchDetailView):
    """The acknowledgement faxed back to the carrier: how many orders were received."""

    pdf_template = "pdf/carrier_ack.html"

    def get_pdf_context(self, context):
        return {"batch": self.object, "orders": list(context["orders"])}

    def get_pdf_filename(self):
        return f"fax-ack-{self.object.pk}.pdf"


class CarrierBatchAcknowledgeView(RestrictedViewMixin, View):
    http_method_names = ["post"]
    queryset = CarrierOrderBatch.objects.all()
    action = "change"

    def post(self, request, pk):
        batch = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.carrier_batch_acknowledge(user=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Acknowledgement recorded as faxed."))
        return redirect(batch)


# --- counter work on a line ---------------------------------------------------------------


class CounterOrderView(CounterActionView):
    """Move, extra points, router setup, removal: the fee, its receipt, a work order."""

    permission_required = ("tickets.add_workorder", "billing.add_receipt")
    kind = ""
    aliases = {"account": None}

    def service_kwargs(self, data) -> dict:
        return {}

    def perform(self, account, form):
        data = form.cleaned_data
        order = services.counter_order_open(
            user=self.request.user, kind=self.kind, account=account,
            payment_method=data.get("payment_method") or "cash",
            payment_reference=data.get("payment_reference") or "",
            opened_at=form.opened_at(), idempotency_key=data["idempotency_key"],
            **self.service_kwargs(data))
        messages.success(self.request, _("Order %(order)s accepted.") % {"order": order.number})
        return order


class MoveView(CounterOrderView):
    kind = WorkOrderKind.MOVE
    form_class = forms.MoveForm
    title = gettext_lazy("Move within the compound")
    intro = gettext_lazy("Broadband 30 yuan, landline 10 yuan; no moves out of the compound.")

    def form_kwargs(self, account):
        return {"account": account}

    def service_kwargs(self, data):
        return {key: data.get(key) for key in ("to_service_point", "to_building", "to_unit",
                                               "to_room")}

    def preview(self, account, data):
        from billing import rules as billing_rules

        target = data.get("to_service_point")
        service = accounts_services.service_of(account)
        same = target is None or target.pk == account.premises.service_point_id
        if not same:
            return Preview(problems=[_("Moves are only possible within the same compound: "
                                       "%(point)s.") % {"point": account.premises.service_point}])
        fee = billing_rules.move_fee(service, True)
        return Preview(lines=[_line(_("Move %(line)s") % {"line": account}, fee)])


class ExtraPointsView(CounterOrderView):
    kind = WorkOrderKind.EXTRA_POINTS
    form_class = forms.ExtraPointsForm
    title = gettext_lazy("Extra information points")
    intro = gettext_lazy("2 broadband and 2 landline points per premises are free; each "
                         "extra point is 30 yuan.")

    def service_kwargs(self, data):
        return {"broadband_points": data.get("broadband_points") or 0,
                "landline_points": data.get("landline_points") or 0}

    def preview(self, account, data):
        line = services.extra_points_line(data.get("broadband_points") or 0,
                                          data.get("landline_points") or 0)
        if line is None:
            return Preview(notes=[_("Within the free points: nothing to pay.")])
        return Preview(lines=[line])


class RouterSetupView(CounterOrderView):
    kind = WorkOrderKind.ROUTER_SETUP
    form_class = forms.RouterSetupForm
    title = gettext_lazy("Router setup")
    intro = gettext_lazy("Per visit; the company does not supply the router.")

    def preview(self, account, data):
        fee = services.router_setup_fee()
        return Preview(lines=[_line(fee.name, fee.amount)])


class RemovalView(CounterOrderView):
    kind = WorkOrderKind.REMOVAL
    form_class = forms.RemovalForm
    title = gettext_lazy("Removal")
    intro = gettext_lazy("An annual or package term cannot be removed before it ends.")
    submit_label = gettext_lazy("Remove the line")
    confirm = gettext_lazy("Remove this line? The account is closed at once.")
    permission_required = ("tickets.add_workorder",)

    def service_kwargs(self, data):
        return {"reason": data.get("reason") or ""}

    def preview(self, account, data):
        from accounts.choices import Term

        if (isinstance(account, BroadbandAccount) and account.plan.term != Term.MONTHLY
                and account.expires_on and account.expires_on > timezone.localdate()
                and account.state in ("active", "suspended")):
            return Preview(problems=[_("An annual or package term cannot be removed before "
                                       "it ends (%(date)s).") % {"date": account.expires_on}])
        return Preview(notes=[_("No fee. A work order is made for the installer.")])


class SuspendView(CounterActionView):
    """Suspension (暂停) of an annual broadband-only account, 3 or 6 months, no fee."""

    account_models = (BroadbandAccount,)
    form_class = forms.SuspendForm
    permission_required = ("accounts.change_broadbandaccount",)
    title = gettext_lazy("Broadband suspension")
    intro = gettext_lazy("Only broadband-only accounts on an annual term with more than 6 "
                         "months left, for 3 or 6 months; no early resume.")
    submit_label = gettext_lazy("Suspend")
    confirm = gettext_lazy("Suspend this account? It cannot resume early.")
    aliases = {"months": "months"}

    def preview(self, account, data):
        months = data.get("months") or 3
        allowed = account.state == "active" and account_rules.suspension_allowed(
            account.plan.term, accounts_services._is_broadband_only(account),
            timezone.localdate(), account.expires_on, months) if account.expires_on else False
        if not allowed:
            return Preview(problems=[_(
                "Only broadband-only accounts on an annual term with more than 6 months left "
                "can be suspended.")])
        return Preview(notes=[_("No fee. The expiry date moves out by %(n)d months.")
                              % {"n": months}])

    def perform(self, account, form):
        account = accounts_services.broadband_suspend(user=self.request.user, account=account,
                                                      months=form.cleaned_data["months"])
        messages.success(self.request, _("%(account)s suspended until %(date)s.")
                         % {"account": account, "date": account.suspended_until})
        return account


def _line(description, amount) -> Line:
    return Line(description, amount)


# --- home pages ---------------------------------------------------------------------------


class ClerkHomeView(StaffHomeView):
    """The clerk's day: today's orders, overdue returns, takings by method, the daily close."""

    def get_template_names(self):
        return ["tickets/workorders/home_clerk.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = context["today"]
        limit = selectors.HOME_LIST_LENGTH
        context.update(
            todays_orders=list(selectors.todays_orders(user)[:limit]),
            overdue=list(selectors.overdue(user)[:limit]),
            awaiting_dispatch=list(selectors.awaiting_dispatch(user)[:limit]),
            awaiting_callback=list(selectors.awaiting_callback(user)[:limit]),
            takings=billing_selectors.takings(user, day=today),
            close=billing_selectors.close_status(user, day=today),
            unclosed=billing_selectors.unclosed_days(user, days=14),
            book=billing_selectors.open_book(user.service_point_id),
            limit_days=services.install_time_limit().days,
        )
        context["takings_total"] = sum(m.total for m in context["takings"])
        return context


class InstallerHomeView(StaffHomeView):
    """The installer's dispatched work, the soonest due first (overdue in red)."""

    def get_template_names(self):
        return ["tickets/workorders/home_installer.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["orders"] = list(selectors.installer_orders(self.request.user)[:100])
        context["now"] = timezone.now()
        return context

