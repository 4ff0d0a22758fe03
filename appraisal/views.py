"""Appraisal pages. Managers generate, score, sign and decide disputes; staff see only their
own scorecards (after signing), reviews and reward/penalty records, and acknowledge or
dispute them. Every write is one service call."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from appraisal import forms, selectors, services
from appraisal.filtersets import (
    ReviewFilterSet,
    RewardPenaltyFilterSet,
    ScorecardFilterSet,
    TemplateFilterSet,
)
from appraisal.models import (
    CallReview,
    Dispute,
    DisputeDecision,
    RewardPenalty,
    Scorecard,
    ScorecardState,
    ScorecardTemplate,
    TemplateKind,
    YearEndReview,
)
from appraisal.tables import (
    RankingTable,
    ReviewTable,
    RewardPenaltyTable,
    ScorecardTable,
    TemplateTable,
)
from servicedesk.forms import add_service_errors
from servicedesk.models import User
from servicedesk.roles import Role
from servicedesk.views.generic import (
    ObjectDetailView,
    ObjectListView,
    PdfMixin,
    RestrictedViewMixin,
)


def parse_month(value: str | None, default: date) -> date:
    if value and re.fullmatch(r"\d{4}-\d{2}", value):
        y, m = map(int, value.split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return date(y, m, 1)
    return default


def place_service_errors(bound: list, exc: ValidationError) -> None:
    """A service error on the form of the page that shows its field (a decision and its
    rescoring are two forms posted together); otherwise on top of the first form."""
    if not hasattr(exc, "error_dict"):
        bound[0].add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form = next((f for f in bound if name in f.fields), None)
        if form is None:
            bound[0].add_error(None, errors)
        else:
            add_service_errors(form, ValidationError({name: errors}))


# --- scorecards ----------------------------------------------------------------------------


class ScorecardListView(ObjectListView):
    queryset = Scorecard.objects.select_related("staff", "service_point")
    filterset_class = ScorecardFilterSet
    table_class = ScorecardTable
    template_name = "appraisal/scorecard_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = (_("Scorecards") if self.request.user.has_perm(
            "appraisal.sign_scorecard") else _("My scorecards"))
        return context


class MonthView(ObjectListView):
    """The manager's month: the team ranked by total, generate button, Excel export.

    The page draws its rows and filters with plain template loops over values prepared
    here: django-tables2's cells and Django's widget templates (an ``include`` per option
    of the 40 service points) cost more CPU than the rest of the page (bench/README.md).
    RankingTable serves the Excel export only, which has the whole month."""

    queryset = Scorecard.objects.all()
    permission_required = "appraisal.sign_scorecard"
    filterset_class = ScorecardFilterSet
    table_class = RankingTable
    template_name = "appraisal/month.html"
    export_formats = ("xlsx",)
    per_page = 50

    def get_month(self) -> date:
        return parse_month(self.request.GET.get("month"), services.previous_month())

    def get_queryset(self):
        return selectors.month_ranking(super().get_queryset(), self.get_month())

    def exporting(self) -> bool:
        return self.request.GET.get(self.export_trigger_param) in self.export_formats

    def get_table(self, **kwargs):
        return super().get_table(**kwargs) if self.exporting() else None

    def get_export_filename(self, export_format):
        return f"scorecards-{self.get_month():%Y-%m}.{export_format}"

    def get_page(self):
        """One page of the ranking without counting the month: one row more than a page
        tells whether there is a next one."""
        value = self.request.GET.get("page", "")
        number = int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1
        start = (number - 1) * self.per_page
        rows = list(self.object_list.values(*RANKING_VALUES)[start:start + self.per_page + 1])
        page = SimpleNamespace(number=number, has_previous=number > 1,
                               has_next=len(rows) > self.per_page,
                               previous_page_number=number - 1, next_page_number=number + 1)
        return page, rows[:self.per_page]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.exporting():
            return context
        month = self.get_month()
        page, ranking = self.get_page()
        detail_prefix = reverse("appraisal:scorecard_detail", args=[0])[:-2]
        context.update(
            title=_("Scorecards of %(month)s") % {"month": f"{month.year}年{month.month}月"},
            month=month, month_options=_options(forms._month_choices(), f"{month:%Y-%m}"),
            ranking=_ranking_rows(ranking, detail_prefix),
            page_obj=page, filters=_plain_filters(context["filter"].form),
        )
        return context


RANKING_VALUES = ("pk", "rank", "staff__full_name", "staff__username", "role",
                  "service_point__name", "proposed_total", "total", "max_total",
                  "demotion_below", "complaints", "median_transaction_seconds",
                  "call_quality_average", "pay_deduction", "state")
ROLE_LABELS = dict(Role.choices)
STATE_LABELS = dict(ScorecardState.choices)


def _ranking_rows(rows: list[dict], detail_prefix: str) -> str:
    """The ranking's table rows as one HTML string, every value escaped: a template loop
    over 50 rows of 11 cells costs ~600 variable lookups, this a few string joins."""
    esc = html.escape
    out = []
    for row in rows:
        demotion = row["demotion_below"]
        demoted = demotion is not None and row["total"] < demotion
        out_of = "" if row["max_total"] == 100 else f" / {row['max_total']:.0f}"
        median = row["median_transaction_seconds"]
        quality = row["call_quality_average"]
        cells = (
            f'<td>{row["rank"]}</td>'
            f'<td><a href="{esc(detail_prefix)}{row["pk"]}/">'
            f'{esc(row["staff__full_name"] or row["staff__username"])}</a></td>'
            f'<td>{esc(str(ROLE_LABELS.get(row["role"], row["role"])))}</td>'
            f'<td>{esc(row["service_point__name"] or "—")}</td>'
            f'<td class="text-end">{row["proposed_total"]}</td>'
            f'<td class="text-end fw-bold">{row["total"]}{out_of}</td>'
            f'<td class="text-end">{row["complaints"]}</td>'
            f'<td class="text-end">{"—" if median is None else median}</td>'
            f'<td class="text-end">{"—" if quality is None else quality}</td>'
            f'<td class="text-end">{row["pay_deduction"]}</td>'
            f'<td>{esc(str(STATE_LABELS.get(row["state"], row["state"])))}</td>'
        )
        out.append(f'<tr class="table-danger">{cells}</tr>' if demoted else f"<tr>{cells}</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 (every value above is escaped or a number)


def _options(choices, current: str) -> str:
    """``<option>`` elements of a select, the current value selected, all escaped."""
    esc = html.escape
    return mark_safe("".join(  # noqa: S308 (escaped)
        f'<option value="{esc(str(value))}"{" selected" if str(value) == current else ""}>'
        f"{esc(str(label))}</option>" for value, label in choices))


def _plain_filters(form) -> list[dict]:
    """The filter form's fields as values for a plain template loop: label, id, name,
    current value and, for a select, its options already drawn (``_options``)."""
    fields = []
    for bound in form:
        current = bound.value()
        current = "" if current is None else str(current)
        field = {"name": bound.html_name, "id": bound.id_for_label, "label": bound.label,
                 "value": current, "options": None}
        choices = getattr(bound.field, "choices", None)
        if choices is not None:
            field["options"] = _options(choices, current)
        fields.append(field)
    return fields


class GenerateView(RestrictedViewMixin, View):
    queryset = Scorecard.objects.all()
    permission_required = "appraisal.add_scorecard"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.GenerateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a month."))
            return HttpResponseRedirect(reverse("appraisal:month"))
        month = parse_month(form.cleaned_data["month"], services.previous_month())
        try:
            result = services.scorecard_generate_month(month=month, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _(
                "%(created)d draft scorecards generated for %(month)s (%(existing)d existed "
                "already).") % {"created": result.created, "existing": result.existing,
                                "month": f"{month:%Y-%m}"})
        return HttpResponseRedirect(reverse("appraisal:month") + f"?month={month:%Y-%m}")


class ScorecardDetailView(ObjectDetailView):
    queryset = selectors.scorecard_for_page(Scorecard.objects.all())
    template_name = "appraisal/scorecard_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card = self.object
        user = self.request.user
        is_manager = user.has_perm("appraisal.sign_scorecard")
        lines = list(card.lines.all())
        bound = self.kwargs.get("bound_forms", {})
        disputes = list(card.disputes.select_related("raised_by", "decided_by"))
        open_dispute = next((d for d in disputes if not d.decision), None)
        context.update(
            is_manager=is_manager,
            is_own=card.staff_id == user.pk,
            groups=selectors.lines_by_category(card),
            evidence=card.evidence.all(),
            disputes=disputes,
            open_dispute=open_dispute,
            trend=selectors.trend(card.staff, until=card.month, include_drafts=is_manager),
        )
        if is_manager and card.state == ScorecardState.DRAFT:
            context["score_form"] = bound.get("score") or forms.ScorecardScoreForm(
                scorecard=card, lines=lines)
        if is_manager and open_dispute:
            context["decide_form"] = bound.get("decide") or forms.DecideForm()
            context["rescore_form"] = bound.get("rescore") or forms.ScorecardScoreForm(
                scorecard=card, lines=lines)
        if card.staff_id == user.pk and card.state == ScorecardState.SIGNED:
            context["ack_form"] = bound.get("ack") or forms.AcknowledgeForm()
            context["dispute_form"] = bound.get("dispute") or forms.DisputeForm(
                auto_id="id_dispute_%s")
        return context


class _ScorecardAction(RestrictedViewMixin, View):
    """POST one action on a scorecard: form → service → back to the page."""

    queryset = Scorecard.objects.all()
    http_method_names = ["post"]
    permission_required = "appraisal.view_scorecard"
    name = ""
    form_class = None

    def make_form(self, card):
        return self.form_class(self.request.POST)

    def make_forms(self, card) -> dict:
        """The bound forms of the action, by their name on the detail page."""
        return {self.name: self.make_form(card)}

    def forms_valid(self, bound: dict) -> bool:
        return all([form.is_valid() for form in bound.values()])  # every form's errors

    def post(self, request, pk):
        card = get_object_or_404(self.get_queryset(), pk=pk)
        self.forms = bound = self.make_forms(card)
        form = bound[self.name]
        if self.forms_valid(bound):
            try:
                message = self.run(card, form)
            except services.AppraisalError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(card.get_absolute_url())
            except ValidationError as exc:
                place_service_errors(list(bound.values()), exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(card.get_absolute_url())
        view = ScorecardDetailView()
        view.setup(request, pk=card.pk, bound_forms=bound)
        view.object = view.get_object()
        context = view.get_context_data(object=view.object)
        return TemplateResponse(request, view.get_template_names(), context, status=400)


class ScorecardScoreView(_ScorecardAction):
    permission_required = "appraisal.sign_scorecard"
    name = "score"

    def make_form(self, card):
        return forms.ScorecardScoreForm(self.request.POST, scorecard=card,
                                        lines=list(card.lines.all()))

    def run(self, card, form):
        services.scorecard_score(
            scorecard=card, by=self.request.user, scores=form.scores(),
            remarks=form.remarks_by_line(), card_remarks=form.cleaned_data["remarks"],
            performance_pay=form.cleaned_data["performance_pay"],
            quarreled=form.cleaned_data["quarreled"])
        if "sign" in self.request.POST:
            services.scorecard_sign(scorecard=card, by=self.request.user)
            return _("Scorecard signed: %(staff)s can now see it.") % {"staff": card.staff}
        return _("Scores saved.")


class ScorecardSignView(_ScorecardAction):
    permission_required = "appraisal.sign_scorecard"
    form_class = forms.Form

    def run(self, card, form):
        services.scorecard_sign(scorecard=card, by=self.request.user)
        return _("Scorecard signed: %(staff)s can now see it.") % {"staff": card.staff}


class ScorecardRefreshView(_ScorecardAction):
    permission_required = "appraisal.sign_scorecard"
    form_class = forms.Form

    def run(self, card, form):
        services.scorecard_refresh_evidence(scorecard=card, by=self.request.user)
        return _("Evidence collected again.")


class ScorecardAcknowledgeView(_ScorecardAction):
    name = "ack"
    form_class = forms.AcknowledgeForm

    def run(self, card, form):
        services.scorecard_acknowledge(scorecard=card, by=self.request.user,
                                       comment=form.cleaned_data["comment"])
        return _("You acknowledged the scorecard.")


class ScorecardDisputeView(_ScorecardAction):
    name = "dispute"
    form_class = forms.DisputeForm

    def run(self, card, form):
        services.scorecard_dispute(scorecard=card, by=self.request.user,
                                   comment=form.cleaned_data["comment"])
        return _("Your dispute went to the manager.")


class ScorecardDecideView(_ScorecardAction):
    """Accept (rescoring), partly accept or reject the open dispute. The new item scores
    and remarks come in the same form; they are checked unless the dispute is rejected."""

    permission_required = "appraisal.sign_scorecard"
    name = "decide"

    def make_forms(self, card):
        return {"decide": forms.DecideForm(self.request.POST),
                "rescore": forms.ScorecardScoreForm(self.request.POST, scorecard=card,
                                                    lines=list(card.lines.all()))}

    def forms_valid(self, bound):
        if not bound["decide"].is_valid():
            bound["rescore"].is_valid()
            return False
        rejected = bound["decide"].cleaned_data["decision"] == DisputeDecision.REJECTED
        return rejected or bound["rescore"].is_valid()

    def run(self, card, form):
        dispute = card.disputes.filter(decision="").first()
        if dispute is None:
            raise services.AppraisalError(_("There is no open dispute."))
        rescore = self.forms["rescore"]
        rescoring = form.cleaned_data["decision"] != DisputeDecision.REJECTED
        services.dispute_decide(
            dispute=dispute, by=self.request.user, decision=form.cleaned_data["decision"],
            response=form.cleaned_data["response"],
            scores=rescore.scores() if rescoring else None,
            remarks=rescore.remarks_by_line() if rescoring else None,
            quarreled=rescore.cleaned_data["quarreled"] if rescoring else None)
        return _("Dispute decided; the scorecard is back with %(staff)s.") % {"staff": card.staff}


class ScorecardPdfView(PdfMixin, ObjectDetailView):
    queryset = selectors.scorecard_for_page(Scorecard.objects.all())
    pdf_template = "pdf/scorecard.html"

    def get_pdf_context(self, context):
        card = self.object
        return {"card": card, "groups": selectors.lines_by_category(card),
                "evidence": card.evidence.all(),
                "disputes": card.disputes.select_related("decided_by")}

    def get_pdf_filename(self):
        return f"scorecard-{self.object.staff.username}-{self.object.month:%Y-%m}.pdf"


# --- year end and trend ----------------------------------------------------------------------


class YearEndView(RestrictedViewMixin, TemplateView):
    """A person's year: the 12-month trend, the monthly scorecards, and 004's year-end
    total (checks 20% + monthly 30% + year-end 50%)."""

    queryset = YearEndReview.objects.all()
    permission_required = "appraisal.view_yearendreview"
    template_name = "appraisal/year_end.html"

    def get_person(self):
        user = self.request.user
        if not user.has_perm("appraisal.sign_scorecard"):
            return user
        pk = self.request.GET.get("staff") or self.request.POST.get("staff")
        if not pk:
            return None
        people = User.objects.filter(is_active=True).restrict(user)
        return get_object_or_404(people, pk=pk) if str(pk).isdigit() else None

    def get_year(self) -> int:
        value = self.request.GET.get("year") or self.request.POST.get("year") or ""
        return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else (
            timezone.localdate().year)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, year = self.get_person(), self.get_year()
        is_manager = self.request.user.has_perm("appraisal.sign_scorecard")
        context.update(person=person, year=year, is_manager=is_manager,
                       staff_choices=(User.objects.filter(is_active=True)
                                      .restrict(self.request.user)
                                      .filter(groups__name__in=[Role.CLERK, Role.AGENT])
                                      .order_by("username") if is_manager else []))
        if person is not None:
            cards = Scorecard.objects.filter(staff=person, month__year=year).order_by("month")
            if not is_manager:
                cards = cards.exclude(state=ScorecardState.DRAFT)
            context.update(
                cards=cards, figures=services.year_figures(person, year),
                review=YearEndReview.objects.filter(staff=person, year=year).first(),
                trend=selectors.trend(person, until=min(date(year, 12, 1),
                                                        timezone.localdate().replace(day=1)),
                                      include_drafts=is_manager),
                form=kwargs.get("form") or (forms.YearEndForm() if is_manager else None))
        return context

    def post(self, request):
        if not request.user.has_perm("appraisal.add_yearendreview"):
            raise Http404
        person, year = self.get_person(), self.get_year()
        if person is None:
            raise Http404
        form = forms.YearEndForm(request.POST)
        if form.is_valid():
            try:
                services.year_end_record(by=request.user, staff=person, year=year,
                                         **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Year-end total saved."))
                return HttpResponseRedirect(
                    reverse("appraisal:year_end") + f"?staff={person.pk}&year={year}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- call-quality reviews ------------------------------------------------------------------


class ReviewListView(ObjectListView):
    queryset = CallReview.objects.select_related("agent", "reviewer")
    filterset_class = ReviewFilterSet
    table_class = ReviewTable

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("appraisal:review_add")
        return context


def _agents(user):
    return (User.objects.filter(is_active=True, groups__name=Role.AGENT).restrict(user)
            .exclude(pk=user.pk).order_by("username"))


def find_call(ref: str):
    """X-00012 (a fault, by its area mark), TS-00003 (complaint), ZX-00007 (case)."""
    from tickets.models import Complaint, Fault, Inquiry

    match = re.fullmatch(r"\s*([A-Za-z0-9]+)-0*(\d+)\s*", ref or "")
    if not match:
        return None
    prefix, pk = match.group(1).upper(), int(match.group(2))
    if prefix == "TS":
        return Complaint.objects.filter(pk=pk).first()
    if prefix == "ZX":
        return Inquiry.objects.filter(pk=pk).first()
    return Fault.objects.filter(pk=pk, mark=prefix).first()


class ReviewCreateView(RestrictedViewMixin, TemplateView):
    queryset = CallReview.objects.all()
    permission_required = "appraisal.add_callreview"
    template_name = "appraisal/review_form.html"
    calibrating = None

    def get_rubric(self):
        return (self.calibrating.rubric if self.calibrating else services.rubric_default())

    def make_form(self, data=None):
        return forms.ReviewForm(data, rubric=self.get_rubric(), agents=_agents(self.request.user),
                                calibrating=self.calibrating)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        context["calibrating"] = self.calibrating
        context["rubric"] = self.get_rubric()
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            call = {}
            if self.calibrating is None:
                record = find_call(data["call_ref"])
                if record is None:
                    form.add_error("call_ref", _("No fault, complaint or case with this number."))
                else:
                    call = {record._meta.model_name: record}
            if form.is_valid():
                try:
                    review = services.review_create(
                        reviewer=request.user, agent=data.get("agent") or self.calibrating.agent,
                        call_at=data.get("call_at") or self.calibrating.call_at,
                        points=form.points(), fatal_errors=data["fatal_errors"],
                        remarks=data["remarks"], rubric=self.get_rubric(),
                        calibrates=self.calibrating, **call)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Review saved: %(score)s points.")
                                     % {"score": review.final_score})
                    return HttpResponseRedirect(review.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReviewCalibrateView(ReviewCreateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.calibrating = get_object_or_404(
                CallReview.objects.restrict(request.user).filter(is_calibration=False),
                pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class ReviewDetailView(ObjectDetailView):
    queryset = CallReview.objects.select_related("agent", "reviewer", "rubric", "fault",
                                                 "complaint", "inquiry", "calibrates")
    template_name = "appraisal/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.object
        user = self.request.user
        original = review.calibrates if review.is_calibration else review
        others = []
        if user.has_perm("appraisal.sign_scorecard") or review.reviewer_id == user.pk:
            others = list(original.calibrations.select_related("reviewer"))
        items = []
        for category in review.rubric.categories.prefetch_related("items"):
            for item in category.items.all():
                mine = review.points.get(item.code)
                items.append({"category": category, "item": item, "points": mine,
                              "others": [o.points.get(item.code) for o in others]})
        fatal = {f.code: f.name for f in review.rubric.fatal_errors.all()}
        disputes = list(review.disputes.select_related("raised_by", "decided_by"))
        open_dispute = next((d for d in disputes if not d.decision), None)
        context.update(
            items=items, others=others, original=original,
            fatal=[fatal.get(c, c) for c in review.fatal_errors],
            differences=[{"review": o, "diff": o.final_score - original.final_score}
                         for o in others if o.pk != original.pk],
            disputes=disputes,
            open_dispute=open_dispute,
            dispute_form=(kwargs.get("dispute_form") or forms.DisputeForm())
            if (review.agent_id == user.pk and not review.is_calibration
                and review.state == "submitted") else None,
            can_calibrate=(user.has_perm("appraisal.add_callreview")
                           and original.reviewer_id != user.pk),
        )
        if open_dispute and user.has_perm("appraisal.change_dispute"):
            context["decide_form"] = kwargs.get("decide_form") or forms.DecideForm()
            context["rescore_form"] = (kwargs.get("rescore_form")
                                       or forms.ReviewRescoreForm(review=review))
        return context


class ReviewDisputeView(RestrictedViewMixin, View):
    queryset = CallReview.objects.all()
    permission_required = "appraisal.view_callreview"
    http_method_names = ["post"]

    def post(self, request, pk):
        review = get_object_or_404(self.get_queryset(), pk=pk)
        form = forms.DisputeForm(request.POST)
        if form.is_valid():
            try:
                services.review_dispute(review=review, by=request.user,
                                        comment=form.cleaned_data["comment"])
            except (services.AppraisalError, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Your dispute went to the manager."))
        else:
            messages.error(request, _("Say what you disagree with."))
        return HttpResponseRedirect(review.get_absolute_url())


class ReviewDecideView(RestrictedViewMixin, View):
    """Accept (rescoring the review's points and fatal errors), partly accept or reject the
    agent's dispute; a form error shows the review page again with the forms as posted."""

    queryset = Dispute.objects.all()
    permission_required = "appraisal.change_dispute"
    http_method_names = ["post"]

    def post(self, request, pk):
        review = get_object_or_404(
            ReviewDetailView.queryset.restrict(request.user), pk=pk)
        dispute = get_object_or_404(self.get_queryset(), review=review, decision="")
        form = forms.DecideForm(request.POST)
        rescore = forms.ReviewRescoreForm(request.POST, review=review)
        valid = form.is_valid()
        rejected = valid and form.cleaned_data["decision"] == DisputeDecision.REJECTED
        if valid and (rejected or rescore.is_valid()):
            try:
                services.dispute_decide(
                    dispute=dispute, by=request.user, decision=form.cleaned_data["decision"],
                    response=form.cleaned_data["response"],
                    points=None if rejected else rescore.points(),
                    fatal_errors=None if rejected else rescore.cleaned_data["fatal_errors"])
            except services.AppraisalError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(review.get_absolute_url())
            except ValidationError as exc:
                place_service_errors([form, rescore], exc)
            else:
                messages.success(request, _("Dispute decided."))
                return HttpResponseRedirect(review.get_absolute_url())
        elif not valid:
            rescore.is_valid()
        view = ReviewDetailView()
        view.setup(request, pk=review.pk)
        view.object = view.get_object()
        context = view.get_context_data(object=view.object, decide_form=form,
                                        rescore_form=rescore)
        return TemplateResponse(request, view.get_template_names(), context, status=400)


# --- rewards and penalties -----------------------------------------------------------------


class RewardPenaltyListView(ObjectListView):
    queryset = RewardPenalty.objects.select_related("person", "recorder")
    filterset_class = RewardPenaltyFilterSet
    table_class = RewardPenaltyTable

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("appraisal:rewardpenalty_add")
        return context


class RewardPenaltyCreateView(RestrictedViewMixin, TemplateView):
    queryset = RewardPenalty.objects.all()
    permission_required = "appraisal.add_rewardpenalty"
    template_name = "appraisal/rewardpenalty_form.html"

    def people(self):
        return (User.objects.filter(is_active=True).restrict(self.request.user)
                .exclude(groups__name=Role.MANAGER).order_by("username"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.RewardPenaltyForm(
            people=self.people(),
            initial={"on": timezone.localdate(), "idempotency_key": uuid.uuid4()}))
        return context

    def post(self, request):
        form = forms.RewardPenaltyForm(request.POST, people=self.people())
        if form.is_valid():
            try:
                record = services.reward_penalty_record(recorder=request.user,
                                                        **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Recorded: %(number)s") % {"number": record.number})
                return HttpResponseRedirect(record.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RewardPenaltyDetailView(ObjectDetailView):
    queryset = RewardPenalty.objects.select_related("person", "recorder")
    template_name = "appraisal/rewardpenalty_detail.html"


class RewardPenaltyPdfView(PdfMixin, ObjectDetailView):
    queryset = RewardPenalty.objects.select_related("person", "recorder")
    pdf_template = "pdf/reward_penalty.html"

    def get_pdf_context(self, context):
        return {"record": self.object}

    def get_pdf_filename(self):
        return f"reward-penalty-{self.object.number}.pdf"


# --- templates ---------------------------------------------------------------------------------


class TemplateListView(ObjectListView):
    queryset = ScorecardTemplate.objects.all()
    filterset_class = TemplateFilterSet
    table_class = TemplateTable


class TemplateDetailView(ObjectDetailView):
    queryset = ScorecardTemplate.objects.prefetch_related("categories__items", "fatal_errors")
    template_name = "appraisal/template_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_rubric"] = self.object.kind == TemplateKind.CALL_QUALITY
        return context


class TemplateEditView(RestrictedViewMixin, TemplateView):
    """Edit a template. Its structure (categories, weights, items) only while nothing was
    made with it; a template in use offers its copy as a new version instead."""

    queryset = ScorecardTemplate.objects.all()
    permission_required = "appraisal.change_scorecardtemplate"
    template_name = "appraisal/template_edit.html"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = kwargs.get("template") or self.get_object()
        used = kwargs["used"] if "used" in kwargs else services.template_usage(template)
        context.update(object=template, used=used,
                       in_use_message=services.template_in_use_message(used) if used else "",
                       form=kwargs.get("form") or forms.TemplateEditForm(
                           template=template, structure=not used))
        return context

    def post(self, request, pk):
        template = self.get_object()
        used = services.template_usage(template)
        form = forms.TemplateEditForm(request.POST, template=template, structure=not used)
        if used and any(key.startswith(("cat_", "item_", "new", "fatal_"))
                        for key in request.POST):
            # the page was opened before the first scorecard was made with the template
            form.is_valid()
            form.add_error(None, services.template_in_use_message(used))
        elif form.is_valid():
            try:
                services.template_update(template=template, by=request.user,
                                         name=form.cleaned_data["name"],
                                         is_default=form.cleaned_data["is_default"],
                                         is_active=form.cleaned_data["is_active"],
                                         **form.changes())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Template saved. Scorecards already generated "
                                            "keep the version they were made with."))
                return HttpResponseRedirect(template.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(form=form, template=template, used=used), status=400)


class TemplateCopyView(RestrictedViewMixin, View):
    queryset = ScorecardTemplate.objects.all()
    permission_required = "appraisal.change_scorecardtemplate"
    http_method_names = ["post"]

    def post(self, request, pk):
        template = get_object_or_404(self.get_queryset(), pk=pk)
        copy = services.template_copy(template=template, by=request.user)
        messages.success(request, _("Copied as %(name)s.") % {"name": copy.name})
        return HttpResponseRedirect(reverse("appraisal:template_edit", args=[copy.pk]))
