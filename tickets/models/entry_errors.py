"""Entry errors flagged on an install order or a fault (录入差错): wrong phone, wrong
address, wrong fault entry. Whoever spots one flags it; the error is attributed to the
person who entered the record (the order's ``accepted_by``, the fault's ``received_by``)
and feeds that person's monthly scorecard (appraisal: 工作能力 / 完成工作任务).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.audit import audited
from servicedesk.querysets import RestrictedQuerySet

__all__ = ["EntryErrorKind", "EntryErrorFlag"]


class EntryErrorKind(models.TextChoices):
    WRONG_PHONE = "wrong_phone", _("Wrong phone number")
    WRONG_ADDRESS = "wrong_address", _("Wrong address")
    WRONG_FAULT = "wrong_fault", _("Wrong fault entry")
    OTHER = "other", _("Other entry error")


@audited()
class EntryErrorFlag(models.Model):
    work_order = models.ForeignKey("tickets.WorkOrder", verbose_name=_("work order"),
                                   on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="entry_errors")
    fault = models.ForeignKey("tickets.Fault", verbose_name=_("fault"),
                              on_delete=models.CASCADE, null=True, blank=True,
                              related_name="entry_errors")
    service_point = models.ForeignKey("servicedesk.ServicePoint",
                                      verbose_name=_("service point"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    kind = models.CharField(_("error"), max_length=16, choices=EntryErrorKind.choices)
    note = models.CharField(_("what is wrong"), max_length=200)
    attributed_to = models.ForeignKey(settings.AUTH_USER_MODEL,
                                      verbose_name=_("entered by"),
                                      on_delete=models.PROTECT, related_name="entry_errors")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("flagged by"),
                                   on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-flagged_at", "-pk"]
        verbose_name = _("entry error")
        verbose_name_plural = _("entry errors")
        indexes = [
            models.Index(fields=["flagged_at"], name="entryerror_flagged"),
            models.Index(fields=["attributed_to", "flagged_at"], name="entryerror_person"),
            models.Index(fields=["work_order"], name="entryerror_order"),
            models.Index(fields=["fault"], name="entryerror_fault"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(work_order__isnull=False, fault__isnull=True)
                | Q(work_order__isnull=True, fault__isnull=False),
                name="entryerror_one_record",
                violation_error_message=_("An entry error belongs to one order or one fault."),
            ),
            # one flag per record and kind: a double submit or a second clerk noticing the
            # same wrong phone does not count twice against the person
            models.UniqueConstraint(fields=["work_order", "kind"], name="entryerror_order_kind",
                                    condition=Q(work_order__isnull=False)),
            models.UniqueConstraint(fields=["fault", "kind"], name="entryerror_fault_kind",
                                    condition=Q(fault__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.record}"

    def get_absolute_url(self) -> str:
        return self.record.get_absolute_url()

    @property
    def record(self):
        return self.work_order if self.work_order_id else self.fault
