"""The "flag entry error" action on an install order and on a fault (a small form on the
record's page; the error counts against whoever entered the record)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from servicedesk.views.generic import RestrictedViewMixin
from tickets.forms.entry_errors import EntryErrorForm
from tickets.models import Fault, WorkOrder
from tickets.services.entry_errors import entry_error_flag


class _FlagView(RestrictedViewMixin, View):
    http_method_names = ["post"]
    permission_required = "tickets.add_entryerrorflag"
    field = ""

    def post(self, request, pk):
        record = get_object_or_404(self.get_queryset(), pk=pk)
        form = EntryErrorForm(request.POST, record=record)
        if form.is_valid():
            try:
                entry_error_flag(user=request.user, **{self.field: record},
                                 **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Entry error flagged against %(person)s.")
                                 % {"person": self.entered_by(record)})
        else:
            messages.error(request, " ".join(
                str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(record.get_absolute_url() + "#entry-errors")


class WorkOrderFlagView(_FlagView):
    queryset = WorkOrder.objects.select_related("accepted_by")
    field = "work_order"

    def entered_by(self, record):
        return record.accepted_by


class FaultFlagView(_FlagView):
    queryset = Fault.objects.select_related("received_by")
    field = "fault"

    def entered_by(self, record):
        return record.received_by
