"""Flagging an entry error on an install order or a fault (录入差错).

The error is attributed to whoever entered the record (the order's ``accepted_by``, the
fault's ``received_by``), not to whoever flags it; it becomes evidence on that person's
monthly scorecard. One flag per record and kind: flagging the same wrong phone twice
returns the first flag.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets.models import EntryErrorFlag, EntryErrorKind, Fault, WorkOrder


@transaction.atomic
def entry_error_flag(*, user, kind: str, note: str, work_order: WorkOrder | None = None,
                     fault: Fault | None = None) -> EntryErrorFlag:
    if (work_order is None) == (fault is None):
        raise ValidationError(_("An entry error belongs to one order or one fault."))
    if kind not in EntryErrorKind.values:
        raise ValidationError({"kind": _("Choose what is wrong.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what is wrong, e.g. the right phone number.")})
    if work_order is not None and kind == EntryErrorKind.WRONG_FAULT:
        raise ValidationError({"kind": _("A wrong fault entry is flagged on a fault.")})
    if work_order is not None:
        record, entered_by = work_order, work_order.accepted_by_id
        existing = EntryErrorFlag.objects.filter(work_order=work_order, kind=kind).first()
    else:
        record, entered_by = fault, fault.received_by_id
        existing = EntryErrorFlag.objects.filter(fault=fault, kind=kind).first()
    if existing is not None:
        return existing
    flag = EntryErrorFlag(work_order=work_order, fault=fault, kind=kind, note=note.strip()[:200],
                          attributed_to_id=entered_by, flagged_by=user,
                          service_point_id=record.service_point_id)
    flag.full_clean()
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:  # flagged at the same moment by someone else
        return EntryErrorFlag.objects.get(work_order=work_order, fault=fault, kind=kind)
    return flag
