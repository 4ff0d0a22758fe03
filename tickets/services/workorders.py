"""Every write of the counter's work orders (HackSoft-style services).

``install_order_open`` is the clerk's main transaction (handbook §4.1.1 受理业务): the
subscriber (found or registered), the premises, the registration serial(s), the account(s)
in "pending install", the payment and its receipt (billing), the landline prepayment, and
the work order, all in ONE database transaction: any failure leaves nothing behind, and
the receipt number and serials go back to their counters.

Then the paper flow: dispatch to a project manager / installer (下发工单), the
customer-signed return (回单, which activates the accounts), the callback (回访), the
report back to the carrier for carrier orders, and archiving (整理归档), along
``WORKORDER_TRANSITIONS`` with a status-change row per move.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules as account_rules
from accounts import services as accounts_services
from accounts.choices import (
    OPEN_BROADBAND_STATES,
    OPEN_LANDLINE_STATES,
    BroadbandState,
    LandlineState,
    Service,
    Term,
)
from accounts.models import (
    AddOn,
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    Fee,
    LandlineAccount,
    LandlinePlan,
    Premises,
    Subscriber,
)
from billing import rules as billing_rules
from billing import services as billing
from billing.choices import ReceiptPurpose
from billing.services import Line, lines_total, money
from servicedesk.idempotency import replayed
from servicedesk.models import ServicePoint, User
from servicedesk.roles import Role
from tickets.models.workorders import (
    CallbackResult,
    CarrierOrderBatch,
    Dispatch,
    DispatchLine,
    WorkOrder,
    WorkOrderCallback,
    WorkOrderKind,
    WorkOrderSatisfaction,
    WorkOrderSource,
    WorkOrderState,
    WorkOrderStatusChange,
)

S = WorkOrderState
# Allowed moves (STYLE: explicit transition maps). Anything else is refused.
WORKORDER_TRANSITIONS: dict[str, set[str]] = {
    S.ACCEPTED: {S.DISPATCHED, S.CANCELLED},
    S.DISPATCHED: {S.RETURNED, S.ACCEPTED, S.CANCELLED},  # ACCEPTED: recalled from the installer
    S.RETURNED: {S.CALLED_BACK, S.ACCEPTED},  # ACCEPTED: callback found it not working
    S.CALLED_BACK: {S.REPORTED, S.ARCHIVED},
    S.REPORTED: {S.ARCHIVED},
    S.ARCHIVED: set(),
    S.CANCELLED: set(),
}

MAX_POINTS = 20
MAX_TRANSACTION_SECONDS = 24 * 3600
UNICOM = "unicom"


class TransitionNotAllowed(ValidationError):
    """A work order move the transition map (or a handbook rule) forbids."""


def install_time_limit() -> timedelta:
    """How long an installer has to bring the signed slip back (装机时限), a setting."""
    return timedelta(days=getattr(settings, "INSTALL_TIME_LIMIT_DAYS", 7))


def _local(now: datetime | None) -> datetime:
    return timezone.localtime(now or timezone.now())


def _can_work_at(user, service_point_id) -> bool:
    return not user.service_point_id or user.service_point_id == service_point_id


def _record(order: WorkOrder, from_state: str, to_state: str, user, note: str = "",
            at: datetime | None = None) -> WorkOrderStatusChange:
    return WorkOrderStatusChange.objects.create(order=order, from_state=from_state,
                                                to_state=to_state, by=user, note=note[:300],
                                                at=at or timezone.now())


def _move(order: WorkOrder, to_state: str, *, user, note: str = "",
          at: datetime | None = None) -> None:
    """Change the state along the map and write the status-change row (caller saves)."""
    if to_state not in WORKORDER_TRANSITIONS[order.state]:
        raise TransitionNotAllowed(
            _("An order that is %(from)s cannot become %(to)s.")
            % {"from": WorkOrderState(order.state).label, "to": WorkOrderState(to_state).label}
        )
    from_state = order.state
    order.state = to_state
    _record(order, from_state, to_state, user, note, at)


def _locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=order.pk)


def _points(value, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise ValidationError({field_name: _("From 0 to %(max)d points.") % {"max": MAX_POINTS}})
    return value


def _transaction_seconds(opened_at: datetime | None, moment: datetime) -> int | None:
    if opened_at is None or opened_at > moment:
        return None
    return min(int((moment - opened_at).total_seconds()), MAX_TRANSACTION_SECONDS)


# --- the fee lines of an install order ----------------------------------------------------


@dataclass
class InstallQuote:
    """What the customer pays and gets, computed from the rules (shown while typing)."""

    accepted_on: date
    activation_date: date
    lines: list[Line] = field(default_factory=list)
    account_name: str = ""
    expires_on: date | None = None
    first_month: Decimal = Decimal("0.00")
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return lines_total(self.lines)

    @property
    def total_in_words(self) -> str:
        return billing_rules.amount_in_words(self.total)


def router_setup_fee() -> Fee:
    fee = Fee.objects.filter(code="router_setup", is_active=True).first()
    if fee is None:
        raise ValidationError({"router_setup": _("The router setup fee is not set up: ask a "
                                                 "manager (Fees, code router_setup).")})
    return fee


def extra_points_line(broadband_points: int, landline_points: int) -> Line | None:
    extra = (max(0, broadband_points - billing_rules.FREE_POINTS_PER_SERVICE)
             + max(0, landline_points - billing_rules.FREE_POINTS_PER_SERVICE))
    if not extra:
        return None
    fee = billing_rules.extra_points_fee(broadband_points, landline_points)
    return Line(_("Extra information points (2 broadband and 2 landline free)"),
                (fee / extra).quantize(Decimal("0.01")), quantity=extra, code="extra_points")


def install_order_quote(*, service_point: ServicePoint, accepted_on: date,
                        broadband_plan: BroadbandPlan | None = None,
                        landline_carrier: Carrier | None = None, phone_number: str = "",
                        prepaid_credit: Decimal = Decimal("0"), broadband_points: int = 0,
                        landline_points: int = 0, router_setup: bool = False,
                        building: int | None = None, unit: int | None = None,
                        room: int | None = None) -> InstallQuote:
    """The fee lines and the total of an install order, from billing.rules and the tariff
    data: the same function serves the live quote and ``install_order_open``."""
    start = account_rules.activation_date(accepted_on)
    quote = InstallQuote(accepted_on=accepted_on, activation_date=start)
    if broadband_plan is not None:
        quote.expires_on = accounts_services.term_end(start, broadband_plan.months)
        quote.lines.append(Line(
            _("Broadband %(plan)s, %(start)s to %(end)s") % {
                "plan": broadband_plan.name, "start": f"{start:%Y-%m-%d}",
                "end": f"{quote.expires_on:%Y-%m-%d}"},
            broadband_plan.price, code="broadband"))
        if None not in (building, unit, room):
            try:
                quote.account_name = account_rules.broadband_account_name(
                    service_point.code, building, unit, room)
            except ValueError:
                quote.problems.append(_("Building 1-99, unit 1-9, room 1-9999."))
    if landline_carrier is not None:
        number = phone_number or _("(number)")
        if landline_carrier.code == UNICOM:
            quote.first_month = billing_rules.unicom_first_month_charge(accepted_on)
            half = quote.first_month < billing_rules.UNICOM_FULL_MONTH
            quote.lines.append(Line(
                (_("Unicom line %(number)s: first month's rent and caller ID, half month "
                   "(accepted on or after the 15th)") if half else
                 _("Unicom line %(number)s: first month's rent and caller ID"))
                % {"number": number},
                quote.first_month, code="first_month"))
        if prepaid_credit and prepaid_credit > 0:
            quote.lines.append(Line(_("Landline call credit %(number)s") % {"number": number},
                                    prepaid_credit, code="prepaid"))
    points = extra_points_line(broadband_points if broadband_plan else 0,
                               landline_points if landline_carrier else 0)
    if points is not None:
        quote.lines.append(points)
    if router_setup:
        fee = router_setup_fee()
        quote.lines.append(Line(fee.name, fee.amount, code="router_setup"))
    return quote


def _install_description(broadband: BroadbandAccount | None,
                         landline: LandlineAccount | None, quote: InstallQuote,
                         router_setup: bool) -> str:
    parts = []
    if broadband is not None:
        parts.append(_("Broadband %(plan)s (%(account)s)") % {"plan": broadband.plan.name,
                                                                 "account": broadband.account_name})
    if landline is not None:
        parts.append(_("Landline %(number)s (%(carrier)s)") % {"number": landline.phone_number,
                                                                  "carrier": landline.carrier})
    extra = next((line for line in quote.lines if line.code == "extra_points"), None)
    if extra is not None:
        parts.append(_("%(n)d extra point(s)") % {"n": extra.quantity})
    if router_setup:
        parts.append(_("router setup"))
    return " + ".join(parts)[:200]


# --- the install order --------------------------------------------------------------------


@transaction.atomic
def install_order_open(
    *, user, service_point: ServicePoint, building: int, unit: int, room: int,
    payment_method: str, subscriber: Subscriber | None = None,
    new_subscriber: dict | None = None, broadband_plan: BroadbandPlan | None = None,
    landline_carrier: Carrier | None = None, landline_plan: LandlinePlan | None = None,
    phone_number: str = "", add_ons: list[AddOn] | tuple = (),
    prepaid_credit: Decimal = Decimal("0"), broadband_points: int = 1,
    landline_points: int = 0, router_setup: bool = False, payment_reference: str = "",
    note: str = "", opened_at: datetime | None = None,
    idempotency_key: uuid.UUID | None = None, now: datetime | None = None,
) -> WorkOrder:
    """Open an install order at the counter, payment and receipt included, in one go.

    ``subscriber`` (already registered) or ``new_subscriber`` (the fields of
    ``accounts.services.subscriber_create``: kind, name, id_number, intro_letter_ref,
    mobile, phone). A re-posted form (same ``idempotency_key``) returns the first order.
    """
    done = replayed(WorkOrder, idempotency_key)
    if done is not None:
        return done
    moment = _local(now)
    today = moment.date()
    if not _can_work_at(user, service_point.pk):
        raise ValidationError(_("You can accept orders only at your own service point."))
    if broadband_plan is None and landline_carrier is None:
        raise ValidationError(_("Choose broadband, a landline, or both."))
    if (subscriber is None) == (new_subscriber is None):
        raise ValidationError(_("Choose a registered subscriber or enter a new one."))
    if broadband_plan is not None:
        if not broadband_plan.is_active:
            raise ValidationError({"broadband_plan": _("This plan is no longer on sale.")})
        if broadband_plan.term == Term.PACKAGE and landline_carrier is None:
            raise ValidationError({"landline_carrier": _(
                "%(plan)s is a broadband and landline package: add the landline."
            ) % {"plan": broadband_plan.name}})
    credit = Decimal("0.00")
    if landline_carrier is not None:
        if not (phone_number or "").strip():
            raise ValidationError({"phone_number": _("Enter the landline number to assign.")})
        if landline_plan is None:
            landline_plan = LandlinePlan.objects.filter(is_default=True).first()
            if landline_plan is None:
                raise ValidationError({"landline_plan": _("Choose a billing plan.")})
        credit = money(prepaid_credit or 0, field="prepaid_credit",
                       maximum=billing.MAX_TOP_UP, allow_zero=True)
        if landline_carrier.prepaid_only and credit <= 0:
            raise ValidationError({"prepaid_credit": _(
                "%(carrier)s lines are prepaid: take some call credit."
            ) % {"carrier": landline_carrier.name}})
        if broadband_plan is None and credit <= 0:
            raise ValidationError({"prepaid_credit": _(
                "A landline on its own starts with some call credit."
            )})
    broadband_points = _points(broadband_points, "broadband_points")
    landline_points = _points(landline_points, "landline_points")

    if subscriber is None:
        subscriber = accounts_services.subscriber_create(
            user=user, service_point=service_point, building=building, unit=unit, room=room,
            **new_subscriber)
    premises = accounts_services.premises_get_or_create(
        service_point=service_point, building=building, unit=unit, room=room)
    quote = install_order_quote(
        service_point=service_point, accepted_on=today, broadband_plan=broadband_plan,
        landline_carrier=landline_carrier, phone_number=phone_number, prepaid_credit=credit,
        broadband_points=broadband_points, landline_points=landline_points,
        router_setup=router_setup, building=building, unit=unit, room=room)

    serials = []
    broadband = landline = None
    if broadband_plan is not None:
        serials.append(accounts_services.next_registration_serial(
            service=Service.BROADBAND, service_point=service_point, day=today))
        broadband = accounts_services.broadband_account_open(
            user=user, subscriber=subscriber, premises=premises, plan=broadband_plan,
            accepted_on=today, registration_serial=serials[-1])
    if landline_carrier is not None:
        serials.append(accounts_services.next_registration_serial(
            service=Service.LANDLINE, service_point=service_point, day=today))
        bundle = broadband if broadband and broadband.carrier_id == landline_carrier.pk else None
        landline = accounts_services.landline_account_open(
            user=user, subscriber=subscriber, premises=premises, carrier=landline_carrier,
            plan=landline_plan, phone_number=phone_number, add_ons=list(add_ons),
            bundled_with=bundle, accepted_on=today, registration_serial=serials[-1])

    receipt = billing.receipt_issue(
        user=user, service_point=service_point, lines=quote.lines,
        payment_method=payment_method, payment_reference=payment_reference,
        payer_name=subscriber.name, subscriber=subscriber, purpose=ReceiptPurpose.INSTALL,
        reference=" ".join(serials), now=moment)
    if landline is not None:
        billing.landline_prepayment_record(user=user, account=landline, credit=credit,
                                           first_month=quote.first_month, receipt=receipt,
                                           now=moment)
    order = WorkOrder(
        kind=WorkOrderKind.INSTALL, source=WorkOrderSource.COUNTER, service_point=service_point,
        subscriber=subscriber, customer_name=subscriber.name,
        contact_phone=subscriber.mobile or subscriber.phone, premises=premises,
        description=_install_description(broadband, landline, quote, router_setup),
        broadband=broadband, landline=landline,
        carrier=broadband.carrier if broadband else landline.carrier, receipt=receipt,
        registration_serials=" ".join(serials),
        broadband_points=broadband_points if broadband else 0,
        landline_points=landline_points if landline else 0, router_setup=router_setup,
        note=(note or "").strip()[:200], accepted_at=moment, accepted_by=user,
        opened_at=opened_at, transaction_seconds=_transaction_seconds(opened_at, moment),
        idempotency_key=idempotency_key,
    )
    order.save()
    _record(order, "", order.state, user, _("Accepted at the counter, receipt %(receipt)s")
            % {"receipt": receipt.number_display}, at=moment)
    return order


# --- other counter work with a visit: move, extra points, router setup, removal -----------


def account_service_point(account) -> ServicePoint:
    return account.premises.service_point


@transaction.atomic
def counter_order_open(
    *, user, kind: str, account: BroadbandAccount | LandlineAccount,
    payment_method: str = "cash", payment_reference: str = "",
    to_service_point: ServicePoint | None = None, to_building: int | None = None,
    to_unit: int | None = None, to_room: int | None = None, broadband_points: int = 0,
    landline_points: int = 0, reason: str = "", note: str = "",
    opened_at: datetime | None = None, idempotency_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """A move (移机), extra points (加装信息点), router setup (路由器调试) or removal (拆机):
    the fee from the rules, its receipt, and a work order for the visit."""
    done = replayed(WorkOrder, idempotency_key)
    if done is not None:
        return done
    moment = _local(now)
    account = type(account).objects.select_related(
        "subscriber", "premises__service_point", "carrier").get(pk=account.pk)
    point = account.premises.service_point
    if not _can_work_at(user, point.pk):
        raise ValidationError(_("You can accept orders only at your own service point."))
    open_states = (OPEN_BROADBAND_STATES if isinstance(account, BroadbandAccount)
                   else OPEN_LANDLINE_STATES)
    if account.state not in open_states:
        raise ValidationError({"account": _("This account is closed.")})
    service = accounts_services.service_of(account)
    lines: list[Line] = []
    to_premises = None
    purpose = None
    if kind == WorkOrderKind.MOVE:
        target = to_service_point or point
        try:
            fee = billing_rules.move_fee(service, target.pk == point.pk)
        except ValueError:
            raise ValidationError({"to_service_point": _(
                "Moves are only possible within the same compound: %(point)s."
            ) % {"point": point}}) from None
        if None in (to_building, to_unit, to_room):
            raise ValidationError({"to_building": _("Enter the new building, unit and room.")})
        to_premises = accounts_services.premises_get_or_create(
            service_point=point, building=to_building, unit=to_unit, room=to_room)
        if to_premises.pk == account.premises_id:
            raise ValidationError({"to_building": _("That is where the line already is.")})
        model = type(account)
        if model.objects.open().filter(premises=to_premises).exclude(pk=account.pk).filter(
                **({} if isinstance(account, BroadbandAccount)
                   else {"carrier": account.carrier})).exists():
            raise ValidationError({"to_building": _("The new premises already have such a "
                                                    "line.")})
        lines.append(Line(_("Move %(line)s from %(from)s to %(to)s") % {
            "line": account, "from": account.premises.label, "to": to_premises.label},
            fee, code="move"))
        purpose = ReceiptPurpose.MOVE
        description = _("Move %(line)s to %(to)s") % {"line": account, "to": to_premises.label}
    elif kind == WorkOrderKind.EXTRA_POINTS:
        broadband_points = _points(broadband_points, "broadband_points")
        landline_points = _points(landline_points, "landline_points")
        line = extra_points_line(broadband_points, landline_points)
        if line is None:
            raise ValidationError({"broadband_points": _(
                "2 broadband and 2 landline points are free: there is nothing to pay."
            )})
        lines.append(line)
        purpose = ReceiptPurpose.EXTRA_POINTS
        description = _("Information points: %(bb)d broadband, %(ll)d landline") % {
            "bb": broadband_points, "ll": landline_points}
    elif kind == WorkOrderKind.ROUTER_SETUP:
        fee = router_setup_fee()
        lines.append(Line(fee.name, fee.amount, code="router_setup"))
        purpose = ReceiptPurpose.ROUTER_SETUP
        description = _("Router setup for %(line)s") % {"line": account}
    elif kind == WorkOrderKind.REMOVAL:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Say why the line is removed.")})
        accounts_services.account_close(user=user, account=account, reason=reason,
                                        today=moment.date())
        description = _("Remove %(line)s") % {"line": account}
    else:
        raise ValidationError(_("Unknown kind of work order."))

    receipt = None
    if lines:
        receipt = billing.receipt_issue(
            user=user, service_point=point, lines=lines, payment_method=payment_method,
            payment_reference=payment_reference, payer_name=account.subscriber.name,
            subscriber=account.subscriber, purpose=purpose,
            reference=f"{account.registration_serial} {account}".strip(), now=moment)
    order = WorkOrder(
        kind=kind, source=WorkOrderSource.COUNTER, service_point=point,
        subscriber=account.subscriber, customer_name=account.subscriber.name,
        contact_phone=account.subscriber.mobile or account.subscriber.phone,
        premises=account.premises, to_premises=to_premises, description=description[:200],
        broadband=account if isinstance(account, BroadbandAccount) else None,
        landline=account if isinstance(account, LandlineAccount) else None,
        carrier=account.carrier, receipt=receipt,
        registration_serials=account.registration_serial,
        broadband_points=broadband_points if kind == WorkOrderKind.EXTRA_POINTS else 0,
        landline_points=landline_points if kind == WorkOrderKind.EXTRA_POINTS else 0,
        router_setup=kind == WorkOrderKind.ROUTER_SETUP,
        note=((reason + " " if kind == WorkOrderKind.REMOVAL else "") + (note or "")).strip()[
            :200],
        accepted_at=moment, accepted_by=user, opened_at=opened_at,
        transaction_seconds=_transaction_seconds(opened_at, moment),
        idempotency_key=idempotency_key,
    )
    order.save()
    _record(order, "", order.state, user, _("Accepted at the counter"), at=moment)
    return order


# --- carrier orders (电信工单 by fax) ---------------------------------------------------------


CARRIER_SERVICES = {"broadband": Service.BROADBAND.label, "landline": Service.LANDLINE.label}


@transaction.atomic
def carrier_batch_register(*, user, service_point: ServicePoint, carrier: Carrier,
                           orders: list[dict], fax_ref: str = "", note: str = "",
                           now: datetime | None = None) -> CarrierOrderBatch:
    """Register the orders of a carrier's fax (收到传真后整理单子核实信息).

    Each order: customer_name, contact_phone, building, unit, room, services (a list of
    "broadband" / "landline"), carrier_ref, carrier_account, note.
    """
    moment = _local(now)
    if not _can_work_at(user, service_point.pk):
        raise ValidationError(_("You can register orders only at your own service point."))
    if carrier.is_own:
        raise ValidationError({"carrier": _("Carrier orders come from Telecom or Unicom.")})
    if not orders:
        raise ValidationError(_("Enter at least one order of the fax."))
    batch = CarrierOrderBatch.objects.create(
        service_point=service_point, carrier=carrier, fax_ref=(fax_ref or "").strip()[:40],
        received_at=moment, received_by=user, order_count=len(orders),
        note=(note or "").strip()[:200])
    for index, data in enumerate(orders, start=1):
        name = (data.get("customer_name") or "").strip()
        services = [s for s in data.get("services") or [] if s in CARRIER_SERVICES]
        if not name or not services:
            raise ValidationError(_("Order %(n)d: the customer's name and the service are "
                                    "required.") % {"n": index})
        try:
            premises = accounts_services.premises_get_or_create(
                service_point=service_point, building=data.get("building"),
                unit=data.get("unit"), room=data.get("room"))
        except ValidationError:
            raise ValidationError(_("Order %(n)d: building 1-99, unit 1-9, room 1-9999.")
                                  % {"n": index}) from None
        order = WorkOrder.objects.create(
            kind=WorkOrderKind.INSTALL, source=WorkOrderSource.CARRIER,
            service_point=service_point, customer_name=name[:60],
            contact_phone=(data.get("contact_phone") or "").strip()[:20], premises=premises,
            description=_("%(carrier)s: new %(services)s") % {
                "carrier": carrier.name,
                "services": _(" and ").join(str(CARRIER_SERVICES[s]) for s in services)},
            carrier=carrier, carrier_ref=(data.get("carrier_ref") or "").strip()[:40],
            carrier_account=(data.get("carrier_account") or "").strip()[:40], batch=batch,
            note=(data.get("note") or "").strip()[:200], accepted_at=moment, accepted_by=user)
        _record(order, "", order.state, user, _("Received by fax"), at=moment)
    return batch


@transaction.atomic
def carrier_batch_acknowledge(*, user, batch: CarrierOrderBatch,
                              now: datetime | None = None) -> CarrierOrderBatch:
    """The acknowledgement (how many orders received) went back to the carrier by fax."""
    batch = CarrierOrderBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.acknowledged_at is not None:
        raise ValidationError(_("This fax was already acknowledged."))
    batch.acknowledged_at, batch.acknowledged_by = now or timezone.now(), user
    batch.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return batch


# --- dispatch (下发工单) ----------------------------------------------------------------------


def installers_for(service_point_id=None):
    """Active staff with the installer role, those of ``service_point_id`` first."""
    from django.db.models import Case, IntegerField, Value, When

    return (User.objects.filter(is_active=True, groups__name=Role.INSTALLER)
            .annotate(here=Case(When(service_point_id=service_point_id, then=Value(0)),
                                default=Value(1), output_field=IntegerField()))
            .order_by("here", "full_name"))


@transaction.atomic
def workorders_dispatch(*, user, orders: list[WorkOrder], installer: User | None = None,
                        installer_name: str = "", note: str = "",
                        now: datetime | None = None) -> Dispatch:
    """Hand orders to a project manager / installer: one dispatch log (发单登记表), the
    orders become "dispatched", due back within the install time limit."""
    moment = _local(now)
    installer_name = (installer_name or "").strip()[:40]
    if installer is None and not installer_name:
        raise ValidationError({"installer": _("Choose the installer or type a name.")})
    if installer is not None and installer.role != Role.INSTALLER:
        raise ValidationError({"installer": _("%(user)s is not an installer.")
                               % {"user": installer}})
    ids = sorted({order.pk for order in orders})
    if not ids:
        raise ValidationError(_("Select the orders to dispatch."))
    locked = list(WorkOrder.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise ValidationError(_("Some of the selected orders no longer exist."))
    points = {order.service_point_id for order in locked}
    if len(points) != 1:
        raise ValidationError(_("A dispatch log is for one service point: select orders of "
                                "one compound."))
    point_id = points.pop()
    if not _can_work_at(user, point_id):
        raise ValidationError(_("You can dispatch only your own service point's orders."))
    not_ready = [order.number for order in locked if order.state != S.ACCEPTED]
    if not_ready:
        raise TransitionNotAllowed(_("Only accepted orders can be dispatched: %(orders)s.")
                                   % {"orders": ", ".join(not_ready)})
    due = moment + install_time_limit()
    dispatch = Dispatch.objects.create(service_point_id=point_id, dispatched_at=moment,
                                       dispatched_by=user, installer=installer,
                                       installer_name="" if installer else installer_name,
                                       due_at=due, note=(note or "").strip()[:200])
    DispatchLine.objects.bulk_create([
        DispatchLine(dispatch=dispatch, order=order, position=position)
        for position, order in enumerate(locked, start=1)])
    who = installer.full_name if installer else installer_name
    changes = []
    for order in locked:
        changes.append(WorkOrderStatusChange(
            order=order, from_state=order.state, to_state=S.DISPATCHED, by=user, at=moment,
            note=_("To %(who)s (%(dispatch)s)") % {"who": who, "dispatch": dispatch.number}))
        order.state = S.DISPATCHED
        order.installer, order.installer_name = installer, "" if installer else installer_name
        order.dispatched_at, order.due_at = moment, due
    WorkOrder.objects.bulk_update(locked, ["state", "installer", "installer_name",
                                           "dispatched_at", "due_at"])
    WorkOrderStatusChange.objects.bulk_create(changes)
    return dispatch


@transaction.atomic
def workorder_recall(*, user, order: WorkOrder, note: str = "",
                     now: datetime | None = None) -> WorkOrder:
    """Take a dispatched order back from the installer (to dispatch it to someone else)."""
    order = _locked(order)
    if not _can_work_at(user, order.service_point_id):
        raise ValidationError(_("This order belongs to another service point."))
    _move(order, S.ACCEPTED, user=user, note=note or _("Recalled from the installer"), at=now)
    order.save(update_fields=["state"])
    return order


# --- return (回单), callback (回访), carrier report, archive ----------------------------------


@transaction.atomic
def workorder_return(*, user, order: WorkOrder, installed_on: date | None = None,
                     note: str = "", now: datetime | None = None) -> WorkOrder:
    """The customer-signed slip is back: record who received it and when, the work is done,
    and the order's pending accounts go live from their activation date."""
    moment = _local(now)
    order = _locked(order)
    if not _can_work_at(user, order.service_point_id):
        raise ValidationError(_("This order belongs to another service point."))
    installed_on = installed_on or moment.date()
    if installed_on > moment.date():
        raise ValidationError({"installed_on": _("The work cannot be done in the future.")})
    if installed_on < timezone.localtime(order.accepted_at).date():
        raise ValidationError({"installed_on": _("The work cannot be done before the order "
                                                 "was accepted.")})
    _move(order, S.RETURNED, user=user, at=moment,
          note=note or _("Signed slip received from %(who)s") % {"who": order.installer_label})
    order.slip_received_at, order.slip_received_by = moment, user
    order.installed_on = installed_on
    order.save(update_fields=["state", "slip_received_at", "slip_received_by", "installed_on"])
    if order.kind == WorkOrderKind.INSTALL:
        for account in (order.broadband, order.landline):
            if account is not None and account.state in (BroadbandState.PENDING,
                                                          LandlineState.PENDING):
                accounts_services.account_activate(
                    user=user, account=account,
                    note=_("Installed; slip %(order)s signed") % {"order": order.number})
    return order


@transaction.atomic
def workorder_callback_record(*, user, order: WorkOrder, result: str, satisfaction: str = "",
                              note: str = "", now: datetime | None = None) -> WorkOrderCallback:
    """Record a callback (回访) of a returned order: confirmed (with the satisfaction),
    not reached (try again later), or a problem (the order goes back to dispatch)."""
    moment = _local(now)
    order = _locked(order)
    if not _can_work_at(user, order.service_point_id):
        raise ValidationError(_("This order belongs to another service point."))
    if order.state != S.RETURNED:
        raise TransitionNotAllowed(_("A callback follows the signed return: this order is "
                                     "%(state)s.") % {"state": WorkOrderState(order.state).label})
    if result not in CallbackResult.values:
        raise ValidationError({"result": _("Choose the result of the call.")})
    if result == CallbackResult.CONFIRMED:
        if satisfaction not in WorkOrderSatisfaction.values:
            raise ValidationError({"satisfaction": _("Ask how satisfied the customer is.")})
    else:
        satisfaction = ""
    note = (note or "").strip()[:300]
    if result == CallbackResult.PROBLEM and not note:
        raise ValidationError({"note": _("Write down what is not working.")})
    callback = WorkOrderCallback.objects.create(order=order, at=moment, by=user, result=result,
                                                satisfaction=satisfaction, note=note)
    if result == CallbackResult.CONFIRMED:
        _move(order, S.CALLED_BACK, user=user, at=moment,
              note=f"{WorkOrderSatisfaction(satisfaction).label} {note}".strip())
        order.called_back_at, order.satisfaction = moment, satisfaction
        order.save(update_fields=["state", "called_back_at", "satisfaction"])
    elif result == CallbackResult.PROBLEM:
        _move(order, S.ACCEPTED, user=user, at=moment,
              note=_("Callback: not working, dispatch again. %(note)s") % {"note": note})
        order.save(update_fields=["state"])
    return callback


@transaction.atomic
def workorder_report_to_carrier(*, user, order: WorkOrder, note: str = "",
                                now: datetime | None = None) -> WorkOrder:
    """Carrier orders: completion faxed back to the carrier (给电信发传真回单)."""
    moment = _local(now)
    order = _locked(order)
    if order.source != WorkOrderSource.CARRIER:
        raise ValidationError(_("Only carrier orders are reported back to the carrier."))
    _move(order, S.REPORTED, user=user, at=moment, note=note or _("Completion faxed back"))
    order.reported_at = moment
    order.save(update_fields=["state", "reported_at"])
    return order


@transaction.atomic
def workorder_archive(*, user, order: WorkOrder, now: datetime | None = None) -> WorkOrder:
    """File the order (整理归档): only with the customer-signed slip and a callback, and for
    carrier orders once completion was reported back."""
    moment = _local(now)
    order = _locked(order)
    if not _can_work_at(user, order.service_point_id):
        raise ValidationError(_("This order belongs to another service point."))
    if order.slip_received_at is None:
        raise TransitionNotAllowed(_("The customer-signed slip has not come back yet."))
    if order.called_back_at is None:
        raise TransitionNotAllowed(_("The customer has not been called back yet."))
    if order.source == WorkOrderSource.CARRIER and order.reported_at is None:
        raise TransitionNotAllowed(_("Report the completion to the carrier first."))
    _move(order, S.ARCHIVED, user=user, at=moment)
    order.archived_at = moment
    order.save(update_fields=["state", "archived_at"])
    return order


@transaction.atomic
def workorder_cancel(*, user, order: WorkOrder, reason: str,
                     now: datetime | None = None) -> WorkOrder:
    """A manager cancels an order not yet done; its pending accounts are closed. Its receipt
    stays as it is (payment is not refundable; a mistaken one is voided separately)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    order = _locked(order)
    _move(order, S.CANCELLED, user=user, note=reason, at=now)
    order.save(update_fields=["state"])
    for account in (order.broadband, order.landline):
        if account is not None and account.state in (BroadbandState.PENDING,
                                                      LandlineState.PENDING):
            accounts_services.account_close(user=user, account=account,
                                            reason=_("Order %(order)s cancelled: %(reason)s")
                                            % {"order": order.number, "reason": reason})
    return order


def premises_label(premises: Premises) -> str:
    return f"{premises.service_point.name} {premises.label}"
