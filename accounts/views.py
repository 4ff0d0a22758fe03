"""Pages of the customer register. Thin: reads go through ``accounts.selectors`` or the
generic views (scoped by ``restrict(user)``); every write is one service call."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts import filtersets, forms, selectors, services, tables
from accounts.models import (
    AddOn,
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    Fee,
    LandlineAccount,
    LandlinePlan,
    Subscriber,
)
from servicedesk.forms import add_service_errors
from servicedesk.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RestrictedViewMixin,
)

# Service errors on model fields the forms call differently.
FIELD_ALIASES = {"home": "building", "premises": "building"}


class NoStoreMixin:
    """Pages showing a secret once must not be kept by the browser or a proxy."""

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "no-store"
        return response


class ServiceEditView(ObjectEditView):
    """An edit page whose form is saved by a service; its refusals become field errors."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def run_service(self, form):
        return type(self).service(user=self.request.user, **form.cleaned_data)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.run_service(form)
        except ValidationError as exc:
            add_service_errors(form, exc, FIELD_ALIASES)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(object)s") % {"object": self.object})
        return HttpResponseRedirect(self.get_success_url())


class AddUrlMixin:
    """Puts the "Add" button on a list page."""

    add_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.add_url_name:
            context["add_url"] = reverse(self.add_url_name)
        return context


# --- search ----------------------------------------------------------------------------


class SearchView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The header search box: one hit opens the subscriber, several are listed."""

    permission_required = "accounts.view_subscriber"
    template_name = "accounts/search.html"

    def get(self, request, *args, **kwargs):
        result = selectors.subscriber_search(request.user, request.GET.get("q", ""))
        if len(result.subscribers) == 1:
            return redirect(result.subscribers[0])
        return self.render_to_response(self.get_context_data(
            result=result, search_query=result.query, title=_("Search")))


# --- subscribers -----------------------------------------------------------------------


class SubscriberListView(AddUrlMixin, ObjectListView):
    queryset = Subscriber.objects.select_related("service_point", "home")
    filterset_class = filtersets.SubscriberFilterSet
    table_class = tables.SubscriberTable
    add_url_name = "accounts:subscriber_add"


class SubscriberDetailView(ObjectDetailView):
    """The subscriber page ("360"): identity, contact, premises, accounts, timeline."""

    queryset = selectors.with_accounts(Subscriber.objects.all())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscriber = self.object
        user = self.request.user
        context["broadband_accounts"] = subscriber.broadbandaccount_set.all()
        context["landline_accounts"] = subscriber.landlineaccount_set.all()
        context["timeline"] = selectors.subscriber_timeline(subscriber, user)
        context["panels"] = [panel for dotted in settings.SUBSCRIBER_PANELS
                             if (panel := import_string(dotted)(subscriber, user))]
        context["actions"] = selectors.subscriber_actions(subscriber, user)
        if user.has_perm("servicedesk.view_history"):
            context["sensitive_accesses"] = selectors.recent_sensitive_access(subscriber)
        context.setdefault("reveal_form", forms.RevealReasonForm())
        return context


class SubscriberRevealIdView(NoStoreMixin, SubscriberDetailView):
    """POST: show the full ID number once, and log who looked."""

    http_method_names = ["post"]
    permission_required = ("accounts.view_subscriber", "accounts.reveal_id_number")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = forms.RevealReasonForm(request.POST)
        context = {"reveal_form": form}
        if form.is_valid():
            try:
                context["revealed_id_number"] = services.id_number_reveal(
                    user=request.user, subscriber=self.object,
                    reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return self.render_to_response(self.get_context_data(**context))


class SubscriberCreateView(ServiceEditView):
    queryset = Subscriber.objects.all()
    form_class = forms.SubscriberCreateForm
    service = services.subscriber_create
    template_name = "accounts/subscriber_form.html"

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if "id_number" not in form.errors:
            return response
        existing = services.subscriber_with_id_number(form.data.get("id_number", ""))
        if existing is not None:
            visible = Subscriber.objects.restrict(self.request.user).filter(pk=existing.pk)
            response.context_data["duplicate"] = existing if visible.exists() else None
            response.context_data["duplicate_elsewhere"] = not visible.exists()
        return response


class SubscriberUpdateView(ServiceEditView):
    queryset = Subscriber.objects.select_related("home", "service_point")
    form_class = forms.SubscriberUpdateForm
    template_name = "accounts/subscriber_form.html"

    def run_service(self, form):
        return services.subscriber_update(user=self.request.user, subscriber=self.object,
                                          **form.cleaned_data)


# --- accounts --------------------------------------------------------------------------


class BroadbandListView(ObjectListView):
    queryset = BroadbandAccount.objects.select_related(
        "subscriber", "premises", "service_point", "carrier", "plan")
    filterset_class = filtersets.BroadbandAccountFilterSet
    table_class = tables.BroadbandAccountTable


class LandlineListView(ObjectListView):
    queryset = LandlineAccount.objects.select_related(
        "subscriber", "premises", "service_point", "carrier", "plan", "bundled_with"
    ).prefetch_related("add_ons")
    filterset_class = filtersets.LandlineAccountFilterSet
    table_class = tables.LandlineAccountTable


class _AccountDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["state_changes"] = self.object.state_changes.select_related("by")[:100]
        context["can_reset_password"] = self.request.user.has_perm(
            "accounts.change_account_password")
        context.setdefault("password_form", forms.ReasonForm())
        return context


class BroadbandDetailView(_AccountDetailView):
    queryset = BroadbandAccount.objects.select_related(
        "subscriber", "premises__service_point", "service_point", "carrier", "plan",
        "installer")
    template_name = "accounts/broadbandaccount_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bundled_landlines"] = self.object.bundled_landlines.all()
        return context


class LandlineDetailView(_AccountDetailView):
    queryset = LandlineAccount.objects.select_related(
        "subscriber", "premises__service_point", "service_point", "carrier", "plan",
        "bundled_with").prefetch_related("add_ons")
    template_name = "accounts/landlineaccount_detail.html"


class AccountPasswordResetView(NoStoreMixin, RestrictedViewMixin, TemplateView):
    """POST with a reason: a new password, shown once on this page and logged."""

    http_method_names = ["post"]
    permission_required = "accounts.change_account_password"
    template_name = "accounts/account_password.html"

    def post(self, request, *args, **kwargs):
        account = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        form = forms.ReasonForm(request.POST)
        context = {"object": account, "form": form, "title": _("Reset password")}
        if form.is_valid():
            try:
                context["new_password"] = services.account_password_change(
                    user=request.user, account=account, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc, FIELD_ALIASES)
        return self.render_to_response(self.get_context_data(**context))


# --- tariff data (managers) -------------------------------------------------------------


def _tariff_views(model, form, table, filterset, name):
    """A list view and an edit view (add and change; no delete: deactivate instead)."""

    list_view = type(f"{model.__name__}ListView", (AddUrlMixin, ObjectListView), {
        "queryset": model.objects.all(), "table_class": table, "filterset_class": filterset,
        "add_url_name": f"accounts:{name}_add",
    })
    edit_view = type(f"{model.__name__}EditView", (ObjectEditView,), {
        "queryset": model.objects.all(), "form_class": form,
        "get_success_url": lambda self: reverse(f"accounts:{name}_list"),
    })
    return list_view, edit_view


CarrierListView, CarrierEditView = _tariff_views(
    Carrier, forms.CarrierForm, tables.CarrierTable, filtersets.CarrierFilterSet, "carrier")
BroadbandPlanListView, BroadbandPlanEditView = _tariff_views(
    BroadbandPlan, forms.BroadbandPlanForm, tables.BroadbandPlanTable,
    filtersets.BroadbandPlanFilterSet, "broadbandplan")
BroadbandPlanListView.queryset = BroadbandPlan.objects.select_related("carrier")
LandlinePlanListView, LandlinePlanEditView = _tariff_views(
    LandlinePlan, forms.LandlinePlanForm, tables.LandlinePlanTable,
    filtersets.LandlinePlanFilterSet, "landlineplan")
AddOnListView, AddOnEditView = _tariff_views(
    AddOn, forms.AddOnForm, tables.AddOnTable, filtersets.AddOnFilterSet, "addon")
FeeListView, FeeEditView = _tariff_views(
    Fee, forms.FeeForm, tables.FeeTable, filtersets.FeeFilterSet, "fee")

# URL name prefix, list view, edit view (see urls.py and the 资费管理 menu).
TARIFF_PAGES = [
    ("carrier", CarrierListView, CarrierEditView),
    ("broadbandplan", BroadbandPlanListView, BroadbandPlanEditView),
    ("landlineplan", LandlinePlanListView, LandlinePlanEditView),
    ("addon", AddOnListView, AddOnEditView),
    ("fee", FeeListView, FeeEditView),
]
