"""Staff appraisal (handbook 001 第六章, seeds 000/003/004; DOMAIN.md §6).

- Templates are data: ``ScorecardTemplate`` → ``TemplateCategory`` (weight) →
  ``TemplateItem`` (max points or a deduction, and which evidence proposes its score).
  The same tables hold the call-quality rubric (kind ``call_quality``) with its
  ``FatalError`` list.
- ``Scorecard``: one per staff member and month. Generating it snapshots the template
  into ``ScorecardLine`` rows (names, weights, max points), so editing a template never
  changes a scorecard; ``ScorecardEvidence`` links each fact to the record it came from.
- ``CallReview``: one scored call (raw and final score; calibration reviews count for
  nothing). ``Dispute``: a staff member's objection to a scorecard or a review, and the
  manager's decision. ``RewardPenalty``: the 奖罚记录表. ``YearEndReview``: 004's
  year-end weighting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.audit import audited
from servicedesk.querysets import RestrictedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}
POINTS = {"max_digits": 6, "decimal_places": 2}


def _user_fk(verbose_name, *, null=False, related_name="+"):
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name,
                             on_delete=models.PROTECT, null=null, blank=null,
                             related_name=related_name)


def _is_manager(user) -> bool:
    return user.is_superuser or user.has_perm("appraisal.sign_scorecard")


class TemplateKind(models.TextChoices):
    SCORECARD = "scorecard", _("Monthly scorecard")
    CALL_QUALITY = "call_quality", _("Call-quality rubric")


class Scheme(models.TextChoices):
    WEIGHTED = "weighted", _("Weighted categories (total out of 100)")
    POINTS = "points", _("Bonus and deduction points (total of the categories)")


class ItemMode(models.TextChoices):
    AWARD = "award", _("Points awarded (0 to max)")
    DEDUCT = "deduct", _("Points deducted (from the category's max)")


class EvidenceKind(models.TextChoices):
    NONE = "", _("Manager's judgement")
    COMPLAINTS = "complaints", _("Substantiated complaints against the person")
    ENTRY_ERRORS = "entry_errors", _("Entry errors flagged on their orders or faults")
    SLOW_TRANSACTIONS = "slow_transactions", _("Counter transactions over 3 minutes")
    LATE_CLOSES = "late_closes", _("Late daily closes")
    OVERDUE_FAULTS = "overdue_faults", _("Overdue faults they owned")
    OVERDUE_CALLBACKS = "overdue_callbacks", _("Overdue callbacks and cases they owned")
    CALLBACKS_DONE = "callbacks_done", _("Callbacks done")
    CALL_QUALITY = "call_quality", _("Call-quality average")
    PENALTIES = "penalties", _("Penalty records")
    REWARDS = "rewards", _("Reward records")


@audited()
class ScorecardTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=14, choices=TemplateKind.choices,
                            default=TemplateKind.SCORECARD)
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices,
                              default=Scheme.WEIGHTED)
    role = models.CharField(_("applies to role"), max_length=12, blank=True,
                            help_text=_("clerk, agent…; empty for any role."))
    is_default = models.BooleanField(_("default for the role"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    demotion_below = models.DecimalField(_("demotion below"), null=True, blank=True, **POINTS)
    source = models.CharField(_("source"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = None

    class Meta:
        ordering = ["kind", "-is_default", "code"]
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "role"], condition=Q(is_default=True),
                                    name="template_one_default_per_role",
                                    violation_error_message=_(
                                        "A role has one default template.")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("appraisal:template_detail", args=[self.pk])


@audited()
class TemplateCategory(models.Model):
    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE,
                                 related_name="categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    weight = models.DecimalField(_("weight %"), **POINTS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("template category")
        verbose_name_plural = _("template categories")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="category_code"),
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=200),
                                   name="category_weight_range"),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class TemplateItem(models.Model):
    category = models.ForeignKey(TemplateCategory, on_delete=models.CASCADE,
                                 related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("item"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    mode = models.CharField(_("mode"), max_length=8, choices=ItemMode.choices,
                            default=ItemMode.AWARD)
    max_points = models.DecimalField(_("max points"), **POINTS)
    evidence = models.CharField(_("evidence"), max_length=20, blank=True,
                                choices=EvidenceKind.choices)
    points_per_unit = models.DecimalField(
        _("points per evidence unit"), default=0, **POINTS,
        help_text=_("Deducted (or added) per complaint, error, late close…"))
    reconstructed = models.BooleanField(
        _("reconstructed"), default=False,
        help_text=_("Not legible in the source document: filled in to make 100 points."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["category", "order", "pk"]
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="item_code"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="item_max_positive",
                                   violation_error_message=_(
                                       "Max points must be more than 0.")),
        ]

    def __str__(self) -> str:
        return self.name


class FatalError(models.Model):
    """A fatal error of the call-quality rubric (000): any of them zeroes the call."""

    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE,
                                 related_name="fatal_errors")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("fatal error"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("fatal error")
        verbose_name_plural = _("fatal errors")
        constraints = [models.UniqueConstraint(fields=["template", "code"],
                                               name="fatal_error_code")]

    def __str__(self) -> str:
        return self.name


# --- scorecards ----------------------------------------------------------------------------


class ScorecardState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed, awaiting the staff member")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPUTED = "disputed", _("Disputed")


class OwnOrManagerQuerySet(RestrictedQuerySet):
    """Managers see everything (within their service point); others only their own rows."""

    person_field = "staff"

    def restrict(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if _is_manager(user):
            return super().restrict(user)
        return self.filter(**{self.person_field: user})


class ScorecardQuerySet(OwnOrManagerQuerySet):
    def restrict(self, user):
        qs = super().restrict(user)
        if user is not None and user.is_authenticated and not _is_manager(user):
            # 考评结果向本人公开: after the manager signs, not while it is a draft
            qs = qs.exclude(state=ScorecardState.DRAFT)
        return qs


@audited()
class Scorecard(models.Model):
    staff = _user_fk(_("staff member"), related_name="scorecards")
    month = models.DateField(_("month"), help_text=_("The first day of the month scored."))
    service_point = models.ForeignKey("servicedesk.ServicePoint", verbose_name=_("service point"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    role = models.CharField(_("role"), max_length=12)
    template = models.ForeignKey(ScorecardTemplate, verbose_name=_("template"),
                                 on_delete=models.PROTECT, related_name="scorecards")
    template_name = models.CharField(_("template"), max_length=80)
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    max_total = models.DecimalField(_("out of"), default=100, **POINTS)
    demotion_below = models.DecimalField(_("demotion below"), null=True, blank=True, **POINTS)
    state = models.CharField(_("state"), max_length=12, choices=ScorecardState.choices,
                             default=ScorecardState.DRAFT)
    proposed_total = models.DecimalField(_("proposed total"), default=0, **POINTS)
    total = models.DecimalField(_("total"), default=0, **POINTS)
    # money (001 第六章 注): 50 yuan a substantiated complaint, a quarrel forfeits it all
    performance_pay = models.DecimalField(_("performance pay"), default=0, **MONEY)
    complaints = models.PositiveSmallIntegerField(_("substantiated complaints"), default=0)
    quarreled = models.BooleanField(_("quarrel with a customer"), default=False)
    pay_deduction = models.DecimalField(_("performance pay deducted"), default=0, **MONEY)
    median_transaction_seconds = models.PositiveIntegerField(
        _("median transaction time (s)"), null=True, blank=True)
    call_quality_average = models.DecimalField(_("call-quality average"), null=True,
                                               blank=True, **POINTS)
    remarks = models.TextField(_("manager's remarks"), blank=True)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_by = _user_fk(_("signed by"), null=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    staff_comment = models.CharField(_("staff member's comment"), max_length=500, blank=True)

    objects = ScorecardQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-month", "staff__username"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        permissions = [("sign_scorecard", _("Can score and sign scorecards"))]
        indexes = [
            models.Index(fields=["month", "-total"], name="scorecard_month_total"),
            models.Index(fields=["staff", "-month"], name="scorecard_staff_month"),
            models.Index(fields=["service_point", "month"], name="scorecard_sp_month"),
            models.Index(fields=["state", "month"], name="scorecard_state_month"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="scorecard_once_a_month",
                                    violation_error_message=_(
                                        "This person already has a scorecard for the month.")),
            models.CheckConstraint(condition=Q(month__day=1), name="scorecard_month_first_day"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(signed_at__isnull=False),
                name="scorecard_signed_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("appraisal:scorecard_detail", args=[self.pk])

    @property
    def role_label(self) -> str:
        from servicedesk.roles import Role

        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def is_demoted(self) -> bool:
        return self.demotion_below is not None and self.total < self.demotion_below


@audited()
class ScorecardLine(models.Model):
    """One item of a scorecard: the template item as it was, the proposal and the score."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    category_code = models.CharField(max_length=40)
    category_name = models.CharField(_("category"), max_length=60)
    category_weight = models.DecimalField(_("weight %"), **POINTS)
    code = models.CharField(max_length=40)
    name = models.CharField(_("item"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    mode = models.CharField(_("mode"), max_length=8, choices=ItemMode.choices)
    max_points = models.DecimalField(_("max points"), **POINTS)
    evidence = models.CharField(_("evidence"), max_length=20, blank=True,
                                choices=EvidenceKind.choices)
    evidence_count = models.PositiveIntegerField(_("evidence"), default=0)
    proposed = models.DecimalField(_("proposed"), **POINTS)
    score = models.DecimalField(_("score"), **POINTS)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scorecard", "order", "pk"]
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "category_code", "code"],
                                    name="scorecardline_item"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=models.F(
                "max_points")), name="scorecardline_score_range",
                violation_error_message=_("A score lies between 0 and the item's maximum.")),
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardEvidence(models.Model):
    """One fact behind a scorecard, linked to the record it came from."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("evidence"), max_length=20, choices=EvidenceKind.choices)
    label = models.CharField(_("record"), max_length=120)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), null=True, blank=True)

    class Meta:
        ordering = ["scorecard", "kind", "at", "pk"]
        verbose_name = _("scorecard evidence")
        verbose_name_plural = _("scorecard evidence")
        indexes = [models.Index(fields=["scorecard", "kind"], name="evidence_card_kind")]

    def __str__(self) -> str:
        return self.label


# --- call-quality reviews -------------------------------------------------------------------


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPUTED = "disputed", _("Disputed")
    ACCEPTED = "accepted", _("Accepted by the agent")


class CallReviewQuerySet(RestrictedQuerySet):
    """Managers see all; a reviewer the reviews they wrote; an agent the reviews of them."""

    def restrict(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if _is_manager(user):
            return self
        return self.filter(Q(reviewer=user) | Q(agent=user, is_calibration=False))


@audited()
class CallReview(models.Model):
    rubric = models.ForeignKey(ScorecardTemplate, verbose_name=_("rubric"),
                               on_delete=models.PROTECT, related_name="reviews")
    agent = _user_fk(_("agent"), related_name="call_reviews")
    reviewer = _user_fk(_("reviewer"), related_name="call_reviews_written")
    call_at = models.DateTimeField(_("call time"))
    fault = models.ForeignKey("tickets.Fault", verbose_name=_("fault"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    complaint = models.ForeignKey("tickets.Complaint", verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    inquiry = models.ForeignKey("tickets.Inquiry", verbose_name=_("case"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    points = models.JSONField(_("points"), default=dict)
    fatal_errors = models.JSONField(_("fatal errors"), default=list, blank=True)
    raw_score = models.DecimalField(_("raw score"), **POINTS)
    final_score = models.DecimalField(_("final score"), **POINTS)
    is_calibration = models.BooleanField(
        _("calibration review"), default=False,
        help_text=_("A second reviewer's score of the same call: shown beside the first, "
                    "not counted for the agent."))
    calibrates = models.ForeignKey("self", verbose_name=_("calibrates"),
                                   on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="calibrations")
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices,
                             default=ReviewState.SUBMITTED)
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    objects = CallReviewQuerySet.as_manager()
    service_point_path = None

    class Meta:
        ordering = ["-call_at", "-pk"]
        verbose_name = _("call-quality review")
        verbose_name_plural = _("call-quality reviews")
        indexes = [
            models.Index(fields=["agent", "call_at"], name="callreview_agent"),
            models.Index(fields=["reviewer", "-call_at"], name="callreview_reviewer"),
            models.Index(fields=["-call_at"], name="callreview_call_at"),
            models.Index(fields=["calibrates"], name="callreview_calibrates"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_calibration=False, calibrates__isnull=True)
                | Q(is_calibration=True, calibrates__isnull=False),
                name="callreview_calibration_has_original"),
            models.CheckConstraint(
                condition=Q(fault__isnull=False) | Q(complaint__isnull=False)
                | Q(inquiry__isnull=False),
                name="callreview_has_call",
                violation_error_message=_("Pick the fault, complaint or case of the call.")),
            models.UniqueConstraint(fields=["calibrates", "reviewer"],
                                    name="callreview_one_calibration_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.call_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("appraisal:review_detail", args=[self.pk])

    @property
    def call(self):
        return self.fault or self.complaint or self.inquiry


# --- disputes ---------------------------------------------------------------------------------


class DisputeDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted (rescored)")
    PARTLY = "partly", _("Partly accepted (rescored)")
    REJECTED = "rejected", _("Rejected")


class DisputeQuerySet(RestrictedQuerySet):
    def restrict(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if _is_manager(user):
            return self
        return self.filter(raised_by=user)


@audited()
class Dispute(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="disputes")
    review = models.ForeignKey(CallReview, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="disputes")
    raised_by = _user_fk(_("raised by"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    comment = models.CharField(_("why"), max_length=500)
    decision = models.CharField(_("decision"), max_length=10, blank=True,
                                choices=DisputeDecision.choices)
    response = models.CharField(_("manager's answer"), max_length=500, blank=True)
    decided_by = _user_fk(_("decided by"), null=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    total_before = models.DecimalField(_("score before"), null=True, blank=True, **POINTS)
    total_after = models.DecimalField(_("score after"), null=True, blank=True, **POINTS)
    # what the rescoring changed, item by item: [{"item", "before", "after"}, …]
    changes = models.JSONField(_("changes"), default=list, blank=True)

    objects = DisputeQuerySet.as_manager()
    service_point_path = None

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [models.Index(fields=["decision", "-raised_at"], name="dispute_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scorecard__isnull=False, review__isnull=True)
                | Q(scorecard__isnull=True, review__isnull=False),
                name="dispute_one_subject"),
            # one open dispute at a time per scorecard / review (double submit)
            models.UniqueConstraint(fields=["scorecard"], condition=Q(decision=""),
                                    name="dispute_open_scorecard"),
            models.UniqueConstraint(fields=["review"], condition=Q(decision=""),
                                    name="dispute_open_review"),
        ]

    def __str__(self) -> str:
        return f"{self.raised_by} · {self.raised_at:%Y-%m-%d}"


# --- rewards and penalties ---------------------------------------------------------------------


class RewardKind(models.TextChoices):
    REWARD = "reward", _("Reward")
    PENALTY = "penalty", _("Penalty")


class RewardPenaltyQuerySet(OwnOrManagerQuerySet):
    person_field = "person"


@audited()
class RewardPenalty(models.Model):
    """客服中心奖罚记录表 (000): number, person, reason, handling, amount, recorder, date."""

    number = models.CharField(_("number"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=RewardKind.choices)
    person = _user_fk(_("person"), related_name="rewards_penalties")
    service_point = models.ForeignKey("servicedesk.ServicePoint", verbose_name=_("service point"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    handling = models.CharField(_("handling"), max_length=300)
    amount = models.DecimalField(_("amount"), default=0, **MONEY)
    points = models.DecimalField(_("scorecard points"), default=0, **POINTS,
                                 help_text=_("Added (reward) or deducted (penalty) on the "
                                             "month's scorecard."))
    quarrel = models.BooleanField(_("quarrel with a customer"), default=False,
                                  help_text=_("Forfeits the month's performance pay."))
    on = models.DateField(_("date"))
    recorder = _user_fk(_("recorder"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = RewardPenaltyQuerySet.as_manager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        indexes = [
            models.Index(fields=["person", "on"], name="rewardpenalty_person"),
            models.Index(fields=["-on"], name="rewardpenalty_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(points__gte=0),
                                   name="rewardpenalty_non_negative",
                                   violation_error_message=_(
                                       "Amounts and points are entered without a sign.")),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("appraisal:rewardpenalty_detail", args=[self.pk])


class RewardPenaltyCounter(models.Model):
    """The last number of a month (201203001 …), locked while numbering."""

    month = models.CharField(max_length=6, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month}: {self.last}"


# --- year end -----------------------------------------------------------------------------------


class YearEndQuerySet(OwnOrManagerQuerySet):
    pass


@audited()
class YearEndReview(models.Model):
    """004 4.6: year-end = checks 20% + monthly average 30% + year-end appraisal 50%."""

    staff = _user_fk(_("staff member"), related_name="year_end_reviews")
    year = models.PositiveSmallIntegerField(_("year"))
    checks_score = models.DecimalField(_("checks (20%)"), **POINTS)
    monthly_score = models.DecimalField(_("monthly average (30%)"), **POINTS)
    year_end_score = models.DecimalField(_("year-end appraisal (50%)"), **POINTS)
    total = models.DecimalField(_("year total"), **POINTS)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)
    recorded_by = _user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = YearEndQuerySet.as_manager()
    service_point_path = None

    class Meta:
        ordering = ["-year", "staff__username"]
        verbose_name = _("year-end review")
        verbose_name_plural = _("year-end reviews")
        constraints = [models.UniqueConstraint(fields=["staff", "year"],
                                               name="yearend_once_a_year")]

    def __str__(self) -> str:
        return f"{self.staff} · {self.year}"
