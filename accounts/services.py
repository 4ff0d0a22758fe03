"""Every write to the customer register (HackSoft-style services).

Each service takes keyword-only arguments, runs in one transaction, validates with
``full_clean()`` and the handbook's rules (``accounts.rules``), and raises
``django.core.exceptions.ValidationError`` (field errors where it can) for anything the
rules refuse, so that views show a clear message and nothing is saved.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from accounts.choices import (
    OPEN_LANDLINE_STATES,
    BroadbandState,
    LandlineState,
    Service,
    SubscriberKind,
    Term,
)
from accounts.models import (
    AccountStateChange,
    AddOn,
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    LandlineAccount,
    LandlinePlan,
    Premises,
    SensitiveAccess,
    SerialCounter,
    Subscriber,
)
from accounts.validators import (
    ID_NUMBER_RE,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
)
from servicedesk.models import ServicePoint

# Allowed state moves (STYLE: explicit transition maps). Anything else is refused.
BROADBAND_TRANSITIONS: dict[str, set[str]] = {
    BroadbandState.PENDING: {BroadbandState.ACTIVE, BroadbandState.CLOSED},
    BroadbandState.ACTIVE: {BroadbandState.SUSPENDED, BroadbandState.EXPIRED,
                            BroadbandState.CLOSED},
    BroadbandState.SUSPENDED: {BroadbandState.ACTIVE},
    BroadbandState.EXPIRED: {BroadbandState.ACTIVE, BroadbandState.CLOSED},
    BroadbandState.CLOSED: set(),
}
LANDLINE_TRANSITIONS: dict[str, set[str]] = {
    LandlineState.PENDING: {LandlineState.ACTIVE, LandlineState.CLOSED},
    LandlineState.ACTIVE: {LandlineState.BARRED, LandlineState.SUSPENDED, LandlineState.CLOSED},
    LandlineState.BARRED: {LandlineState.ACTIVE, LandlineState.CLOSED},
    LandlineState.SUSPENDED: {LandlineState.ACTIVE, LandlineState.CLOSED},
    LandlineState.CLOSED: set(),
}


class TransitionNotAllowed(ValidationError):
    """A state move the transition map (or a handbook rule) forbids."""


# --- premises and subscribers ----------------------------------------------------------


def premises_get_or_create(*, service_point: ServicePoint, building: int, unit: int,
                           room: int) -> Premises:
    """The premises at ``building#-unit-room`` of ``service_point``, created on first use."""
    errors = {}
    for field, value, high in (("building", building, 99), ("unit", unit, 9),
                               ("room", room, 9999)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
            errors[field] = _("Must be a whole number from 1 to %(high)d.") % {"high": high}
    if errors:
        raise ValidationError(errors)
    premises, _created = Premises.objects.get_or_create(
        service_point=service_point, building=building, unit=unit, room=room
    )
    return premises


def _clean_identity(kind: str, id_number: str, intro_letter_ref: str) -> str:
    id_number = normalize_id_number(id_number)
    if kind == SubscriberKind.PERSON:
        if not id_number:
            raise ValidationError({"id_number": _("A person's ID number is required.")})
        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
    elif not intro_letter_ref.strip():
        raise ValidationError(
            {"intro_letter_ref": _("An organization needs its introduction letter reference.")}
        )
    return id_number


def subscriber_with_id_number(id_number: str) -> Subscriber | None:
    """The subscriber registered with ``id_number`` (any service point), if any."""
    id_number = normalize_id_number(id_number)
    if not ID_NUMBER_RE.fullmatch(id_number):  # typed text, maybe with NUL: none on file
        return None
    return Subscriber.objects.filter(id_number__iexact=id_number).first()


@transaction.atomic
def subscriber_create(*, user, kind: str, name: str, service_point: ServicePoint,
                      building: int | None = None, unit: int | None = None,
                      room: int | None = None, id_number: str = "",
                      intro_letter_ref: str = "", mobile: str = "", phone: str = "",
                      note: str = "") -> Subscriber:
    """Register a person (ID number, checksum verified) or an organization (letter).

    A clerk registers at their own service point only; one record per ID number.
    """
    if kind not in SubscriberKind.values:
        raise ValidationError({"kind": _("Choose a person or an organization.")})
    if (user is not None and getattr(user, "service_point_id", None)
            and service_point.pk != user.service_point_id):
        raise ValidationError({"service_point": _(
            "You can register subscribers only at your own service point."
        )})
    id_number = _clean_identity(kind, id_number, intro_letter_ref)
    if id_number and subscriber_with_id_number(id_number) is not None:
        raise ValidationError({"id_number": _("A subscriber with this ID number already exists.")})
    home = None
    if building or unit or room:
        home = premises_get_or_create(service_point=service_point, building=building,
                                      unit=unit, room=room)
    subscriber = Subscriber(
        kind=kind, name=name.strip(), id_number=id_number,
        intro_letter_ref=intro_letter_ref.strip(), mobile=normalize_phone(mobile),
        phone=normalize_phone(phone), service_point=service_point, home=home,
        note=note.strip(), created_by=user,
    )
    _save_unique(subscriber)
    return subscriber


@transaction.atomic
def subscriber_update(*, user, subscriber: Subscriber, name: str, mobile: str = "",
                      phone: str = "", intro_letter_ref: str | None = None,
                      note: str = "", building: int | None = None, unit: int | None = None,
                      room: int | None = None) -> Subscriber:
    """Contact details and premises. The ID number is not editable (a new record is)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.name = name.strip()
    subscriber.mobile = normalize_phone(mobile)
    subscriber.phone = normalize_phone(phone)
    subscriber.note = note.strip()
    if intro_letter_ref is not None and subscriber.kind == SubscriberKind.ORGANIZATION:
        subscriber.intro_letter_ref = intro_letter_ref.strip()
    if building or unit or room:
        subscriber.home = premises_get_or_create(
            service_point=subscriber.service_point, building=building, unit=unit, room=room
        )
    subscriber.full_clean()
    subscriber.save()
    return subscriber


@transaction.atomic
def id_number_reveal(*, user, subscriber: Subscriber, reason: str = "") -> str:
    """Return the full ID number and log who looked (保护客户通信秘密)."""
    if not subscriber.id_number:
        raise ValidationError(_("This subscriber has no ID number on record."))
    SensitiveAccess.objects.create(subscriber=subscriber, by=user, reason=reason.strip()[:200],
                                   action=SensitiveAccess.Action.REVEAL_ID,
                                   target=subscriber.masked_id_number)
    return subscriber.id_number


# --- numbering -------------------------------------------------------------------------


def next_registration_serial(*, service: str, service_point: ServicePoint, day: date) -> str:
    """The next registration serial (``DW20261122001``), gap-free per point, service, day.

    Must run inside the caller's transaction: the counter row stays locked until it
    commits, and a rollback gives the number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_registration_serial must run inside a transaction")
    SerialCounter.objects.get_or_create(service=service, service_point=service_point, day=day)
    counter = SerialCounter.objects.select_for_update().get(
        service=service, service_point=service_point, day=day
    )
    if counter.last_seq >= 999:
        raise ValidationError(_("No registration serials left for today at this service point."))
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return rules.registration_serial(service, service_point.code, day, counter.last_seq)


# --- accounts --------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(starts_on: date, months: int) -> date:
    """The last day of service of a term of ``months`` starting ``starts_on``."""
    return _add_months(starts_on, months) - timedelta(days=1)


def _record_state(account, from_state: str, to_state: str, user, note: str = "") -> None:
    field = "broadband" if isinstance(account, BroadbandAccount) else "landline"
    AccountStateChange.objects.create(**{field: account}, from_state=from_state,
                                      to_state=to_state, by=user, note=note[:200])


def _move(account, to_state: str, *, user, note: str = "") -> None:
    transitions = (BROADBAND_TRANSITIONS if isinstance(account, BroadbandAccount)
                   else LANDLINE_TRANSITIONS)
    if to_state not in transitions[account.state]:
        raise TransitionNotAllowed(
            _("An account that is %(from)s cannot become %(to)s.")
            % {"from": account.get_state_display(),
               "to": type(account)(state=to_state).get_state_display()}
        )
    from_state = account.state
    account.state = to_state
    _record_state(account, from_state, to_state, user, note)


# Unique constraints on expressions name no field: the form field their error belongs to.
_CONSTRAINT_FIELDS = {"subscriber_unique_id": "id_number"}


def _integrity_error(obj, exc: IntegrityError) -> ValidationError:
    """The constraint's own message (as a field error where it has one field)."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    for constraint in obj._meta.constraints:
        if constraint.name == name:
            fields = getattr(constraint, "fields", ())
            field = _CONSTRAINT_FIELDS.get(name) or (fields[0] if len(fields) == 1 else None)
            message = constraint.get_violation_error_message()
            return ValidationError({field: message} if field else message)
    return ValidationError(_("Someone else just registered the same record; look it up and "
                             "try again."))


def _save_unique(obj) -> None:
    """Save, turning a lost race on a unique constraint into a clear validation error.

    ``full_clean()`` checks the constraints first, but two clerks can pass that check
    at the same moment: the database then refuses the second insert, and the clerk sees
    the same message as if the check had caught it.
    """
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise _integrity_error(obj, exc) from exc


@transaction.atomic
def broadband_account_open(*, user, subscriber: Subscriber, premises: Premises,
                           plan: BroadbandPlan, accepted_on: date | None = None,
                           registration_serial: str = "") -> BroadbandAccount:
    """A new broadband account in "pending install" (the counter takes the payment)."""
    accepted_on = accepted_on or timezone.localdate()
    if not plan.is_active:
        raise ValidationError({"plan": _("This plan is no longer on sale.")})
    if BroadbandAccount.objects.open().filter(premises=premises).exists():
        raise ValidationError({"premises": _("These premises already have a broadband account.")})
    starts_on = rules.activation_date(accepted_on)
    account = BroadbandAccount(
        subscriber=subscriber, premises=premises, service_point=premises.service_point,
        carrier=plan.carrier, plan=plan, accepted_on=accepted_on, starts_on=starts_on,
        expires_on=term_end(starts_on, plan.months),
        account_name=rules.broadband_account_name(
            premises.service_point.code, premises.building, premises.unit, premises.room
        ),
        password=rules.new_account_password(),
        registration_serial=registration_serial,
    )
    _save_unique(account)
    _record_state(account, "", account.state, user, _("Registered"))
    return account


def _check_landline_number(carrier: Carrier, phone_number: str) -> None:
    if carrier.number_prefix and not phone_number.startswith(carrier.number_prefix):
        raise ValidationError({"phone_number": _(
            "%(carrier)s numbers start with %(prefix)s."
        ) % {"carrier": carrier.name, "prefix": carrier.number_prefix}})


@transaction.atomic
def landline_account_open(*, user, subscriber: Subscriber, premises: Premises,
                          carrier: Carrier, plan: LandlinePlan, phone_number: str,
                          add_ons: list[AddOn] | tuple = (),
                          bundled_with: BroadbandAccount | None = None,
                          accepted_on: date | None = None,
                          registration_serial: str = "") -> LandlineAccount:
    accepted_on = accepted_on or timezone.localdate()
    phone_number = normalize_phone(phone_number)
    _check_landline_number(carrier, phone_number)
    if LandlineAccount.objects.open().filter(phone_number=phone_number).exists():
        raise ValidationError({"phone_number": _("This phone number is already in use.")})
    if bundled_with is not None and bundled_with.premises_id != premises.pk:
        raise ValidationError({"bundled_with": _("Only a broadband account at the same "
                                                 "premises can carry this landline.")})
    account = LandlineAccount(
        subscriber=subscriber, premises=premises, service_point=premises.service_point,
        carrier=carrier, plan=plan, phone_number=phone_number, bundled_with=bundled_with,
        accepted_on=accepted_on, starts_on=rules.activation_date(accepted_on),
        registration_serial=registration_serial,
    )
    _save_unique(account)
    account.add_ons.set(add_ons)
    _record_state(account, "", account.state, user, _("Registered"))
    return account


@transaction.atomic
def account_activate(*, user, account, on: date | None = None, note: str = ""):
    """Installed and signed for: the account goes live (from its activation date)."""
    account = type(account).objects.select_for_update().get(pk=account.pk)
    active = (BroadbandState.ACTIVE if isinstance(account, BroadbandAccount)
              else LandlineState.ACTIVE)
    _move(account, active, user=user, note=note)
    account.starts_on = account.starts_on or on or timezone.localdate()
    if isinstance(account, BroadbandAccount) and account.expires_on is None:
        account.expires_on = term_end(account.starts_on, account.plan.months)
    account.save()
    return account


def _is_broadband_only(account: BroadbandAccount) -> bool:
    return not LandlineAccount.objects.filter(
        premises=account.premises, subscriber=account.subscriber, state__in=OPEN_LANDLINE_STATES
    ).exists()


@transaction.atomic
def broadband_suspend(*, user, account: BroadbandAccount, months: int,
                      today: date | None = None) -> BroadbandAccount:
    """Suspend an annual broadband-only account for 3 or 6 months (客户须知)."""
    today = today or timezone.localdate()
    account = BroadbandAccount.objects.select_for_update().select_related("plan").get(
        pk=account.pk)
    if account.state != BroadbandState.ACTIVE:
        raise TransitionNotAllowed(_("Only an active account can be suspended."))
    if months not in rules.SUSPENSION_BLOCKS_MONTHS:
        raise ValidationError({"months": _("Suspension is in blocks of 3 or 6 months.")})
    if not rules.suspension_allowed(account.plan.term, _is_broadband_only(account), today,
                                    account.expires_on, months):
        raise TransitionNotAllowed(_(
            "Only broadband-only accounts on an annual term with more than 6 months left "
            "can be suspended."
        ))
    _move(account, BroadbandState.SUSPENDED, user=user,
          note=_("Suspended for %(months)d months") % {"months": months})
    account.suspended_months += months
    account.suspended_until = _add_months(today, months)
    account.expires_on = _add_months(account.expires_on, months)
    account.save()
    return account


@transaction.atomic
def broadband_resume_due(*, user=None, today: date | None = None) -> int:
    """Resume suspensions whose months are over (no early resume). Returns how many."""
    today = today or timezone.localdate()
    count = 0
    due = BroadbandAccount.objects.select_for_update().filter(
        state=BroadbandState.SUSPENDED, suspended_until__lte=today)
    for account in due:
        _move(account, BroadbandState.ACTIVE, user=user, note=_("Suspension ended"))
        account.suspended_until = None
        account.save()
        count += 1
    return count


@transaction.atomic
def broadband_expire_due(*, user=None, today: date | None = None) -> int:
    """Cut off active accounts past their expiry date (到期停机). Returns how many."""
    today = today or timezone.localdate()
    due = list(BroadbandAccount.objects.select_for_update().filter(
        state=BroadbandState.ACTIVE, expires_on__lt=today))
    for account in due:
        _move(account, BroadbandState.EXPIRED, user=user, note=_("Term ended"))
        account.save(update_fields=["state"])
    return len(due)


@transaction.atomic
def broadband_renew(*, user, account: BroadbandAccount, plan: BroadbandPlan | None = None,
                    today: date | None = None) -> BroadbandAccount:
    """Extend the term after payment; an expired account reconnects.

    A plan or bandwidth change is allowed only at term end (expired, or the last day).
    """
    today = today or timezone.localdate()
    account = BroadbandAccount.objects.select_for_update().select_related("plan").get(
        pk=account.pk)
    if account.state not in (BroadbandState.ACTIVE, BroadbandState.EXPIRED):
        raise TransitionNotAllowed(_("Only an active or expired account can be renewed."))
    if plan is not None and plan != account.plan:
        if account.expires_on and account.expires_on > today:
            raise ValidationError({"plan": _("The plan can change only at the end of the term "
                                             "(%(date)s).") % {"date": account.expires_on}})
        account.plan = plan
        account.carrier = plan.carrier
    start = max(account.expires_on + timedelta(days=1), today) if account.expires_on else today
    account.expires_on = term_end(start, account.plan.months)
    if account.state == BroadbandState.EXPIRED:
        _move(account, BroadbandState.ACTIVE, user=user, note=_("Renewed"))
    account.save()
    return account


@transaction.atomic
def account_close(*, user, account, reason: str, today: date | None = None):
    """Removal (拆机). An annual or package broadband term cannot end early."""
    today = today or timezone.localdate()
    account = type(account).objects.select_for_update().get(pk=account.pk)
    if (
        isinstance(account, BroadbandAccount)
        and account.plan.term != Term.MONTHLY
        and account.state in (BroadbandState.ACTIVE, BroadbandState.SUSPENDED)
        and account.expires_on and account.expires_on > today
    ):
        raise TransitionNotAllowed(_(
            "An annual or package term cannot be removed before it ends (%(date)s)."
        ) % {"date": account.expires_on})
    closed = BroadbandState.CLOSED if isinstance(account, BroadbandAccount) else \
        LandlineState.CLOSED
    _move(account, closed, user=user, note=reason)
    account.save(update_fields=["state"])
    if isinstance(account, BroadbandAccount):
        # Landlines billed with it fall back to their plan's standard rent.
        for landline in account.bundled_landlines.all():
            landline.bundled_with = None
            landline.save(update_fields=["bundled_with"])
    return account


@transaction.atomic
def landline_set_barred(*, user, account: LandlineAccount, barred: bool,
                        note: str = "") -> LandlineAccount:
    """Bar a landline in arrears (停机), or lift the bar once it is paid up; recorded.

    Called by billing when a balance goes below zero or back above it. A line that is
    already in the wanted state is left as it is.
    """
    account = LandlineAccount.objects.select_for_update().get(pk=account.pk)
    wanted = LandlineState.BARRED if barred else LandlineState.ACTIVE
    if account.state == wanted or (not barred and account.state != LandlineState.BARRED):
        return account
    _move(account, wanted, user=user, note=note)
    account.save(update_fields=["state"])
    return account


@transaction.atomic
def landlines_bar(*, user, ids, note_for) -> int:
    """Bar many active landlines at once (billing, after rating a call file): one UPDATE
    and one recorded state change per line; ``note_for(account)`` says why."""
    accounts = list(LandlineAccount.objects.select_for_update()
                    .filter(pk__in=ids, state=LandlineState.ACTIVE).only("pk", "balance"))
    if not accounts:
        return 0
    LandlineAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(
        state=LandlineState.BARRED)
    AccountStateChange.objects.bulk_create([AccountStateChange(
        landline=account, from_state=LandlineState.ACTIVE, to_state=LandlineState.BARRED,
        by=user, note=note_for(account)[:200]) for account in accounts])
    return len(accounts)


@transaction.atomic
def account_password_change(*, user, account: BroadbandAccount | LandlineAccount,
                            reason: str) -> str:
    """A new password from the rules, logged with the reason. Returns it to show once.

    Works for broadband and landline accounts; a closed account keeps its old one.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the password is changed.")})
    account = type(account).objects.select_for_update().get(pk=account.pk)
    if account.state in (BroadbandState.CLOSED, LandlineState.CLOSED):
        raise TransitionNotAllowed(_("A closed account's password cannot be changed."))
    account.password = rules.new_account_password()
    account.save(update_fields=["password"])
    SensitiveAccess.objects.create(
        subscriber_id=account.subscriber_id, by=user, reason=reason[:200],
        action=SensitiveAccess.Action.CHANGE_PASSWORD, target=str(account),
    )
    return account.password


def service_of(account) -> str:
    return Service.BROADBAND if isinstance(account, BroadbandAccount) else Service.LANDLINE


@transaction.atomic
def retention_call_mark(*, user, account, outcome: str = "reached", note: str = "",
                        today: date | None = None):
    """Mark a retention call (挽留) on a broadband account about its current expiry, or on
    a landline about this month's low balance. Idempotent: a second mark for the same
    account and period returns the first one unchanged (also when two clerks click at once:
    the unique index decides, the loser reads the winner's row)."""
    from accounts.models import RetentionCall, RetentionOutcome
    from accounts.reports import landline_period

    today = today or timezone.localdate()
    if outcome not in RetentionOutcome.values:
        raise ValidationError({"outcome": _("Choose how the call went.")})
    if isinstance(account, BroadbandAccount):
        if account.expires_on is None:
            raise ValidationError(_("This account has no expiry date to call about."))
        lookup = {"broadband": account, "period": account.expires_on}
    else:
        lookup = {"landline": account, "period": landline_period(today)}
    existing = RetentionCall.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    call = RetentionCall(**lookup, service_point_id=account.service_point_id, outcome=outcome,
                         note=(note or "").replace("\x00", "").strip()[:200], called_by=user)
    call.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        return RetentionCall.objects.get(**lookup)
    return call
