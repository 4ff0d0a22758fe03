"""The call desk (客服): faults (障碍), complaints (投诉) and cases (咨询工单).

Handbook 001 第二节 (障碍接收、下发、回访), complaint handling 002, call-desk duties 003 and
DOMAIN.md §5. States change only through ``tickets.services.calldesk``, which follows
the explicit transition maps there and writes a status-change row for every move.

The paper marks of the handbook are the fault states: ✓ fixed by the repairer, ☆ phoned
back, × callback failed (reopened). The queues on the agent's home page read open
tickets only, through partial indexes ordered by their deadline, so they stay fast when
the table holds millions of closed faults.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.audit import audited
from servicedesk.querysets import RestrictedQuerySet
from servicedesk.roles import Role
from tickets import rules

__all__ = [
    "FaultSource", "FaultServiceType", "FaultState", "Satisfaction",
    "ComplaintChannel", "ComplaintKind", "Urgency", "ComplaintState", "ComplaintCloseReason",
    "CallbackOutcome", "InquiryState",
    "REPAIR_STATES", "OPEN_FAULT_STATES", "OPEN_COMPLAINT_STATES",
    "MaintenanceOffice", "FaultCause", "ComplaintRootCause", "CarrierDesk",
    "Fault", "FaultStatusChange", "FaultCallback",
    "Complaint", "ComplaintStatusChange", "ComplaintDeadlineChange", "ComplaintCallback",
    "Inquiry", "InquiryStatusChange", "HandOver",
]


# --- choices ---------------------------------------------------------------------------


class FaultSource(models.TextChoices):
    CUSTOMER = rules.CUSTOMER, _("Customer call")
    TELECOM_180 = rules.TELECOM_180, _("Telecom 180")
    TELECOM_TEST_DESK = rules.TELECOM_TEST_DESK, _("Telecom test desk")


class FaultServiceType(models.TextChoices):
    BROADBAND = "broadband", _("Broadband")
    LANDLINE = "landline", _("Landline")
    OTHER = "other", _("Other service")


class FaultState(models.TextChoices):
    NEW = "new", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched for repair")
    FIXED = "fixed", _("Fixed ✓, callback due")
    REOPENED = "reopened", _("Callback failed ×, dispatch again")
    REPLY_OWED = "reply_owed", _("Called back ☆, carrier reply owed")
    CLOSED = "closed", _("Closed after callback")
    CANCELLED = "cancelled", _("Cancelled (entered in error)")


# The 12-hour clock runs in these states (the fault is not fixed).
REPAIR_STATES = [FaultState.NEW, FaultState.DISPATCHED, FaultState.REOPENED]
OPEN_FAULT_STATES = [*REPAIR_STATES, FaultState.FIXED, FaultState.REPLY_OWED]


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("By letter")
    ONLINE = "online", _("Online")


class ComplaintKind(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment or facilities")
    STAFF_ATTITUDE = "staff_attitude", _("Staff attitude")
    SERVICE_QUALITY = "service_quality", _("Service quality")
    INCIDENT = "incident", _("Incident")


class Urgency(models.TextChoices):
    """Sets the deadline to first contact the complainant (tickets.rules)."""

    CRITICAL = "critical", _("Critical: contact within 15 minutes")
    HIGH = "high", _("High: contact within 30 minutes")
    NORMAL = "normal", _("Normal: contact within 1 hour")
    LOW = "low", _("Low: contact within 2 hours")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received, contact due")
    CONTACTED = "contacted", _("Contacted, being handled")
    HANDLED = "handled", _("Answered, callback due")
    CLOSED = "closed", _("Complaint closed")
    MERGED = "merged", _("Merged into another complaint")


OPEN_COMPLAINT_STATES = [ComplaintState.RECEIVED, ComplaintState.CONTACTED,
                         ComplaintState.HANDLED]


class ComplaintCloseReason(models.TextChoices):
    CALLBACK = "callback", _("Customer satisfied at the callback")
    SETTLED = "settled", _("No repeat complaint within a week of handling")


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Customer satisfied")
    DISSATISFIED = "dissatisfied", _("Customer not satisfied")
    UNREACHABLE = "unreachable", _("Could not reach the customer")


class InquiryState(models.TextChoices):
    OPEN = "open", _("Answer due")
    ANSWERED = "answered", _("Answered")


# --- reference data a manager maintains ------------------------------------------------


class _ReferenceData(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


@audited()
class MaintenanceOffice(_ReferenceData):
    """A maintenance office (维护处) faults are dispatched to."""

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    service_points = models.ManyToManyField(
        "servicedesk.ServicePoint", verbose_name=_("serves"), blank=True, related_name="+",
        help_text=_("Dispatching a fault of these compounds suggests this office."),
    )

    class Meta(_ReferenceData.Meta):
        verbose_name = _("maintenance office")
        verbose_name_plural = _("maintenance offices")

    def get_absolute_url(self) -> str:
        return reverse("tickets:maintenanceoffice_edit", args=[self.pk])


@audited()
class FaultCause(_ReferenceData):
    """A fault cause (故障原因) the repairer reports; statistics count by it."""

    class Meta(_ReferenceData.Meta):
        verbose_name = _("fault cause")
        verbose_name_plural = _("fault causes")

    def get_absolute_url(self) -> str:
        return reverse("tickets:faultcause_edit", args=[self.pk])


@audited()
class ComplaintRootCause(_ReferenceData):
    """What a complaint came from in the end (投诉根因), not the customer's wording."""

    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta(_ReferenceData.Meta):
        verbose_name = _("complaint root cause")
        verbose_name_plural = _("complaint root causes")

    def get_absolute_url(self) -> str:
        return reverse("tickets:complaintrootcause_edit", args=[self.pk])


@audited()
class CarrierDesk(models.Model):
    """A carrier's fault desk (电信180, 电信测量台): replied to once its fault is called back."""

    source = models.CharField(
        _("fault source"), max_length=20, unique=True,
        choices=[c for c in FaultSource.choices if c[0] != FaultSource.CUSTOMER],
    )
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("reply phone"), max_length=20)
    carrier = models.ForeignKey("accounts.Carrier", verbose_name=_("carrier"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["source"]
        verbose_name = _("carrier desk")
        verbose_name_plural = _("carrier desks")

    def __str__(self) -> str:
        return f"{self.name} ({self.mark})"

    def get_absolute_url(self) -> str:
        return reverse("tickets:carrierdesk_edit", args=[self.pk])

    @property
    def mark(self) -> str:
        return rules.fault_source_mark(self.source, None)


# --- faults ------------------------------------------------------------------------------


class FaultQuerySet(RestrictedQuerySet):
    def restrict(self, user):
        """Installers see the faults dispatched to them (also a carrier desk's fault with
        no compound on file); everyone else sees by service point."""
        if (user is not None and user.is_authenticated and not user.is_superuser
                and user.role == Role.INSTALLER):
            return self.filter(repairer=user)
        return super().restrict(user)

    def open(self):
        return self.filter(state__in=OPEN_FAULT_STATES)


def _user_fk(verbose_name, related_name="+", null=True):
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name,
                             on_delete=models.PROTECT, null=null, blank=null,
                             related_name=related_name)


@audited()
class Fault(models.Model):
    """A fault report (障碍) and its way through dispatch, fix ✓, callback ☆ / × and reply."""

    source = models.CharField(_("source"), max_length=20, choices=FaultSource.choices,
                              default=FaultSource.CUSTOMER)
    mark = models.CharField(_("mark"), max_length=4, editable=False,
                            help_text=_("X / Q / R by compound for customers; D180 or DC."))
    service_type = models.CharField(_("service type"), max_length=10,
                                    choices=FaultServiceType.choices)
    state = models.CharField(_("state"), max_length=12, choices=FaultState.choices,
                             default=FaultState.NEW)
    service_point = models.ForeignKey("servicedesk.ServicePoint",
                                      verbose_name=_("service point"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    subscriber = models.ForeignKey("accounts.Subscriber", verbose_name=_("subscriber"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="faults")
    broadband_account = models.ForeignKey("accounts.BroadbandAccount",
                                          verbose_name=_("broadband account"),
                                          on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="faults")
    landline_account = models.ForeignKey("accounts.LandlineAccount",
                                         verbose_name=_("landline account"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="faults")
    premises = models.ForeignKey("accounts.Premises", verbose_name=_("premises"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    service_number = models.CharField(
        _("line or account"), max_length=30, blank=True,
        help_text=_("The phone number or broadband account at fault."),
    )
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("callback phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    reported_by = models.CharField(_("reported by"), max_length=40, blank=True,
                                   help_text=_("Who phoned it in (上报人)."))
    description = models.CharField(_("fault description"), max_length=500)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    received_by = _user_fk(_("received by"), null=False)
    owner = _user_fk(_("owner"), null=False)

    maintenance_office = models.ForeignKey(MaintenanceOffice,
                                           verbose_name=_("maintenance office"),
                                           on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")
    repairer = _user_fk(_("repairer"), related_name="dispatched_faults")
    repairer_name = models.CharField(_("repairer name"), max_length=40, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatch_count = models.PositiveSmallIntegerField(_("times dispatched"), default=0)
    cause = models.ForeignKey(FaultCause, verbose_name=_("fault cause"),
                              on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    first_fixed_at = models.DateTimeField(
        _("first fixed at"), null=True, blank=True,
        help_text=_("The first ✓: deadline statistics measure from the original report."),
    )
    fix_note = models.CharField(_("repair note"), max_length=200, blank=True)
    failed_callbacks = models.PositiveSmallIntegerField(_("failed callbacks"), default=0)
    callback_note = models.CharField(_("last callback note"), max_length=300, blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=Satisfaction.choices)
    carrier_desk = models.ForeignKey(CarrierDesk, verbose_name=_("carrier desk"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    replied_at = models.DateTimeField(_("carrier replied at"), null=True, blank=True)
    replied_to = models.CharField(_("replied to"), max_length=20, blank=True)
    reply_note = models.CharField(_("reply note"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = FaultQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        permissions = [
            ("fix_fault", _("Can mark a fault dispatched to them fixed")),
            ("hand_over_any", _("Can hand over anyone's call-desk matters")),
            ("view_calldesk_statistics", _("Can see the call-desk statistics")),
        ]
        indexes = [
            # The agent's queues: open faults only, in deadline order (small, at any size).
            models.Index(fields=["due_at"], condition=Q(state__in=REPAIR_STATES),
                         name="fault_repair_due"),
            models.Index(fields=["fixed_at"], condition=Q(state=FaultState.FIXED),
                         name="fault_callback_wait"),
            models.Index(fields=["called_back_at"], condition=Q(state=FaultState.REPLY_OWED),
                         name="fault_reply_owed"),
            models.Index(fields=["state"], condition=Q(state__in=OPEN_FAULT_STATES),
                         name="fault_open_state"),
            models.Index(fields=["repairer", "due_at"],
                         condition=Q(state=FaultState.DISPATCHED), name="fault_repairer_due"),
            # The list's filters and sort.
            models.Index(fields=["-reported_at"], name="fault_reported"),
            models.Index(fields=["service_point", "-reported_at"], name="fault_sp_reported"),
            models.Index(fields=["source", "-reported_at"], name="fault_source_reported"),
            models.Index(fields=["state", "-reported_at"], name="fault_state_reported"),
            models.Index(fields=["subscriber", "-reported_at"], name="fault_subscriber"),
            models.Index(fields=["owner", "due_at"], name="fault_owner_due"),  # scorecards
            # The monthly report's satisfaction (13 months of answers): index-only.
            models.Index(fields=["reported_at"], include=["satisfaction", "service_point"],
                         condition=~Q(satisfaction=""), name="fault_answered"),
            # The live month's premises with repeated faults: index-only over the month.
            models.Index(fields=["reported_at"], include=["premises", "state"],
                         name="fault_reported_premises"),
            models.Index(OpClass("service_number", name="varchar_pattern_ops"),
                         name="fault_number_prefix"),
            models.Index(OpClass("contact_phone", name="varchar_pattern_ops"),
                         name="fault_phone_prefix"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["broadband_account"], condition=Q(state__in=OPEN_FAULT_STATES),
                name="fault_one_open_per_broadband",
                violation_error_message=_("This account already has an open fault."),
            ),
            models.UniqueConstraint(
                fields=["landline_account"], condition=Q(state__in=OPEN_FAULT_STATES),
                name="fault_one_open_per_landline",
                violation_error_message=_("This account already has an open fault."),
            ),
            models.CheckConstraint(
                condition=Q(broadband_account__isnull=True) | Q(landline_account__isnull=True),
                name="fault_one_account",
                violation_error_message=_("A fault concerns one account."),
            ),
            models.CheckConstraint(
                condition=~Q(source=FaultSource.CUSTOMER) | Q(subscriber__isnull=False),
                name="fault_customer_registered",
                violation_error_message=_("A customer's fault needs the subscriber."),
            ),
            models.CheckConstraint(condition=Q(due_at__gt=F("reported_at")),
                                   name="fault_due_after_report"),
        ]

    def __str__(self) -> str:
        return f"{self.mark}-{self.pk:05d}" if self.pk else self.mark

    def get_absolute_url(self) -> str:
        return reverse("tickets:fault_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_carrier_fault(self) -> bool:
        return self.source != FaultSource.CUSTOMER

    @property
    def account(self):
        return self.broadband_account or self.landline_account

    @property
    def repairer_label(self) -> str:
        return str(self.repairer) if self.repairer_id else self.repairer_name

    def is_overdue(self, now=None) -> bool:
        """Not fixed and past the 12 hours (a fixed fault's clock has stopped)."""
        return self.state in REPAIR_STATES and self.due_at < (now or timezone.now())

    @property
    def fixed_on_time(self) -> bool | None:
        if self.first_fixed_at is None:
            return None
        return self.first_fixed_at <= self.due_at


class _StatusChange(models.Model):
    """One move of a ticket's state: who, when, from, to, why (Oscar OrderStatusChange)."""

    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("by"))  # empty: done by the system (a scheduled command)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"


class FaultStatusChange(_StatusChange):
    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(_StatusChange.Meta):
        verbose_name = _("fault status change")
        verbose_name_plural = _("fault status changes")

    def state_label(self, value: str) -> str:
        return FaultState(value).label if value in FaultState.values else value


class FaultCallback(models.Model):
    """A callback (回访) of a fixed fault: passed ☆ (with the satisfaction) or failed ×."""

    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("called back by"), null=False)
    passed = models.BooleanField(_("passed"))
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=Satisfaction.choices)
    note = models.CharField(_("callback note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("fault callback")
        verbose_name_plural = _("fault callbacks")
        indexes = [models.Index(fields=["by", "at"], name="faultcallback_by_at")]
        constraints = [
            models.CheckConstraint(condition=Q(passed=False) | ~Q(satisfaction=""),
                                   name="faultcallback_passed_has_satisfaction"),
        ]

    def __str__(self) -> str:
        return "☆" if self.passed else "×"


# --- complaints ---------------------------------------------------------------------------


@audited()
class Complaint(models.Model):
    """A complaint (投诉) with its clocks: first contact, answer, callback within 3 days."""

    channel = models.CharField(_("channel"), max_length=10, choices=ComplaintChannel.choices,
                               default=ComplaintChannel.PHONE)
    kind = models.CharField(_("complaint type"), max_length=16, choices=ComplaintKind.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    state = models.CharField(_("state"), max_length=10, choices=ComplaintState.choices,
                             default=ComplaintState.RECEIVED)
    service_point = models.ForeignKey("servicedesk.ServicePoint",
                                      verbose_name=_("service point"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    subscriber = models.ForeignKey("accounts.Subscriber", verbose_name=_("subscriber"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="complaints")
    complainant_name = models.CharField(_("complainant"), max_length=60)
    complainant_phone = models.CharField(_("complainant phone"), max_length=20)
    address = models.CharField(_("address"), max_length=120, blank=True)
    against_staff = _user_fk(_("staff complained about"), related_name="complaints_against")
    description = models.CharField(_("what the customer says"), max_length=1000)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    contact_due = models.DateTimeField(_("first contact due"))
    answer_due = models.DateTimeField(_("answer due"))
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    callback_due = models.DateTimeField(_("callback due"), null=True, blank=True)
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    root_cause = models.ForeignKey(ComplaintRootCause, verbose_name=_("root cause"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    result = models.CharField(_("investigation and answer"), max_length=1000, blank=True)
    received_by = _user_fk(_("received by"), null=False)
    owner = _user_fk(_("owner"), null=False)
    primary = models.ForeignKey("self", verbose_name=_("merged into"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="merged")
    complainant_count = models.PositiveSmallIntegerField(_("complainants"), default=1)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=Satisfaction.choices)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("closed because"), max_length=10, blank=True,
                                    choices=ComplaintCloseReason.choices)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["contact_due"], condition=Q(state=ComplaintState.RECEIVED),
                         name="complaint_contact_due"),
            models.Index(fields=["answer_due"],
                         condition=Q(state__in=[ComplaintState.RECEIVED,
                                                ComplaintState.CONTACTED]),
                         name="complaint_answer_due"),
            models.Index(fields=["callback_due"], condition=Q(state=ComplaintState.HANDLED),
                         name="complaint_callback_due"),
            models.Index(fields=["handled_at"], condition=Q(state=ComplaintState.HANDLED),
                         name="complaint_settling"),
            models.Index(fields=["state"], condition=Q(state__in=OPEN_COMPLAINT_STATES),
                         name="complaint_open_state"),
            models.Index(fields=["-received_at"], name="complaint_received"),
            models.Index(fields=["service_point", "-received_at"], name="complaint_sp_received"),
            models.Index(fields=["state", "-received_at"], name="complaint_state_received"),
            models.Index(fields=["subscriber", "-received_at"], name="complaint_subscriber"),
            models.Index(fields=["owner", "callback_due"], name="complaint_owner_cb_due"),
            models.Index(fields=["against_staff", "handled_at"],
                         condition=Q(substantiated=True), name="complaint_against_staff"),
            models.Index(OpClass("complainant_phone", name="varchar_pattern_ops"),
                         name="complaint_phone_prefix"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state=ComplaintState.MERGED) & Q(primary__isnull=False))
                | (~Q(state=ComplaintState.MERGED) & Q(primary__isnull=True)),
                name="complaint_merged_has_primary",
            ),
            models.CheckConstraint(condition=~Q(primary=F("pk")),
                                   name="complaint_not_merged_into_itself"),
            models.CheckConstraint(condition=Q(complainant_count__gte=1),
                                   name="complaint_complainants_positive"),
        ]

    def __str__(self) -> str:
        return f"TS-{self.pk:05d}" if self.pk else "TS"

    def get_absolute_url(self) -> str:
        return reverse("tickets:complaint_detail", args=[self.pk])

    def overdue_clocks(self, now=None) -> list[str]:
        """Which of the complaint's clocks have run out: contact, answer, callback."""
        now = now or timezone.now()
        late = []
        if self.state == ComplaintState.RECEIVED and self.contact_due < now:
            late.append("contact")
        if self.state in (ComplaintState.RECEIVED, ComplaintState.CONTACTED) \
                and self.answer_due < now:
            late.append("answer")
        if self.state == ComplaintState.HANDLED and self.callback_due \
                and self.callback_due < now:
            late.append("callback")
        return late

    @property
    def next_due(self):
        if self.state == ComplaintState.RECEIVED:
            return min(self.contact_due, self.answer_due)
        if self.state == ComplaintState.CONTACTED:
            return self.answer_due
        if self.state == ComplaintState.HANDLED:
            return self.callback_due
        return None


class ComplaintStatusChange(_StatusChange):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE,
                                  related_name="status_changes")

    class Meta(_StatusChange.Meta):
        verbose_name = _("complaint status change")
        verbose_name_plural = _("complaint status changes")

    def state_label(self, value: str) -> str:
        return ComplaintState(value).label if value in ComplaintState.values else value


class ComplaintDeadlineChange(models.Model):
    """A renegotiated answer deadline (重新约定完成时间): the new one becomes the clock."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE,
                                  related_name="deadline_changes")
    old_due = models.DateTimeField(_("old deadline"))
    new_due = models.DateTimeField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("by"), null=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint deadline change")
        verbose_name_plural = _("complaint deadline changes")

    def __str__(self) -> str:
        return f"{self.old_due:%Y-%m-%d %H:%M} → {self.new_due:%Y-%m-%d %H:%M}"


class ComplaintCallback(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("called back by"), null=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallbackOutcome.choices)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=Satisfaction.choices)
    note = models.CharField(_("callback note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint callback")
        verbose_name_plural = _("complaint callbacks")
        indexes = [models.Index(fields=["by", "at"], name="complaintcallback_by_at")]

    def __str__(self) -> str:
        return self.get_outcome_display()


# --- cases (inquiries not answered at once) -----------------------------------------------


@audited()
class Inquiry(models.Model):
    """A case (咨询工单): a question not answerable at once; answered within 3 days."""

    state = models.CharField(_("state"), max_length=10, choices=InquiryState.choices,
                             default=InquiryState.OPEN)
    caller_name = models.CharField(_("who"), max_length=60)
    place = models.CharField(_("where"), max_length=120, blank=True)
    question = models.CharField(_("what"), max_length=1000)
    phone = models.CharField(_("phone"), max_length=20)
    service_point = models.ForeignKey("servicedesk.ServicePoint",
                                      verbose_name=_("service point"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    subscriber = models.ForeignKey("accounts.Subscriber", verbose_name=_("subscriber"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="inquiries")
    received_at = models.DateTimeField(_("when"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    answer = models.CharField(_("answer"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=Satisfaction.choices)
    received_by = _user_fk(_("received by"), null=False)
    owner = _user_fk(_("owner"), null=False)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inquiry case")
        verbose_name_plural = _("inquiry cases")
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state=InquiryState.OPEN),
                         name="inquiry_open_due"),
            models.Index(fields=["-received_at"], name="inquiry_received"),
            models.Index(fields=["service_point", "-received_at"], name="inquiry_sp_received"),
            models.Index(fields=["state", "-received_at"], name="inquiry_state_received"),
            models.Index(fields=["subscriber", "-received_at"], name="inquiry_subscriber"),
            models.Index(fields=["owner", "due_at"], name="inquiry_owner_due"),
            models.Index(OpClass("phone", name="varchar_pattern_ops"),
                         name="inquiry_phone_prefix"),
        ]

    def __str__(self) -> str:
        return f"ZX-{self.pk:05d}" if self.pk else "ZX"

    def get_absolute_url(self) -> str:
        return reverse("tickets:inquiry_detail", args=[self.pk])

    def is_overdue(self, now=None) -> bool:
        return self.state == InquiryState.OPEN and self.due_at < (now or timezone.now())


class InquiryStatusChange(_StatusChange):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(_StatusChange.Meta):
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")

    def state_label(self, value: str) -> str:
        return InquiryState(value).label if value in InquiryState.values else value


# --- first-ask ownership (首问负责制) ---------------------------------------------------------


class HandOver(models.Model):
    """A matter handed from its owner to someone else, on purpose and with a note."""

    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="hand_overs")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="hand_overs")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="hand_overs")
    from_owner = _user_fk(_("previous owner"), null=False)
    to_owner = _user_fk(_("new owner"), null=False)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = _user_fk(_("by"), null=False)
    note = models.CharField(_("hand-over note"), max_length=300)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.CheckConstraint(
                condition=Q(fault__isnull=False, complaint__isnull=True, inquiry__isnull=True)
                | Q(fault__isnull=True, complaint__isnull=False, inquiry__isnull=True)
                | Q(fault__isnull=True, complaint__isnull=True, inquiry__isnull=False),
                name="handover_one_matter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_owner} → {self.to_owner}"
