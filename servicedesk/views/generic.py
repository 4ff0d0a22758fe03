"""The project's generic views, configured by attributes (NetBox ``views/generic``).

Every one of them requires a signed-in user with the model permission for what it does
(``<app>.view_<model>`` by default) and reads through ``Model.objects.restrict(user)``,
so a page can never show another service point's rows by forgetting a filter.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from servicedesk.export import SafeTableExport
from servicedesk.paginators import KeysFirstPaginator
from servicedesk.pdf import pdf_response, render_pdf


class RestrictedViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Login, model permission, and the user's service-point scope."""

    queryset = None
    action = "view"

    def get_permission_required(self):
        if self.permission_required:
            return super().get_permission_required()
        meta = self.queryset.model._meta
        return [f"{meta.app_label}.{self.action}_{meta.model_name}"]

    def get_queryset(self):
        return self.queryset.all().restrict(self.request.user)


class ObjectListView(RestrictedViewMixin, ExportMixin, SingleTableMixin, FilterView):
    """A filtered, paginated table with Excel/CSV export.

    Pagination never counts the whole table (``LazyPaginator``: it fetches one row more
    than a page to know whether there is a next one), so page 1 costs the same at a
    thousand rows and at a million; a page is read keys first, then its rows with their
    joins (``servicedesk/paginators.py``).
    """

    template_name = "generic/object_list.html"
    filterset_class = None
    table_class = None
    # Not paginate_by: the table paginates, ListView must not. 25 rows: django-tables2 costs
    # ~0.15 ms of CPU a cell, so 50 rows of 11 columns alone took ~85 ms (bench/README.md).
    per_page = 25
    paginator_class = KeysFirstPaginator
    export_formats = ("xlsx", "csv")
    export_class = SafeTableExport  # no cell can start a formula
    title = ""

    def get_table_pagination(self, table):
        return {"per_page": self.per_page, "paginator_class": self.paginator_class}

    def get_export_filename(self, export_format):
        return f"{self.queryset.model._meta.model_name}.{export_format}"

    def create_export(self, export_format):
        # Exports go through the same filters, capped so no request loads a whole table.
        table = self.get_table(**self.get_table_kwargs())
        table.data.data = table.data.data[: settings.EXPORT_MAX_ROWS]  # after the sort
        exporter = self.export_class(
            export_format=export_format, table=table, exclude_columns=self.exclude_columns,
            dataset_kwargs=self.get_dataset_kwargs(),
        )
        return exporter.response(filename=self.get_export_filename(export_format))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.queryset.model
        context["title"] = self.title or model._meta.verbose_name_plural
        context["model_meta"] = model._meta
        add_perm = f"{model._meta.app_label}.add_{model._meta.model_name}"
        context["can_add"] = self.request.user.has_perm(add_perm)
        return context


class ObjectDetailView(RestrictedViewMixin, generic.DetailView):
    template_name_suffix = "_detail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.request.user.has_perm(
            f"{self.object._meta.app_label}.change_{self.object._meta.model_name}"
        )
        context["can_view_history"] = self.request.user.has_perm("servicedesk.view_history")
        return context


class PdfMixin:
    """A detail view answered as a printed document instead of a page.

    Put before the detail view it prints: ``pdf_template`` is rendered by
    ``servicedesk.pdf`` with who printed it and when, plus ``get_pdf_context(context)``
    (the detail view's context at hand); ``get_pdf_filename()`` names the file.
    """

    pdf_template = ""

    def get_pdf_context(self, context) -> dict:
        return {}

    def get_pdf_filename(self) -> str:
        raise NotImplementedError

    def render_to_response(self, context, **response_kwargs):
        pdf = render_pdf(self.pdf_template, {
            "printed_at": timezone.localtime(), "printed_by": self.request.user,
            **self.get_pdf_context(context),
        }, request=self.request)
        return pdf_response(pdf, self.get_pdf_filename())


class ObjectEditView(RestrictedViewMixin, generic.UpdateView):
    """Create (no pk in the URL) or edit one object through its form, in one transaction.

    Reference data (plans, fees, service points) is saved by the form; records with
    business rules set ``service``: a callable taking ``user=`` and the form's
    ``cleaned_data`` that returns the saved object.
    """

    template_name = "generic/object_edit.html"
    form_class = None
    service = None
    action = "change"

    def get_permission_required(self):
        if self.permission_required:
            return super().get_permission_required()
        meta = self.queryset.model._meta
        action = "change" if self.kwargs.get(self.pk_url_kwarg) else "add"
        return [f"{meta.app_label}.{action}_{meta.model_name}"]

    def get_object(self, queryset=None):
        if not self.kwargs.get(self.pk_url_kwarg):
            return None
        return super().get_object(queryset)

    def form_valid(self, form):
        with transaction.atomic():
            if self.service is not None:
                self.object = type(self).service(user=self.request.user, **form.cleaned_data)
            else:
                self.object = form.save()
        messages.success(self.request, _("Saved: %(object)s") % {"object": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["model_meta"] = self.queryset.model._meta
        return context
