"""Work orders of the counter (营业员): install orders and the other visits to a customer's
premises, their dispatch to a project manager / installer (下发工单), the customer-signed
return (回单), the callback (回访) and archiving (整理归档).

Handbook 001 §4.1 (受理业务 / 下发工单 / 回单操作流程) and DOMAIN.md §3. States change only
through ``tickets.services.workorders`` along ``WORKORDER_TRANSITIONS``; every move writes
a ``WorkOrderStatusChange`` row with who, when and a note.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.audit import audited
from servicedesk.querysets import RestrictedQuerySet
from servicedesk.roles import Role

__all__ = [
    "WorkOrderKind", "WorkOrderSource", "WorkOrderState", "CallbackResult",
    "WorkOrderSatisfaction", "OPEN_WORKORDER_STATES",
    "CarrierOrderBatch", "WorkOrder", "WorkOrderStatusChange", "WorkOrderCallback",
    "Dispatch", "DispatchLine",
]


class WorkOrderKind(models.TextChoices):
    INSTALL = "install", _("New installation")
    MOVE = "move", _("Move within the compound")
    EXTRA_POINTS = "extra_points", _("Extra information points")
    ROUTER_SETUP = "router_setup", _("Router setup")
    REMOVAL = "removal", _("Removal")


class WorkOrderSource(models.TextChoices):
    COUNTER = "counter", _("Counter")
    CARRIER = "carrier", _("Carrier order (fax)")


class WorkOrderState(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned signed")
    CALLED_BACK = "called_back", _("Called back")
    REPORTED = "reported", _("Reported to carrier")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_WORKORDER_STATES = [WorkOrderState.ACCEPTED, WorkOrderState.DISPATCHED,
                         WorkOrderState.RETURNED, WorkOrderState.CALLED_BACK,
                         WorkOrderState.REPORTED]


class CallbackResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Reached: installed and working")
    NOT_REACHED = "not_reached", _("Not reached")
    PROBLEM = "problem", _("Reached: not working, send the installer again")


class WorkOrderSatisfaction(models.TextChoices):
    """The same values as the call desk's callbacks, so reports can add them up."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


def _user_fk(verbose_name, *, null=True, related_name="+"):
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name,
                             on_delete=models.PROTECT, null=null, blank=null,
                             related_name=related_name)


def _is_installer(user) -> bool:
    return getattr(user, "role", None) == Role.INSTALLER


@audited()
class CarrierOrderBatch(models.Model):
    """Carrier orders received together by fax (电信工单), acknowledged with their count."""

    service_point = models.ForeignKey("servicedesk.ServicePoint", verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    carrier = models.ForeignKey("accounts.Carrier", verbose_name=_("carrier"),
                                on_delete=models.PROTECT, related_name="+")
    fax_ref = models.CharField(_("fax reference"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = _user_fk(_("received by"), null=False)
    order_count = models.PositiveSmallIntegerField(_("orders"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = _user_fk(_("acknowledged by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("carrier order batch")
        verbose_name_plural = _("carrier order batches")
        indexes = [
            models.Index(fields=["service_point", "-received_at"], name="wobatch_sp"),
            models.Index(fields=["-received_at"], name="wobatch_received"),
        ]

    def __str__(self) -> str:
        return _("%(carrier)s fax of %(when)s") % {
            "carrier": self.carrier, "when": f"{timezone.localtime(self.received_at):%m-%d %H:%M}"}

    def get_absolute_url(self) -> str:
        return reverse("tickets:carrierbatch_detail", args=[self.pk])


def order_overdue(now) -> Q:
    """Dispatched and not returned within the install time limit at ``now``: the one
    definition the clerk's home, the reports and the order list's filter count with."""
    return Q(state=WorkOrderState.DISPATCHED, due_at__lt=now)


class WorkOrderQuerySet(RestrictedQuerySet):
    def restrict(self, user):
        # Installers see the work dispatched to them, at whichever compound it is.
        if user is not None and user.is_authenticated and _is_installer(user):
            return self.filter(installer=user)
        return super().restrict(user)

    def open(self):
        return self.filter(state__in=OPEN_WORKORDER_STATES)

    def overdue(self, now=None):
        """Dispatched and not returned within the install time limit."""
        return self.filter(order_overdue(now or timezone.now()))


@audited()
class WorkOrder(models.Model):
    kind = models.CharField(_("kind"), max_length=14, choices=WorkOrderKind.choices)
    source = models.CharField(_("source"), max_length=8, choices=WorkOrderSource.choices,
                              default=WorkOrderSource.COUNTER)
    state = models.CharField(_("state"), max_length=12, choices=WorkOrderState.choices,
                             default=WorkOrderState.ACCEPTED)
    service_point = models.ForeignKey("servicedesk.ServicePoint", verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    subscriber = models.ForeignKey("accounts.Subscriber", verbose_name=_("subscriber"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="work_orders")
    customer_name = models.CharField(_("customer"), max_length=60)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    premises = models.ForeignKey("accounts.Premises", verbose_name=_("premises"),
                                 on_delete=models.PROTECT, related_name="+")
    to_premises = models.ForeignKey("accounts.Premises", verbose_name=_("move to"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    description = models.CharField(_("work"), max_length=200)
    broadband = models.ForeignKey("accounts.BroadbandAccount", verbose_name=_("broadband account"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="work_orders")
    landline = models.ForeignKey("accounts.LandlineAccount", verbose_name=_("landline account"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="work_orders")
    carrier = models.ForeignKey("accounts.Carrier", verbose_name=_("carrier"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    carrier_ref = models.CharField(_("carrier order number"), max_length=40, blank=True)
    carrier_account = models.CharField(_("carrier account or number"), max_length=40, blank=True)
    batch = models.ForeignKey(CarrierOrderBatch, verbose_name=_("fax batch"),
                              on_delete=models.PROTECT, null=True, blank=True,
                              related_name="orders")
    receipt = models.ForeignKey("billing.Receipt", verbose_name=_("receipt"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="work_orders")
    registration_serials = models.CharField(_("registration serials"), max_length=60,
                                            blank=True)
    broadband_points = models.PositiveSmallIntegerField(_("broadband points"), default=0)
    landline_points = models.PositiveSmallIntegerField(_("landline points"), default=0)
    router_setup = models.BooleanField(_("router setup"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # acceptance and the clerk's transaction time (scorecard: a transaction ≤ 3 minutes)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    accepted_by = _user_fk(_("accepted by"), null=False)
    opened_at = models.DateTimeField(_("form opened"), null=True, blank=True)
    transaction_seconds = models.PositiveIntegerField(_("transaction time (s)"), null=True,
                                                      blank=True)
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # dispatch (下发工单)
    installer = _user_fk(_("installer"), related_name="work_orders")
    installer_name = models.CharField(_("installer name"), max_length=40, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    due_at = models.DateTimeField(_("due back"), null=True, blank=True)
    # return (回单)
    slip_received_at = models.DateTimeField(_("signed slip received"), null=True, blank=True)
    slip_received_by = _user_fk(_("slip received by"))
    installed_on = models.DateField(_("done on"), null=True, blank=True)
    # callback (回访), carrier report, archive
    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=WorkOrderSatisfaction.choices)
    reported_at = models.DateTimeField(_("reported to carrier"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = WorkOrderQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [
            ("dispatch_workorder", _("Can dispatch work orders")),
            ("cancel_workorder", _("Can cancel work orders")),
        ]
        indexes = [
            models.Index(fields=["service_point", "-accepted_at"], name="wo_sp_accepted"),
            models.Index(fields=["-accepted_at"], name="wo_accepted"),
            models.Index(fields=["state", "-accepted_at"], name="wo_state_accepted"),
            models.Index(fields=["service_point", "state", "-accepted_at"], name="wo_sp_state"),
            models.Index(fields=["kind", "-accepted_at"], name="wo_kind_accepted"),
            models.Index(fields=["source", "-accepted_at"], name="wo_source_accepted"),
            models.Index(fields=["installer", "state"], name="wo_installer_state"),
            models.Index(fields=["due_at"], condition=Q(state="dispatched"), name="wo_overdue"),
            models.Index(fields=["subscriber", "-accepted_at"], name="wo_subscriber"),
            models.Index(fields=["accepted_by", "-accepted_at"], name="wo_accepted_by"),
            models.Index(fields=["batch"], name="wo_batch"),
            GinIndex(OpClass(F("customer_name"), name="gin_trgm_ops"), name="wo_customer_trgm"),
            models.Index(fields=["carrier_ref"], name="wo_carrier_ref"),
            # The monthly report's satisfaction (13 months of answers): index-only.
            models.Index(fields=["accepted_at"], include=["satisfaction", "service_point"],
                         condition=~Q(satisfaction=""), name="wo_answered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="archived")
                | Q(slip_received_at__isnull=False, called_back_at__isnull=False),
                name="workorder_archive_needs_slip_and_callback",
                violation_error_message=_("An order is archived only with the customer-signed "
                                          "slip and a callback."),
            ),
            models.CheckConstraint(
                condition=~Q(state="dispatched") | Q(dispatched_at__isnull=False,
                                                     due_at__isnull=False),
                name="workorder_dispatched_has_due",
            ),
            models.CheckConstraint(
                condition=Q(transaction_seconds__isnull=True) | Q(transaction_seconds__gte=0),
                name="workorder_transaction_seconds",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("tickets:workorder_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"GD{self.pk:06d}" if self.pk else "GD——"

    @property
    def installer_label(self) -> str:
        if self.installer_id:
            return str(self.installer)
        return self.installer_name

    def is_overdue(self, now=None) -> bool:
        return (self.state == WorkOrderState.DISPATCHED and self.due_at is not None
                and self.due_at < (now or timezone.now()))


class WorkOrderStatusChange(models.Model):
    """One move of a work order: who, when, from, to, why (Oscar OrderStatusChange)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="status_changes")
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("work order status change")
        verbose_name_plural = _("work order status changes")
        indexes = [models.Index(fields=["order", "at"], name="wo_change_order")]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"

    def state_label(self, value: str) -> str:
        return WorkOrderState(value).label if value in WorkOrderState.values else value


class WorkOrderCallback(models.Model):
    """A callback (回访) after the return: who called, the result, the satisfaction."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("called by"), null=False)
    result = models.CharField(_("result"), max_length=12, choices=CallbackResult.choices)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=WorkOrderSatisfaction.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("work order callback")
        verbose_name_plural = _("work order callbacks")
        indexes = [models.Index(fields=["by", "at"], name="wocallback_by_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="confirmed") | ~Q(satisfaction=""),
                name="wocallback_confirmed_has_satisfaction",
            ),
        ]

    def __str__(self) -> str:
        return self.get_result_display()


class DispatchQuerySet(RestrictedQuerySet):
    def restrict(self, user):
        if user is not None and user.is_authenticated and _is_installer(user):
            return self.filter(installer=user)
        return super().restrict(user)


@audited()
class Dispatch(models.Model):
    """One hand-over of orders to a project manager / installer: the dispatch log (发单登记表)
    lists them, one signature line each."""

    service_point = models.ForeignKey("servicedesk.ServicePoint", verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched"), default=timezone.now)
    dispatched_by = _user_fk(_("dispatched by"), null=False)
    installer = _user_fk(_("installer"), related_name="dispatches")
    installer_name = models.CharField(_("installer name"), max_length=40, blank=True)
    due_at = models.DateTimeField(_("due back"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DispatchQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-dispatched_at", "-pk"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        indexes = [
            models.Index(fields=["service_point", "-dispatched_at"], name="dispatch_sp"),
            models.Index(fields=["-dispatched_at"], name="dispatch_at"),
            models.Index(fields=["installer", "-dispatched_at"], name="dispatch_installer"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(installer__isnull=False) | ~Q(installer_name=""),
                                   name="dispatch_has_installer",
                                   violation_error_message=_("Choose the installer or type "
                                                             "a name.")),
        ]

    def __str__(self) -> str:
        return _("Dispatch %(no)s to %(who)s") % {"no": f"PD{self.pk:05d}",
                                                   "who": self.installer_label}

    def get_absolute_url(self) -> str:
        return reverse("tickets:dispatch_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"PD{self.pk:05d}"

    @property
    def installer_label(self) -> str:
        return str(self.installer) if self.installer_id else self.installer_name


class DispatchLine(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="dispatch_lines")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["dispatch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "order"], name="dispatchline_once"),
        ]
        indexes = [models.Index(fields=["order"], name="dispatchline_order")]

    def __str__(self) -> str:
        return f"{self.dispatch_id}/{self.position}"
