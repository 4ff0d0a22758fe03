"""Every write of the call desk: faults, complaints, cases and hand-overs.

Each service takes keyword-only arguments, runs in one transaction, locks the ticket's row
(``select_for_update``) before looking at its state, checks the move against the
transition map below, and writes a status-change row with who, when and a note. So two
agents pressing buttons on the same fault at the same moment are served one after the
other: the second sees what the first did and gets a clear refusal instead of a
corrupted state. Refusals are ``ValidationError`` (field errors where there is a field).

Times: ``at`` is when it happened (default now). An agent may enter what the repairer
or the customer said a little later, so ``at`` may lie in the past (not before the
previous step, not more than a few minutes in the future).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BroadbandAccount, LandlineAccount, Subscriber
from servicedesk.models import ServicePoint, User
from servicedesk.roles import Role
from tickets import calldesk_rules, rules
from tickets.models.calldesk import (
    OPEN_COMPLAINT_STATES,
    OPEN_FAULT_STATES,
    CallbackOutcome,
    CarrierDesk,
    Complaint,
    ComplaintCallback,
    ComplaintChannel,
    ComplaintCloseReason,
    ComplaintDeadlineChange,
    ComplaintKind,
    ComplaintRootCause,
    ComplaintState,
    ComplaintStatusChange,
    Fault,
    FaultCallback,
    FaultCause,
    FaultServiceType,
    FaultSource,
    FaultState,
    FaultStatusChange,
    HandOver,
    Inquiry,
    InquiryState,
    InquiryStatusChange,
    MaintenanceOffice,
    Satisfaction,
    Urgency,
)

logger = logging.getLogger(__name__)

# --- transition maps (STYLE: explicit; anything else is refused) --------------------------

FAULT_TRANSITIONS: dict[str, set[str]] = {
    FaultState.NEW: {FaultState.DISPATCHED, FaultState.CANCELLED},
    # dispatched → dispatched: sent to another repairer or office
    FaultState.DISPATCHED: {FaultState.DISPATCHED, FaultState.FIXED, FaultState.CANCELLED},
    # ✓ → ☆ closed (customer) or reply owed (carrier desks); × back to dispatch
    FaultState.FIXED: {FaultState.CLOSED, FaultState.REPLY_OWED, FaultState.REOPENED},
    FaultState.REOPENED: {FaultState.DISPATCHED, FaultState.CANCELLED},
    FaultState.REPLY_OWED: {FaultState.CLOSED},
    FaultState.CLOSED: set(),
    FaultState.CANCELLED: set(),
}
COMPLAINT_TRANSITIONS: dict[str, set[str]] = {
    # An answer the company has already given may be told at once (received → handled).
    ComplaintState.RECEIVED: {ComplaintState.CONTACTED, ComplaintState.HANDLED,
                              ComplaintState.MERGED},
    ComplaintState.CONTACTED: {ComplaintState.HANDLED, ComplaintState.MERGED},
    # satisfied → closed; not satisfied (or a repeat complaint) → back to handling
    ComplaintState.HANDLED: {ComplaintState.CLOSED, ComplaintState.CONTACTED,
                             ComplaintState.MERGED},
    ComplaintState.CLOSED: set(),
    ComplaintState.MERGED: set(),
}
INQUIRY_TRANSITIONS: dict[str, set[str]] = {
    InquiryState.OPEN: {InquiryState.ANSWERED},
    InquiryState.ANSWERED: set(),
}

# How far back a report or a step may be entered, and how far ahead a clock may run.
MAX_BACKDATE = timedelta(days=3)
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_RENEGOTIATED = timedelta(days=30)


class TransitionNotAllowed(ValidationError):
    """A move the transition map (or a handbook rule) forbids."""


# --- helpers ------------------------------------------------------------------------------


def _lock(obj):
    """The row again, locked until the transaction ends (others wait, then see our write)."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _when(at: datetime | None, *, field: str = "at", not_before: datetime | None = None,
          earliest: datetime | None = None) -> datetime:
    """``at`` (default now), checked: aware, not in the future, not before ``not_before``."""
    now = timezone.now()
    if at is None:
        at = now
    if timezone.is_naive(at):
        raise ValidationError({field: _("The time needs a timezone.")})
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({field: _("That time is in the future.")})
    if earliest is not None and at < earliest:
        raise ValidationError({field: _("That is too long ago: enter steps within 3 days.")})
    if not_before is not None and at < not_before:
        raise ValidationError({field: _("That is before the previous step (%(time)s).") % {
            "time": timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M")}})
    return at


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").replace("\x00", "").split())[:limit]


def _move(obj, to_state: str, *, transitions, change_model, user, at, note: str,
          refusal: str) -> None:
    """Check ``obj.state → to_state`` against the map and record the move (not saved)."""
    if to_state not in transitions[obj.state]:
        raise TransitionNotAllowed(refusal % {"number": obj, "state": obj.get_state_display()})
    change_model.objects.create(**{type(obj)._meta.model_name: obj}, from_state=obj.state,
                                to_state=to_state, at=at, by=user, note=note[:300])
    obj.state = to_state


def _record_created(obj, change_model, user, at, note: str = "") -> None:
    link = {type(obj)._meta.model_name: obj}
    change_model.objects.create(**link, from_state="", to_state=obj.state, at=at, by=user,
                                note=note[:300])


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _is_installer(user) -> bool:
    return user is not None and getattr(user, "role", None) == Role.INSTALLER


# --- faults -------------------------------------------------------------------------------


def fault_mark_for(source: str, service_point: ServicePoint | None) -> str:
    """The handbook's mark: X/Q/R from the compound's code, D180 or DC for Telecom.

    The handbook's table (``tickets.rules``) decides for the three compounds it knows and
    is cross-checked with the service point's own mark (data a manager keeps); a compound
    the handbook predates uses the mark on file.
    """
    if source != FaultSource.CUSTOMER:
        return rules.fault_source_mark(source, None)
    if service_point is None:
        raise ValidationError({"account": _("A customer's fault needs their compound.")})
    try:
        mark = rules.fault_source_mark(source, service_point.code)
    except ValueError:
        return service_point.fault_mark
    if service_point.fault_mark and service_point.fault_mark != mark:
        logger.warning("service point %s has fault mark %r, the handbook says %r",
                       service_point.code, service_point.fault_mark, mark)
    return mark


def _save_new_fault(fault: Fault) -> None:
    try:
        with transaction.atomic():
            fault.save()
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if name.startswith("fault_one_open_per"):
            raise ValidationError({"account": _(
                "Another agent has just logged a fault on this account: open it from the "
                "fault list instead of logging it twice.")}) from exc
        raise


@transaction.atomic
def fault_report(*, user, source: str, description: str, service_type: str = "",
                 subscriber: Subscriber | None = None,
                 account: BroadbandAccount | LandlineAccount | None = None,
                 service_number: str = "", contact_name: str = "", contact_phone: str = "",
                 address: str = "", service_point: ServicePoint | None = None,
                 reported_by: str = "", reported_at: datetime | None = None,
                 note: str = "") -> Fault:
    """Log a fault: the mark and the 12-hour deadline are set from the handbook's rules.

    A customer's fault is on one of their accounts. A carrier desk (180, test desk) may
    report a number that is not in our register: then the number and address are typed.
    The one who logs it owns it (首问负责制).
    """
    errors: dict[str, str] = {}
    if source not in FaultSource.values:
        errors["source"] = _("Choose where the fault report came from.")
    description = _text(description, 500)
    if not description:
        errors["description"] = _("Describe the fault as the caller put it.")
    reported_at = _when(reported_at, field="reported_at",
                        earliest=timezone.now() - MAX_BACKDATE)
    premises = None
    service_number = _text(service_number, 30)
    address = _text(address, 120)
    if account is not None:
        if subscriber is not None and account.subscriber_id != subscriber.pk:
            errors["account"] = _("This account belongs to another subscriber.")
        subscriber = account.subscriber
        if account.state == "closed":
            errors["account"] = _("This account is closed: it cannot have a fault.")
        service_type = account.service
        service_point = account.service_point
        premises = account.premises
        service_number = str(account)
        address = address or str(premises)
    elif source == FaultSource.CUSTOMER:
        errors["account"] = _("Pick the account the customer reports the fault on.")
    else:
        if subscriber is not None:
            errors["account"] = _("Pick the subscriber's account, or type a number that is "
                                  "not in the register.")
        if not service_number:
            errors["service_number"] = _("Type the number at fault.")
        if not address:
            errors["address"] = _("Type the address of the fault.")
        if service_type not in FaultServiceType.values:
            errors["service_type"] = _("Choose the service type.")
    if errors:
        raise ValidationError(errors)

    contact_name = _text(contact_name, 60) or (subscriber.name if subscriber else "")
    contact_phone = _text(contact_phone, 20) or (
        (subscriber.mobile or subscriber.phone) if subscriber else "")
    if not contact_phone and service_type == FaultServiceType.LANDLINE:
        contact_phone = service_number
    if not contact_phone:
        raise ValidationError({"contact_phone": _(
            "A phone number for the callback is needed.")})

    field = {BroadbandAccount: "broadband_account", LandlineAccount: "landline_account"}
    if account is not None:
        existing = Fault.objects.filter(**{field[type(account)]: account},
                                        state__in=OPEN_FAULT_STATES).first()
        if existing is not None:
            raise ValidationError({"account": _(
                "%(number)s is still open on this account (%(state)s): follow it up instead "
                "of logging the fault twice.") % {"number": existing,
                                                  "state": existing.get_state_display()}})
    fault = Fault(
        source=source, mark=fault_mark_for(source, service_point), service_type=service_type,
        service_point=service_point, subscriber=subscriber, premises=premises,
        service_number=service_number, contact_name=contact_name,
        contact_phone=contact_phone, address=address, reported_by=_text(reported_by, 40),
        description=description, note=_text(note, 200), reported_at=reported_at,
        due_at=rules.fault_due_at(reported_at), received_by=user, owner=user,
    )
    if account is not None:
        setattr(fault, field[type(account)], account)
    if source != FaultSource.CUSTOMER:
        fault.carrier_desk = CarrierDesk.objects.filter(source=source).first()
    _save_new_fault(fault)
    _record_created(fault, FaultStatusChange, user, reported_at,
                    _join(fault.get_source_display(), fault.reported_by))
    return fault


def _repairer_checked(repairer: User | None) -> None:
    if repairer is None:
        return
    if not repairer.is_active or repairer.role != Role.INSTALLER:
        raise ValidationError({"repairer": _("Dispatch to an active installer.")})


@transaction.atomic
def fault_dispatch(*, user, fault: Fault, maintenance_office: MaintenanceOffice | None,
                   repairer: User | None = None, repairer_name: str = "", note: str = "",
                   at: datetime | None = None) -> Fault:
    """下发: hand the fault to a maintenance office and (if known) its repairer."""
    fault = _lock(fault)
    errors = {}
    if maintenance_office is None or not maintenance_office.is_active:
        errors["maintenance_office"] = _("Choose the maintenance office.")
    repairer_name = _text(repairer_name, 40)
    if repairer is not None:
        repairer_name = ""
    try:
        _repairer_checked(repairer)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    at = _when(at, not_before=fault.reported_at)
    _move(fault, FaultState.DISPATCHED, transitions=FAULT_TRANSITIONS,
          change_model=FaultStatusChange, user=user, at=at,
          note=_join(maintenance_office, repairer or repairer_name, _text(note, 200)),
          refusal=_("%(number)s is %(state)s: it cannot be dispatched now."))
    fault.maintenance_office = maintenance_office
    fault.repairer = repairer
    fault.repairer_name = repairer_name
    fault.dispatched_at = at
    fault.dispatch_count += 1
    fault.save()
    return fault


@transaction.atomic
def fault_fix(*, user, fault: Fault, cause: FaultCause | None, note: str = "",
              at: datetime | None = None) -> Fault:
    """✓: the repairer (or the agent on the repairer's word) reports the fault fixed."""
    fault = _lock(fault)
    if _is_installer(user) and fault.repairer_id != user.pk:
        raise TransitionNotAllowed(_("%(number)s is not dispatched to you.") % {
            "number": fault})
    if cause is None or not cause.is_active:
        raise ValidationError({"cause": _("Choose the cause of the fault.")})
    at = _when(at, not_before=fault.dispatched_at or fault.reported_at)
    _move(fault, FaultState.FIXED, transitions=FAULT_TRANSITIONS,
          change_model=FaultStatusChange, user=user, at=at,
          note=_join("✓", cause, _text(note, 200)),
          refusal=_("%(number)s is %(state)s: only a dispatched fault can be marked fixed ✓."))
    fault.cause = cause
    fault.fix_note = _text(note, 200)
    fault.fixed_at = at
    fault.first_fixed_at = fault.first_fixed_at or at
    fault.save()
    return fault


@transaction.atomic
def fault_callback_record(*, user, fault: Fault, passed: bool, satisfaction: str = "",
                          note: str = "", at: datetime | None = None) -> Fault:
    """☆ / ×: the agent phones the customer back after the repairer's ✓.

    Passed: a customer's fault closes with the satisfaction; a carrier desk's fault
    waits for the reply to that desk. Failed: the fault reopens and goes back to
    dispatch with the note; its report time (and so its deadline) does not change.
    """
    fault = _lock(fault)
    note = _text(note, 300)
    if fault.state != FaultState.FIXED:
        raise TransitionNotAllowed(_(
            "%(number)s is %(state)s: a callback can only follow the repairer's ✓.") % {
            "number": fault, "state": fault.get_state_display()})
    if passed and satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Ask the customer how satisfied they are.")})
    if not passed and not note:
        raise ValidationError({"note": _(
            "Say what is still wrong: the repairer reads it with the new dispatch.")})
    at = _when(at, not_before=fault.fixed_at)
    FaultCallback.objects.create(fault=fault, at=at, by=user, passed=passed,
                                 satisfaction=satisfaction if passed else "", note=note)
    fault.callback_note = note
    if passed:
        target = FaultState.REPLY_OWED if fault.is_carrier_fault else FaultState.CLOSED
        _move(fault, target, transitions=FAULT_TRANSITIONS, change_model=FaultStatusChange,
              user=user, at=at, note=_join("☆", Satisfaction(satisfaction).label, note),
              refusal="%(number)s %(state)s")
        fault.called_back_at = at
        fault.satisfaction = satisfaction
        if target == FaultState.CLOSED:
            fault.closed_at = at
    else:
        _move(fault, FaultState.REOPENED, transitions=FAULT_TRANSITIONS,
              change_model=FaultStatusChange, user=user, at=at, note=_join("×", note),
              refusal="%(number)s %(state)s")
        fault.failed_callbacks += 1
        fault.fixed_at = None
    fault.save()
    return fault


@transaction.atomic
def fault_carrier_reply(*, user, fault: Fault, note: str = "",
                        at: datetime | None = None) -> Fault:
    """Tell the Telecom desk (180 / test desk) its fault is fixed and called back; close."""
    fault = _lock(fault)
    if fault.state != FaultState.REPLY_OWED:
        raise TransitionNotAllowed(_(
            "%(number)s is %(state)s: the carrier desk is replied to only after a passed "
            "callback.") % {"number": fault, "state": fault.get_state_display()})
    desk = fault.carrier_desk or CarrierDesk.objects.filter(source=fault.source).first()
    if desk is None:
        raise ValidationError(_("No carrier desk is on file for %(source)s: ask a manager to "
                                "add its phone number.") % {
            "source": fault.get_source_display()})
    at = _when(at, not_before=fault.called_back_at)
    _move(fault, FaultState.CLOSED, transitions=FAULT_TRANSITIONS,
          change_model=FaultStatusChange, user=user, at=at,
          note=_join(desk.name, desk.phone, _text(note, 200)),
          refusal="%(number)s %(state)s")
    fault.carrier_desk = desk
    fault.replied_at = at
    fault.replied_to = desk.phone
    fault.reply_note = _text(note, 200)
    fault.closed_at = at
    fault.save()
    return fault


@transaction.atomic
def fault_cancel(*, user, fault: Fault, reason: str) -> Fault:
    """Withdraw a fault logged in error or twice (not a way to close without a callback)."""
    fault = _lock(fault)
    reason = _text(reason, 200)
    if not reason:
        raise ValidationError({"reason": _("Say why the fault is cancelled.")})
    _move(fault, FaultState.CANCELLED, transitions=FAULT_TRANSITIONS,
          change_model=FaultStatusChange, user=user, at=timezone.now(), note=reason,
          refusal=_("%(number)s is %(state)s: only a fault not yet fixed can be cancelled; a "
                    "fixed fault closes by its callback."))
    fault.closed_at = timezone.now()
    fault.save()
    return fault


def fault_actions(fault: Fault, user) -> set[str]:
    """What ``user`` may do to ``fault`` now (the buttons on its page), from the map."""
    targets = FAULT_TRANSITIONS[fault.state]
    actions: set[str] = set()
    if user.has_perm("tickets.change_fault"):
        if FaultState.DISPATCHED in targets:
            actions.add("dispatch")
        if FaultState.FIXED in targets:
            actions.add("fix")
        if fault.state == FaultState.FIXED:
            actions.add("callback")
        if fault.state == FaultState.REPLY_OWED:
            actions.add("reply")
        if FaultState.CANCELLED in targets:
            actions.add("cancel")
        if targets and (fault.owner_id == user.pk or user.has_perm("tickets.hand_over_any")):
            actions.add("hand_over")
    elif (user.has_perm("tickets.fix_fault") and FaultState.FIXED in targets
          and fault.repairer_id == user.pk):
        actions.add("fix")
    return actions


# --- complaints ---------------------------------------------------------------------------


@transaction.atomic
def complaint_register(*, user, channel: str, kind: str, urgency: str, description: str,
                       complainant_name: str, complainant_phone: str,
                       subscriber: Subscriber | None = None,
                       service_point: ServicePoint | None = None,
                       against_staff: User | None = None, address: str = "",
                       received_at: datetime | None = None) -> Complaint:
    """Take a complaint: urgency sets the first-contact clock, the answer is due in 48 h."""
    errors = {}
    if channel not in ComplaintChannel.values:
        errors["channel"] = _("Choose how the complaint came in.")
    if kind not in ComplaintKind.values:
        errors["kind"] = _("Choose the complaint type.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose the urgency.")
    description = _text(description, 1000)
    if not description:
        errors["description"] = _("Write down what the customer says.")
    complainant_name = _text(complainant_name, 60) or (subscriber.name if subscriber else "")
    complainant_phone = _text(complainant_phone, 20) or (
        (subscriber.mobile or subscriber.phone) if subscriber else "")
    if not complainant_name:
        errors["complainant_name"] = _("Who is complaining?")
    if not complainant_phone:
        errors["complainant_phone"] = _("A phone number to contact the complainant is needed.")
    if against_staff is not None and not against_staff.is_active:
        errors["against_staff"] = _("Choose an active member of staff.")
    if errors:
        raise ValidationError(errors)
    received_at = _when(received_at, field="received_at",
                        earliest=timezone.now() - MAX_BACKDATE)
    if subscriber is not None:
        service_point = service_point or subscriber.service_point
        address = address or (str(subscriber.home) if subscriber.home_id else "")
    complaint = Complaint.objects.create(
        channel=channel, kind=kind, urgency=urgency, service_point=service_point,
        subscriber=subscriber, complainant_name=complainant_name,
        complainant_phone=complainant_phone, address=_text(address, 120),
        against_staff=against_staff, description=description, received_at=received_at,
        contact_due=rules.complaint_contact_due(received_at, urgency),
        answer_due=rules.complaint_answer_due(received_at), received_by=user, owner=user,
    )
    _record_created(complaint, ComplaintStatusChange, user, received_at,
                    complaint.get_urgency_display())
    return complaint


@transaction.atomic
def complaint_contact(*, user, complaint: Complaint, note: str = "",
                      at: datetime | None = None) -> Complaint:
    """The first contact with the complainant (升级时限: 15 min … 2 h after receipt)."""
    complaint = _lock(complaint)
    at = _when(at, not_before=complaint.received_at)
    _move(complaint, ComplaintState.CONTACTED, transitions=COMPLAINT_TRANSITIONS,
          change_model=ComplaintStatusChange, user=user, at=at, note=_text(note, 300),
          refusal=_("%(number)s is %(state)s: only a newly received complaint waits for its "
                    "first contact."))
    complaint.contacted_at = at
    complaint.save()
    return complaint


@transaction.atomic
def complaint_reschedule(*, user, complaint: Complaint, new_due: datetime,
                         reason: str) -> Complaint:
    """A new answer deadline agreed with the customer; it becomes the clock (logged)."""
    complaint = _lock(complaint)
    if complaint.state not in (ComplaintState.RECEIVED, ComplaintState.CONTACTED):
        raise TransitionNotAllowed(_(
            "%(number)s is %(state)s: only an unanswered complaint's deadline can be "
            "renegotiated.") % {"number": complaint, "state": complaint.get_state_display()})
    reason = _text(reason, 200)
    now = timezone.now()
    if not reason:
        raise ValidationError({"reason": _("Say why the deadline moves.")})
    if new_due is None or timezone.is_naive(new_due) or new_due <= now:
        raise ValidationError({"new_due": _("The new deadline must lie in the future.")})
    if new_due > now + MAX_RENEGOTIATED:
        raise ValidationError({"new_due": _("Agree a deadline within 30 days.")})
    ComplaintDeadlineChange.objects.create(complaint=complaint, old_due=complaint.answer_due,
                                           new_due=new_due, reason=reason, by=user, at=now)
    complaint.answer_due = new_due
    complaint.save()
    return complaint


@transaction.atomic
def complaint_handle(*, user, complaint: Complaint, substantiated: bool | None,
                     root_cause: ComplaintRootCause | None, result: str,
                     against_staff: User | None = None,
                     at: datetime | None = None) -> Complaint:
    """The investigation's result and the answer given: the callback is due in 3 days.

    Statistics count by the root cause found here, not by the customer's wording; a
    substantiated complaint about a member of staff is evidence for their scorecard.
    """
    complaint = _lock(complaint)
    errors = {}
    if substantiated is None:
        errors["substantiated"] = _("Say whether the complaint is substantiated.")
    if root_cause is None or not root_cause.is_active:
        errors["root_cause"] = _("Choose the root cause found.")
    result = _text(result, 1000)
    if not result:
        errors["result"] = _("Write down what was found and answered.")
    staff = against_staff or complaint.against_staff
    if (substantiated and complaint.kind == ComplaintKind.STAFF_ATTITUDE and staff is None):
        errors["against_staff"] = _("Name the member of staff: a substantiated complaint "
                                    "about staff goes on their scorecard.")
    if errors:
        raise ValidationError(errors)
    at = _when(at, not_before=complaint.contacted_at or complaint.received_at)
    _move(complaint, ComplaintState.HANDLED, transitions=COMPLAINT_TRANSITIONS,
          change_model=ComplaintStatusChange, user=user, at=at,
          note=_join(root_cause, _("substantiated") if substantiated
                     else _("not substantiated")),
          refusal=_("%(number)s is %(state)s: it cannot be answered now."))
    complaint.contacted_at = complaint.contacted_at or at
    complaint.handled_at = at
    complaint.callback_due = calldesk_rules.complaint_callback_due(at)
    complaint.substantiated = substantiated
    complaint.root_cause = root_cause
    complaint.result = result
    complaint.against_staff = staff
    complaint.save()
    return complaint


@transaction.atomic
def complaint_callback_record(*, user, complaint: Complaint, outcome: str,
                              satisfaction: str = "", note: str = "",
                              at: datetime | None = None) -> Complaint:
    """Phone the complainant back: satisfied closes; not satisfied reopens the handling."""
    complaint = _lock(complaint)
    if complaint.state != ComplaintState.HANDLED:
        raise TransitionNotAllowed(_(
            "%(number)s is %(state)s: a complainant is called back only after the answer.")
            % {"number": complaint, "state": complaint.get_state_display()})
    if outcome not in CallbackOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the call.")})
    note = _text(note, 300)
    if outcome == CallbackOutcome.SATISFIED and satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Ask the customer how satisfied they are.")})
    if outcome == CallbackOutcome.DISSATISFIED and not note:
        raise ValidationError({"note": _("Write down what the customer still wants.")})
    at = _when(at, not_before=complaint.handled_at)
    ComplaintCallback.objects.create(
        complaint=complaint, at=at, by=user, outcome=outcome, note=note,
        satisfaction=satisfaction if outcome == CallbackOutcome.SATISFIED else "")
    if outcome == CallbackOutcome.SATISFIED:
        _move(complaint, ComplaintState.CLOSED, transitions=COMPLAINT_TRANSITIONS,
              change_model=ComplaintStatusChange, user=user, at=at,
              note=_join(Satisfaction(satisfaction).label, note), refusal="%(number)s")
        complaint.satisfaction = satisfaction
        complaint.closed_at = at
        complaint.close_reason = ComplaintCloseReason.CALLBACK
    elif outcome == CallbackOutcome.DISSATISFIED:
        _move(complaint, ComplaintState.CONTACTED, transitions=COMPLAINT_TRANSITIONS,
              change_model=ComplaintStatusChange, user=user, at=at,
              note=_join(_("Not satisfied at the callback"), note), refusal="%(number)s")
        complaint.handled_at = None
        complaint.callback_due = None
    complaint.save()
    return complaint


@transaction.atomic
def complaint_merge(*, user, complaint: Complaint, into: Complaint,
                    note: str = "") -> Complaint:
    """The same complaint from another customer: count it once, with its complainants.

    ``complaint`` (and whatever was merged into it) now points to ``into``, which counts
    every complainant. A repeat of a complaint already answered reopens it: the week
    that would have closed it by itself starts again after the next answer.
    """
    if complaint.pk == into.pk:
        raise ValidationError({"into": _("A complaint cannot be merged into itself.")})
    # Lock both rows in a fixed order, so two merges the other way round cannot deadlock.
    locked = {c.pk: c for c in Complaint.objects.select_for_update()
              .filter(pk__in=[complaint.pk, into.pk]).order_by("pk")}
    complaint, into = locked[complaint.pk], locked[into.pk]
    if into.state not in OPEN_COMPLAINT_STATES:
        raise ValidationError({"into": _("%(number)s is %(state)s: merge into an open "
                                         "complaint.") % {
            "number": into, "state": into.get_state_display()}})
    now = timezone.now()
    _move(complaint, ComplaintState.MERGED, transitions=COMPLAINT_TRANSITIONS,
          change_model=ComplaintStatusChange, user=user, at=now,
          note=_join(_("Merged into %(number)s") % {"number": into}, _text(note, 200)),
          refusal=_("%(number)s is %(state)s: it cannot be merged."))
    Complaint.objects.filter(primary=complaint).update(primary=into)
    complaint.primary = into
    complaint.save()
    into.complainant_count += complaint.complainant_count
    if into.state == ComplaintState.HANDLED:
        _move(into, ComplaintState.CONTACTED, transitions=COMPLAINT_TRANSITIONS,
              change_model=ComplaintStatusChange, user=user, at=now,
              note=_("Repeat complaint %(number)s: reopened") % {"number": complaint},
              refusal="%(number)s")
        into.handled_at = None
        into.callback_due = None
    into.save()
    return into


def close_settled_complaints(*, now: datetime | None = None, batch: int = 200) -> int:
    """Close every complaint answered a week ago or more with no repeat since; return how many.

    A repeat complaint (merged into it) or a dissatisfied callback reopens a complaint,
    so "answered, and still answered a week later" is exactly "no repeat". Idempotent;
    rows another transaction holds are skipped and picked up by the next run.
    """
    now = now or timezone.now()
    cutoff = now - calldesk_rules.COMPLAINT_SETTLES_AFTER
    closed = 0
    while True:
        with transaction.atomic():
            due = list(Complaint.objects.select_for_update(skip_locked=True)
                       .filter(state=ComplaintState.HANDLED, handled_at__lte=cutoff)
                       .order_by("handled_at")[:batch])
            for complaint in due:
                _move(complaint, ComplaintState.CLOSED, transitions=COMPLAINT_TRANSITIONS,
                      change_model=ComplaintStatusChange, user=None, at=now,
                      note=_("Closed automatically: no repeat complaint within a week of "
                             "the answer"), refusal="%(number)s")
                complaint.closed_at = calldesk_rules.complaint_settles_at(complaint.handled_at)
                complaint.close_reason = ComplaintCloseReason.SETTLED
                complaint.save()
        closed += len(due)
        if len(due) < batch:
            return closed


# --- cases --------------------------------------------------------------------------------


@transaction.atomic
def inquiry_open(*, user, caller_name: str, question: str, phone: str, place: str = "",
                 subscriber: Subscriber | None = None,
                 service_point: ServicePoint | None = None,
                 received_at: datetime | None = None) -> Inquiry:
    """A question that cannot be answered at once becomes a case, answered within 3 days."""
    errors = {}
    caller_name = _text(caller_name, 60) or (subscriber.name if subscriber else "")
    phone = _text(phone, 20) or ((subscriber.mobile or subscriber.phone) if subscriber else "")
    question = _text(question, 1000)
    if not caller_name:
        errors["caller_name"] = _("Who is asking?")
    if not phone:
        errors["phone"] = _("A phone number for the answer is needed.")
    if not question:
        errors["question"] = _("Write down the question.")
    if errors:
        raise ValidationError(errors)
    received_at = _when(received_at, field="received_at",
                        earliest=timezone.now() - MAX_BACKDATE)
    if subscriber is not None:
        service_point = service_point or subscriber.service_point
        place = place or (str(subscriber.home) if subscriber.home_id else "")
    inquiry = Inquiry.objects.create(
        caller_name=caller_name, place=_text(place, 120), question=question, phone=phone,
        subscriber=subscriber, service_point=service_point, received_at=received_at,
        due_at=calldesk_rules.inquiry_answer_due(received_at), received_by=user, owner=user,
    )
    _record_created(inquiry, InquiryStatusChange, user, received_at)
    return inquiry


@transaction.atomic
def inquiry_answer(*, user, inquiry: Inquiry, answer: str, satisfaction: str = "",
                   at: datetime | None = None) -> Inquiry:
    """The answer, given by a callback to the customer."""
    inquiry = _lock(inquiry)
    answer = _text(answer, 1000)
    if not answer:
        raise ValidationError({"answer": _("Write down the answer given.")})
    if satisfaction and satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose a satisfaction level.")})
    at = _when(at, not_before=inquiry.received_at)
    _move(inquiry, InquiryState.ANSWERED, transitions=INQUIRY_TRANSITIONS,
          change_model=InquiryStatusChange, user=user, at=at, note=answer[:300],
          refusal=_("%(number)s is %(state)s already."))
    inquiry.answer = answer
    inquiry.answered_at = at
    inquiry.satisfaction = satisfaction
    inquiry.save()
    return inquiry


# --- first-ask ownership ------------------------------------------------------------------

_FINISHED = {
    Fault: {FaultState.CLOSED, FaultState.CANCELLED},
    Complaint: {ComplaintState.CLOSED, ComplaintState.MERGED},
    Inquiry: {InquiryState.ANSWERED},
}


def can_hand_over(matter, user) -> bool:
    return (matter.state not in _FINISHED[type(matter)]
            and user.has_perm(f"tickets.change_{type(matter)._meta.model_name}")
            and (matter.owner_id == user.pk or user.has_perm("tickets.hand_over_any")))


@transaction.atomic
def matter_hand_over(*, user, matter: Fault | Complaint | Inquiry, to_user: User,
                     note: str):
    """首问负责制: the owner (or a manager) hands the matter to someone else, with a note."""
    matter = _lock(matter)
    model = type(matter)
    if matter.state in _FINISHED[model]:
        raise TransitionNotAllowed(_("%(number)s is %(state)s: there is nothing to hand "
                                     "over.") % {"number": matter,
                                                 "state": matter.get_state_display()})
    if matter.owner_id != user.pk and not user.has_perm("tickets.hand_over_any"):
        raise TransitionNotAllowed(_("Only its owner (%(owner)s) or a manager can hand "
                                     "%(number)s over.") % {"owner": matter.owner,
                                                            "number": matter})
    note = _text(note, 300)
    errors = {}
    if not note:
        errors["note"] = _("Say what the next owner needs to know.")
    if to_user is None or not to_user.is_active:
        errors["to_user"] = _("Choose an active member of staff.")
    elif to_user.pk == matter.owner_id:
        errors["to_user"] = _("%(user)s already owns it.") % {"user": to_user}
    elif not to_user.has_perm(f"tickets.change_{model._meta.model_name}"):
        errors["to_user"] = _("%(user)s cannot work on call-desk matters.") % {"user": to_user}
    if errors:
        raise ValidationError(errors)
    HandOver.objects.create(**{model._meta.model_name: matter}, from_owner=matter.owner,
                            to_owner=to_user, by=user, note=note)
    matter.owner = to_user
    matter.save(update_fields=["owner"])
    return matter
