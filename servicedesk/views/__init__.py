"""Core pages: home by role, health check, service points and staff, record history."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views import View
from django.views.generic import TemplateView

from servicedesk.audit import object_history
from servicedesk.filtersets import ServicePointFilterSet, StaffFilterSet
from servicedesk.forms import ServicePointForm
from servicedesk.models import ServicePoint, User
from servicedesk.pdf import pdf_response, render_pdf
from servicedesk.selectors import staff_roster
from servicedesk.tables import ServicePointTable, StaffTable
from servicedesk.views.generic import ObjectDetailView, ObjectEditView, ObjectListView


def healthz(request):
    """200 "ok" when the database answers, 503 otherwise. No login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


class HomeView(LoginRequiredMixin, View):
    """``/``: hand over to the home page of the user's role (``settings.ROLE_HOME_VIEWS``)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        role = request.user.role
        if role is None:
            return render(request, "home/no_role.html", status=403)
        view = import_string(settings.ROLE_HOME_VIEWS[role]).as_view()
        return view(request, *args, **kwargs)


class StaffHomeView(LoginRequiredMixin, TemplateView):
    """The default home: who you are and what you may open (apps add their panels)."""

    def get_template_names(self):
        return [f"home/{self.request.user.role}.html", "home/base_home.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


class ServicePointListView(ObjectListView):
    queryset = ServicePoint.objects.all()
    filterset_class = ServicePointFilterSet
    table_class = ServicePointTable


class ServicePointDetailView(ObjectDetailView):
    queryset = ServicePoint.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff"] = staff_roster(self.object)
        return context


class ServicePointEditView(ObjectEditView):
    queryset = ServicePoint.objects.all()
    form_class = ServicePointForm


class ServicePointRosterPdfView(ObjectDetailView):
    """The staff roster of a service point, with signature lines (A4)."""

    queryset = ServicePoint.objects.all()

    def render_to_response(self, context, **response_kwargs):
        pdf = render_pdf(
            "pdf/staff_roster.html",
            {
                "service_point": self.object,
                "staff": staff_roster(self.object),
                "printed_at": timezone.localtime(),
                "printed_by": self.request.user,
            },
            request=self.request,
        )
        return pdf_response(pdf, f"roster-{self.object.code}.pdf")


class StaffListView(ObjectListView):
    queryset = (
        User.objects.filter(is_active=True)
        .select_related("service_point")
        .prefetch_related("groups")
    )
    filterset_class = StaffFilterSet
    table_class = StaffTable


class HistoryView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The audit trail of one record: who changed what, when (managers)."""

    permission_required = "servicedesk.view_history"
    template_name = "generic/history.html"

    def get_context_data(self, **kwargs):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        context = super().get_context_data(**kwargs)
        content_type = get_object_or_404(ContentType, pk=kwargs["content_type_id"])
        model = content_type.model_class()
        if model is None or not apps.is_installed(model._meta.app_config.name):
            raise Http404
        manager = model._default_manager
        queryset = manager.restrict(self.request.user) if hasattr(manager, "restrict") else manager
        obj = get_object_or_404(queryset, pk=kwargs["pk"])
        history = object_history(obj)
        users = User.objects.in_bulk({c.user_id for c in history if c.user_id})
        context.update(object=obj, history=history, users=users, model_meta=model._meta)
        return context
