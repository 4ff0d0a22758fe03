"""The customer register: subscribers, premises, tariff data and service accounts.

Handbook 001 §4.0–4.2 and DOMAIN.md §1–2. Tariff data (carriers, plans, add-ons) is
data a manager maintains. Accounts change state only through ``accounts.services``;
every change is audited by triggers (``@audited()``) and state moves also write an
``AccountStateChange`` row with who, when and why.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import (
    OPEN_BROADBAND_STATES,
    OPEN_LANDLINE_STATES,
    BroadbandState,
    LandlineState,
    Service,
    SubscriberKind,
    Term,
)
from accounts.rules import new_account_password
from accounts.validators import validate_contact_phone, validate_id_number, validate_mobile
from servicedesk.audit import audited
from servicedesk.models import ServicePoint
from servicedesk.querysets import RestrictedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


def trigram_index(field: str, name: str) -> GinIndex:
    """A pg_trgm GIN index for substring search (``icontains``) on ``field``."""
    return GinIndex(OpClass(models.F(field), name="gin_trgm_ops"), name=name)


# --- Tariff data ---------------------------------------------------------------------


@audited()
class Carrier(models.Model):
    """Who provides the line: our own service (自营), China Telecom, China Unicom."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    is_own = models.BooleanField(_("own service"), default=False)
    number_prefix = models.CharField(
        _("landline number prefix"), max_length=8, blank=True,
        help_text=_("Landline numbers of this carrier start with these digits."),
    )
    prepaid_only = models.BooleanField(_("prepaid only"), default=False)
    international_calls = models.BooleanField(_("international calls allowed"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_own", "name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:carrier_edit", args=[self.pk])


@audited()
class BroadbandPlan(models.Model):
    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), on_delete=models.PROTECT,
                                related_name="broadband_plans")
    name = models.CharField(_("name"), max_length=60)
    bandwidth_mbps = models.PositiveIntegerField(
        _("bandwidth (Mbps)"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    term = models.CharField(_("term"), max_length=10, choices=Term.choices)
    months = models.PositiveSmallIntegerField(
        _("months per term"), validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("1 for monthly, 12 for annual; the length of a package."),
    )
    price = models.DecimalField(_("price per term"), **MONEY,
                                validators=[MinValueValidator(0)])
    monthly_call_credit = models.DecimalField(
        _("monthly call credit"), **MONEY, default=0, validators=[MinValueValidator(0)],
        help_text=_("Landline call credit granted each month; it expires at month end."),
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["carrier", "term", "bandwidth_mbps"]
        verbose_name = _("broadband plan")
        verbose_name_plural = _("broadband plans")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "name"], name="bbplan_unique_name",
                                    violation_error_message=_("This carrier already has a plan "
                                                              "with that name.")),
            models.CheckConstraint(condition=Q(price__gte=0), name="bbplan_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.bandwidth_mbps}M/{self.get_term_display()})"

    def get_absolute_url(self) -> str:
        return reverse("accounts:broadbandplan_edit", args=[self.pk])

    def clean(self):
        if self.term == Term.MONTHLY and self.months not in (None, 1):
            raise ValidationError({"months": _("A monthly plan runs 1 month per term.")})
        if self.term == Term.ANNUAL and self.months not in (None, 12):
            raise ValidationError({"months": _("An annual plan runs 12 months per term.")})


@audited()
class LandlinePlan(models.Model):
    """A landline billing plan (计费方案): rent and per-minute rates."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    monthly_rent = models.DecimalField(_("monthly rent"), **MONEY,
                                       validators=[MinValueValidator(0)])
    caller_id_fee = models.DecimalField(
        _("caller ID fee"), **MONEY, default=0, validators=[MinValueValidator(0)],
        help_text=_("Monthly; 0 when caller ID is not included."),
    )
    local_rate = models.DecimalField(_("local, per minute"), max_digits=8, decimal_places=2,
                                     validators=[MinValueValidator(0)])
    domestic_rate = models.DecimalField(_("domestic long distance, per minute"), max_digits=8,
                                        decimal_places=2, validators=[MinValueValidator(0)])
    international_rate = models.DecimalField(
        _("international, per minute"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Empty: no international calls."),
    )
    is_default = models.BooleanField(_("system default"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("landline billing plan")
        verbose_name_plural = _("landline billing plans")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="llplan_one_default",
                                    violation_error_message=_("Only one plan can be the "
                                                              "system default.")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:landlineplan_edit", args=[self.pk])


@audited()
class AddOn(models.Model):
    """A landline add-on: Call Forward Unconditional (呼叫转移), Caller ID (来电显示)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    monthly_fee = models.DecimalField(_("monthly fee"), **MONEY, default=0,
                                      validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("on sale"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:addon_edit", args=[self.pk])


@audited()
class Fee(models.Model):
    """A counter fee kept as data (router setup, extra information point, moves…)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{self.name} ¥{self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:fee_edit", args=[self.pk])


# --- Subscribers and premises ----------------------------------------------------------


class SubscriberQuerySet(RestrictedQuerySet):
    pass


@audited()
class Subscriber(models.Model):
    """A person (resident ID card) or an organization (introduction letter and seal)."""

    kind = models.CharField(_("kind"), max_length=12, choices=SubscriberKind.choices,
                            default=SubscriberKind.PERSON)
    name = models.CharField(_("name"), max_length=60)
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_id_number],
        help_text=_("18-digit resident ID number (persons)."),
    )
    intro_letter_ref = models.CharField(
        _("introduction letter"), max_length=60, blank=True,
        help_text=_("Reference of the organization's introduction letter."),
    )
    mobile = models.CharField(_("mobile"), max_length=11, blank=True,
                              validators=[validate_mobile])
    phone = models.CharField(_("contact phone"), max_length=20, blank=True,
                             validators=[validate_contact_phone])
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="subscribers")
    home = models.ForeignKey("Premises", verbose_name=_("premises"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="residents")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = SubscriberQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        permissions = [
            ("reveal_id_number", _("Can reveal a full ID number (logged)")),
        ]
        indexes = [
            trigram_index("name", "subscriber_name_trgm"),
            trigram_index("mobile", "subscriber_mobile_trgm"),
            trigram_index("phone", "subscriber_phone_trgm"),
            # 1-2 character names (most Chinese names are 2-3 characters) are too short for
            # trigrams: the search runs ``name LIKE 'xy%'`` on this B-tree instead.
            models.Index(OpClass("name", name="varchar_pattern_ops"),
                         name="subscriber_name_prefix"),
            models.Index(fields=["service_point", "-created_at"], name="subscriber_sp_created"),
            models.Index(fields=["-created_at"], name="subscriber_created"),
            models.Index(Upper("id_number"), name="subscriber_id_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                Upper("id_number"), condition=~Q(id_number=""), name="subscriber_unique_id",
                violation_error_message=_("A subscriber with this ID number already exists."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=SubscriberKind.PERSON) & ~Q(id_number=""))
                | (Q(kind=SubscriberKind.ORGANIZATION) & ~Q(intro_letter_ref="")),
                name="subscriber_identity_document",
                violation_error_message=_("A person needs an ID number; an organization needs "
                                          "an introduction letter reference."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:subscriber_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        """``6101**********1234``: lists and pages show only this."""
        from accounts.validators import mask_id_number

        return mask_id_number(self.id_number)


@audited()
class Premises(models.Model):
    """A room in a compound: service point + building (楼号) + unit (单元) + room, ``1#-2-502``."""

    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="premises")
    building = models.PositiveSmallIntegerField(
        _("building"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    unit = models.PositiveSmallIntegerField(
        _("unit"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    room = models.PositiveSmallIntegerField(
        _("room"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["service_point", "building", "unit", "room"]
        verbose_name = _("premises")
        verbose_name_plural = _("premises")
        constraints = [
            models.UniqueConstraint(fields=["service_point", "building", "unit", "room"],
                                    name="premises_unique",
                                    violation_error_message=_("These premises already exist.")),
            models.CheckConstraint(
                condition=Q(building__range=(1, 99), unit__range=(1, 9), room__range=(1, 9999)),
                name="premises_in_range",
                violation_error_message=_("Building 1-99, unit 1-9, room 1-9999."),
            ),
        ]
        indexes = [
            # "1-2-502" without a compound: the search looks premises up across points.
            models.Index(fields=["building", "unit", "room"], name="premises_bur"),
        ]

    def __str__(self) -> str:
        return f"{self.service_point.name} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.building}#-{self.unit}-{self.room}"


# --- Service accounts ------------------------------------------------------------------


class AccountQuerySet(RestrictedQuerySet):
    def open(self):
        states = (OPEN_BROADBAND_STATES if self.model is BroadbandAccount
                  else OPEN_LANDLINE_STATES)
        return self.filter(state__in=states)


class ServiceAccount(models.Model):
    """What broadband and landline accounts share."""

    subscriber = models.ForeignKey(Subscriber, verbose_name=_("subscriber"),
                                   on_delete=models.PROTECT)
    premises = models.ForeignKey(Premises, verbose_name=_("premises"), on_delete=models.PROTECT)
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, editable=False)
    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), on_delete=models.PROTECT)
    registration_serial = models.CharField(_("registration serial"), max_length=20, blank=True,
                                           db_index=True)
    accepted_on = models.DateField(_("accepted on"), default=timezone.localdate)
    starts_on = models.DateField(_("service starts"), null=True, blank=True)
    installer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("installer"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = AccountQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        abstract = True

    def state_label(self, state: str | None = None) -> str:
        """The display label of ``state`` (default: the account's own)."""
        state = self.state if state is None else state
        return str(dict(self._meta.get_field("state").flatchoices).get(state, state))


@audited(exclude=["password"])
class BroadbandAccount(ServiceAccount):
    account_name = models.CharField(_("account name"), max_length=20)
    password = models.CharField(_("password"), max_length=20)
    plan = models.ForeignKey(BroadbandPlan, verbose_name=_("plan"), on_delete=models.PROTECT,
                             related_name="accounts")
    state = models.CharField(_("state"), max_length=10, choices=BroadbandState.choices,
                             default=BroadbandState.PENDING)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    suspended_months = models.PositiveSmallIntegerField(_("months suspended"), default=0)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)

    class Meta:
        ordering = ["account_name"]
        verbose_name = _("broadband account")
        verbose_name_plural = _("broadband accounts")
        permissions = [
            ("change_account_password", _("Can reset an account password (logged)")),
        ]
        indexes = [
            trigram_index("account_name", "bb_account_name_trgm"),
            models.Index(fields=["account_name"], name="bb_account_name"),
            # The lists' order (account name) within a point and/or a state: a page is an
            # index range, not a sort of the point's accounts.
            models.Index(fields=["service_point", "account_name"], name="bb_sp_name"),
            models.Index(fields=["service_point", "state", "account_name"],
                         name="bb_sp_state_name"),
            models.Index(fields=["state", "account_name"], name="bb_state_name"),
            # State + expiry range, in the retention list's order (expires_on, id): its
            # page is the start of the range, not a sort of a month's expiring accounts.
            models.Index(fields=["service_point", "state", "expires_on", "id"],
                         name="bb_sp_state_exp"),
            models.Index(fields=["state", "expires_on", "id"], name="bb_state_expires"),
            models.Index(fields=["expires_on"], name="bb_expires"),
            models.Index(fields=["subscriber"], name="bb_subscriber"),
        ]
        constraints = [
            # A closed account's name is free again for the next subscriber of the room.
            models.UniqueConstraint(
                fields=["account_name"], condition=Q(state__in=OPEN_BROADBAND_STATES),
                name="bb_account_name_in_use_once",
                violation_error_message=_("This account name is already in use."),
            ),
            models.UniqueConstraint(
                fields=["premises"], condition=Q(state__in=OPEN_BROADBAND_STATES),
                name="bb_one_open_per_premises",
                violation_error_message=_("These premises already have a broadband account."),
            ),
        ]

    def __str__(self) -> str:
        return self.account_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:broadband_detail", args=[self.pk])

    service = Service.BROADBAND

    def days_to_expiry(self, today: date | None = None) -> int | None:
        if self.expires_on is None:
            return None
        return (self.expires_on - (today or timezone.localdate())).days


# Open (active or barred) landlines whose balance is under their alert threshold, written
# as the indexed expression: the retention list's and billing's reminder list's rows.
LOW_BALANCE_STATES = [LandlineState.ACTIVE, LandlineState.BARRED]
UNDER_ALERT_THRESHOLD = Q(LessThan(models.F("balance") - models.F("alert_threshold"), 0),
                          state__in=LOW_BALANCE_STATES)


@audited(exclude=["password"])
class LandlineAccount(ServiceAccount):
    phone_number = models.CharField(
        _("phone number"), max_length=12,
        validators=[RegexValidator(r"^\d{7,8}$", _("A local number has 7 or 8 digits."))],
    )
    plan = models.ForeignKey(LandlinePlan, verbose_name=_("billing plan"),
                             on_delete=models.PROTECT, related_name="accounts")
    add_ons = models.ManyToManyField(AddOn, verbose_name=_("add-ons"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=LandlineState.choices,
                             default=LandlineState.PENDING)
    bundled_with = models.ForeignKey(
        BroadbandAccount, verbose_name=_("bundled with broadband"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="bundled_landlines",
        help_text=_("A landline billed with a broadband account pays no monthly rent."),
    )
    password = models.CharField(
        _("password"), max_length=20, default=new_account_password,
        help_text=_("The account password of the landline system (balance and call detail "
                    "queries)."),
    )
    balance = models.DecimalField(_("balance"), **MONEY, default=0)
    alert_threshold = models.DecimalField(_("alert threshold"), **MONEY, default=1,
                                          validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["phone_number"]
        verbose_name = _("landline account")
        verbose_name_plural = _("landline accounts")
        indexes = [
            trigram_index("phone_number", "ll_phone_trgm"),
            models.Index(fields=["phone_number"], name="ll_phone_number"),
            models.Index(fields=["service_point", "phone_number"], name="ll_sp_phone"),
            models.Index(fields=["service_point", "state", "phone_number"],
                         name="ll_sp_state_phone"),
            models.Index(fields=["state", "phone_number"], name="ll_state_phone"),
            models.Index(fields=["service_point", "state"], name="ll_sp_state"),
            # "Balance under the alert threshold" (reminder calls, billing).
            models.Index(models.F("balance") - models.F("alert_threshold"),
                         name="ll_balance_margin"),
            # The open landlines under their threshold (accounts.reports.under_alert_threshold,
            # the same condition word for word so the planner matches it), in the retention
            # list's order: lowest balance first.
            models.Index(fields=["balance", "id"], condition=UNDER_ALERT_THRESHOLD,
                         name="ll_low_balance"),
            models.Index(fields=["service_point", "balance", "id"],
                         condition=UNDER_ALERT_THRESHOLD, name="ll_sp_low_balance"),
            models.Index(fields=["subscriber"], name="ll_subscriber"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"], condition=Q(state__in=OPEN_LANDLINE_STATES),
                name="ll_number_in_use_once",
                violation_error_message=_("This phone number is already in use."),
            ),
            models.UniqueConstraint(
                fields=["premises", "carrier"], condition=Q(state__in=OPEN_LANDLINE_STATES),
                name="ll_one_open_per_premises_carrier",
                violation_error_message=_("These premises already have a landline of this "
                                          "carrier."),
            ),
        ]

    service = Service.LANDLINE

    def __str__(self) -> str:
        return self.phone_number

    def get_absolute_url(self) -> str:
        return reverse("accounts:landline_detail", args=[self.pk])


class AccountStateChange(models.Model):
    """One move of an account's state: who, when, from, to, why (Oscar OrderStatusChange)."""

    broadband = models.ForeignKey(BroadbandAccount, on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="state_changes")
    landline = models.ForeignKey(LandlineAccount, on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="state_changes")
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(broadband__isnull=False, landline__isnull=True)
                | Q(broadband__isnull=True, landline__isnull=False),
                name="statechange_one_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"


class SensitiveAccess(models.Model):
    """A logged look at, or change of, confidential data (full ID number, passwords)."""

    class Action(models.TextChoices):
        REVEAL_ID = "reveal_id", _("Revealed the full ID number")
        REVEAL_PASSWORD = "reveal_password", _("Revealed an account password")
        CHANGE_PASSWORD = "change_password", _("Changed an account password")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT,
                                   related_name="sensitive_accesses")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target = models.CharField(_("target"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["subscriber", "-at"], name="sensitive_sub_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target}"


class SerialCounter(models.Model):
    """The last registration serial issued per service, service point and day.

    ``accounts.services.next_registration_serial`` locks the row (select_for_update) in
    the caller's transaction, so concurrent clerks never get the same number.
    """

    service = models.CharField(max_length=10, choices=Service.choices)
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_seq = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "service_point", "day"],
                                    name="serial_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.service_point_id} {self.day} #{self.last_seq}"


class RetentionOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, reminded")
    WILL_RENEW = "will_renew", _("Will renew or top up")
    DECLINED = "declined", _("Will not renew")
    NOT_REACHED = "not_reached", _("Not reached")


class RetentionCall(models.Model):
    """A retention call (挽留): the "called" mark on a retention list.

    One mark per account and period: a broadband account once per expiry date it is
    called about (a renewal moves the expiry, and the next term needs its own call), a
    landline under its alert threshold once per month. Marking twice changes nothing
    (``accounts.services.retention_call_mark``).
    """

    broadband = models.ForeignKey(BroadbandAccount, verbose_name=_("broadband account"),
                                  on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="retention_calls")
    landline = models.ForeignKey(LandlineAccount, verbose_name=_("landline account"),
                                 on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="retention_calls")
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"),
                                      on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("called about"),
                              help_text=_("The expiry date, or the month of a low balance."))
    outcome = models.CharField(_("outcome"), max_length=12, choices=RetentionOutcome.choices,
                               default=RetentionOutcome.REACHED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    called_at = models.DateTimeField(_("called at"), default=timezone.now)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("called by"),
                                  on_delete=models.PROTECT, related_name="+")

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-called_at"]
        verbose_name = _("retention call")
        verbose_name_plural = _("retention calls")
        permissions = [
            ("view_management_reports", _("Can see the manager's dashboards and reports")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(broadband__isnull=False, landline__isnull=True)
                | Q(broadband__isnull=True, landline__isnull=False),
                name="retentioncall_one_account",
            ),
            models.UniqueConstraint(fields=["broadband", "period"],
                                    condition=Q(broadband__isnull=False),
                                    name="retentioncall_broadband_once"),
            models.UniqueConstraint(fields=["landline", "period"],
                                    condition=Q(landline__isnull=False),
                                    name="retentioncall_landline_once"),
        ]
        indexes = [models.Index(fields=["service_point", "-called_at"], name="retention_sp")]

    def __str__(self) -> str:
        return f"{self.broadband or self.landline} {self.period:%Y-%m-%d}"
