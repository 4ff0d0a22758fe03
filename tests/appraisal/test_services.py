"""Generating a month with evidence, scoring, signing, acknowledging, disputing."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from appraisal import services
from appraisal.models import (
    CallReview,
    RewardPenalty,
    Scorecard,
    ScorecardState,
    ScorecardTemplate,
    TemplateItem,
)
from tests.appraisal.conftest import MONTH, sh

pytestmark = pytest.mark.django_db


def test_seed_templates_are_data_with_the_handbook_weights(templates):
    clerk = ScorecardTemplate.objects.get(code="clerk-handbook")
    weights = [int(c.weight) for c in clerk.categories.all()]
    assert weights == [10, 20, 20, 20, 10, 20]
    assert clerk.is_default and clerk.role == "clerk"
    deqin = ScorecardTemplate.objects.get(code="de-qin-neng-ji")
    assert [int(c.weight) for c in deqin.categories.all()] == [20, 20, 30, 30]
    points = ScorecardTemplate.objects.get(code="points-200")
    assert points.demotion_below == 140
    rubric = ScorecardTemplate.objects.get(code="call-quality")
    items = TemplateItem.objects.filter(category__template=rubric)
    assert sum(i.max_points for i in items) == 100
    reconstructed = items.filter(reconstructed=True)
    assert reconstructed.exists() and all("重构" in i.description for i in reconstructed)
    assert rubric.fatal_errors.filter(name__contains="2分钟").exists()
    # loading again changes nothing (idempotent); a forced load restores edited seeds
    assert services.templates_load_defaults() == 0
    clerk.categories.filter(code="attendance").update(name="改过")
    services.templates_load_defaults(force=True)
    assert clerk.categories.get(code="attendance").name == "当月考勤记录"
    assert ScorecardTemplate.objects.count() == 5


def test_a_forced_load_never_changes_a_template_in_use(month_of_evidence, clerk, tmp_path):
    """The seed file is data like a manager's edit: a template scorecards were made with
    keeps its categories and items; the file's version comes in as a new version, the
    default in its place, once however often the load runs."""
    seed = json.loads(services.FIXTURE.read_text(encoding="utf-8"))
    for t in seed["templates"]:  # what was loaded is what the file says
        stored = ScorecardTemplate.objects.get(code=t["code"])
        assert services._stored_shape(stored) == services._seed_shape(t), t["code"]
    services.scorecard_generate_month(month=MONTH, only_staff=[clerk.pk])
    original = ScorecardTemplate.objects.get(code="clerk-handbook")
    assert Scorecard.objects.get(staff=clerk).template == original
    services.templates_load_defaults(force=True)  # the file as loaded: nothing to do
    assert not ScorecardTemplate.objects.filter(code__startswith="clerk-handbook-v").exists()

    clerk_seed = next(t for t in seed["templates"] if t["code"] == "clerk-handbook")
    clerk_seed["categories"][0]["items"][0]["max_points"] = "50"  # 40/30/30 → 50/25/25
    clerk_seed["categories"][0]["items"][1]["max_points"] = "25"
    clerk_seed["categories"][0]["items"][2]["max_points"] = "25"
    changed = tmp_path / "templates.json"
    changed.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    before = services._stored_shape(original)
    for _run in range(2):
        services.templates_load_defaults(path=changed, force=True)
    original.refresh_from_db()
    assert services._stored_shape(original) == before and not original.is_default
    version = ScorecardTemplate.objects.get(code__startswith="clerk-handbook-v")
    assert version.code == "clerk-handbook-v2" and version.is_default
    assert services._stored_shape(version) == services._seed_shape(clerk_seed)
    assert Scorecard.objects.get(staff=clerk).template == original
    # templates nothing was made with are still updated in place
    assert ScorecardTemplate.objects.count() == 6


def test_generate_month_attaches_evidence_and_proposes_scores(month_of_evidence, clerk, agent,
                                                            installer, manager):
    result = services.scorecard_generate_month(month=MONTH)
    assert result.created == 2  # the clerk and the agent; installers and managers have none
    card = Scorecard.objects.get(staff=clerk, month=MONTH)
    assert card.state == ScorecardState.DRAFT and card.role == "clerk"
    kinds = sorted(card.evidence.values_list("kind", flat=True))
    assert kinds == ["complaints", "entry_errors", "slow_transactions", "slow_transactions"]
    slow = card.evidence.filter(kind="slow_transactions").order_by("at").first()
    assert slow.url == f"/tickets/orders/{month_of_evidence['slow'].pk}/"
    assert card.median_transaction_seconds == 175  # 120,150,200,400
    assert card.complaints == 1 and card.pay_deduction == Decimal("50.00")
    ability = card.lines.get(category_code="ability", code="a")
    assert (ability.evidence_count, ability.proposed) == (2, Decimal("30.00"))  # 40 - 2×5
    assert card.total < 100 and card.total == card.proposed_total
    agent_card = Scorecard.objects.get(staff=agent, month=MONTH)
    assert agent_card.call_quality_average == Decimal("80.00")
    assert agent_card.evidence.filter(kind="overdue_faults").count() == 1
    service_a = agent_card.lines.get(category_code="service", code="a")
    assert service_a.proposed == Decimal("32.00")  # 40 × 80%
    assert not Scorecard.objects.filter(staff__in=[installer, manager]).exists()


def test_generate_is_idempotent(month_of_evidence, clerk):
    first = services.scorecard_generate_month(month=MONTH)
    again = services.scorecard_generate_month(month=MONTH)
    assert again.created == 0 and again.existing == first.created
    assert Scorecard.objects.filter(staff=clerk, month=MONTH).count() == 1


def test_generate_refuses_a_future_month(templates):
    with pytest.raises(ValidationError):
        services.scorecard_generate_month(month=services.previous_month().replace(year=2099))


def test_score_sign_acknowledge(month_of_evidence, clerk, manager):
    services.scorecard_generate_month(month=MONTH)
    card = Scorecard.objects.get(staff=clerk, month=MONTH)
    line = card.lines.get(category_code="attendance", code="a")
    card = services.scorecard_score(scorecard=card, by=manager, scores={line.pk: Decimal(30)},
                                    remarks={line.pk: "迟到一次"}, card_remarks="注意出勤",
                                    quarreled=False)
    assert card.total == card.proposed_total - 1  # 10 of 100 in a 10% category
    with pytest.raises(ValidationError) as exc:
        services.scorecard_score(scorecard=card, by=manager, scores={line.pk: Decimal(41)})
    assert f"score_{line.pk}" in exc.value.message_dict
    card.refresh_from_db()
    assert card.lines.get(pk=line.pk).score == 30  # bad input changed nothing
    with pytest.raises(services.AppraisalError):
        services.scorecard_acknowledge(scorecard=card, by=clerk)  # not signed yet
    card = services.scorecard_sign(scorecard=card, by=manager)
    assert services.scorecard_sign(scorecard=card, by=manager).state == "signed"  # double click
    with pytest.raises(services.AppraisalError):
        services.scorecard_score(scorecard=card, by=manager, scores={line.pk: Decimal(40)})
    with pytest.raises(services.AppraisalError):
        services.scorecard_acknowledge(scorecard=card, by=manager)  # not the manager's own
    card = services.scorecard_acknowledge(scorecard=card, by=clerk, comment="收到")
    assert card.state == ScorecardState.ACKNOWLEDGED and card.acknowledged_at


def test_dispute_accepted_rescores_and_records(month_of_evidence, clerk, manager):
    services.scorecard_generate_month(month=MONTH)
    card = services.scorecard_sign(scorecard=Scorecard.objects.get(staff=clerk, month=MONTH),
                                   by=manager)
    dispute = services.scorecard_dispute(scorecard=card, by=clerk, comment="那笔业务客户在咨询")
    assert services.scorecard_dispute(scorecard=card, by=clerk, comment="again").pk == dispute.pk
    line = card.lines.get(category_code="ability", code="a")
    before = Scorecard.objects.get(pk=card.pk).total
    with pytest.raises(ValidationError):
        services.dispute_decide(dispute=dispute, by=manager, decision="accepted", response="")
    services.dispute_decide(dispute=dispute, by=manager, decision="partly", response="改为35",
                            scores={line.pk: Decimal(35)})
    dispute.refresh_from_db()
    card.refresh_from_db()
    assert card.state == ScorecardState.SIGNED and card.total > before
    assert (dispute.total_before, dispute.total_after) == (before, card.total)
    with pytest.raises(services.AppraisalError):
        services.dispute_decide(dispute=dispute, by=manager, decision="rejected", response="x")


def test_pay_deduction_quarrel_forfeits_everything(month_of_evidence, clerk, manager):
    services.reward_penalty_record(recorder=manager, person=clerk, kind="penalty",
                                   reason="与业主发生争吵", handling="当月绩效工资扣完",
                                   amount=Decimal(0), points=Decimal(5), on=MONTH, quarrel=True)
    services.scorecard_generate_month(month=MONTH)
    card = Scorecard.objects.get(staff=clerk, month=MONTH)
    assert card.quarreled and card.pay_deduction == card.performance_pay
    penalty_line = card.lines.get(category_code="learning", code="e")
    assert penalty_line.proposed == 10  # 15 - 5 points of the penalty


def test_points_scheme_total_and_demotion(templates, agent):
    template = ScorecardTemplate.objects.get(code="points-200")
    lines = []
    for cat in template.categories.all():
        for item in cat.items.all():
            line = services.ScorecardLine(category_code=cat.code, category_weight=cat.weight,
                                          mode=item.mode, max_points=item.max_points,
                                          score=item.max_points if item.mode == "award" else 0)
            lines.append(line)
    # bonus items listed in 003 give 50 + rewards 50; no deduction → 200
    assert services.compute_total(lines, "points") == 200
    for line in lines:
        if line.mode == "deduct":
            line.score = line.max_points
    assert services.compute_total(lines, "points") == 100  # deductions stop at 0


def test_call_review_fatal_error_zeroes_but_keeps_raw(templates, agent, manager, points,
                                                      month_of_evidence, clerk):
    fault = month_of_evidence["fault"]
    review = services.review_create(reviewer=manager, agent=agent, call_at=sh(2026, 10, 20, 9),
                                    points=points(90), fatal_errors=["hold_2min"], fault=fault)
    assert (review.raw_score, review.final_score) == (Decimal("90.00"), Decimal("0.00"))
    with pytest.raises(ValidationError):
        services.review_create(reviewer=manager, agent=agent, call_at=sh(2026, 10, 20, 9),
                               points={"closing": 4}, fault=fault)  # over the item's max
    with pytest.raises(ValidationError):
        services.review_create(reviewer=manager, agent=manager, call_at=sh(2026, 10, 20, 9),
                               points=points(90), fault=fault)


def test_calibration_review_does_not_count(month_of_evidence, agent, manager, clerk, points):
    original = CallReview.objects.get(agent=agent)
    other = services.review_create(reviewer=clerk, agent=agent, call_at=original.call_at,
                                   points=points(60), calibrates=original)
    assert other.is_calibration and other.calibrates == original and other.agent == agent
    again = services.review_create(reviewer=clerk, agent=agent, call_at=original.call_at,
                                   points=points(60), calibrates=original)
    assert again.pk == other.pk
    with pytest.raises(ValidationError):
        services.review_create(reviewer=manager, agent=agent, call_at=original.call_at,
                               points=points(60), calibrates=original)
    services.scorecard_generate_month(month=MONTH)
    assert Scorecard.objects.get(staff=agent).call_quality_average == Decimal("80.00")
    assert CallReview.objects.restrict(agent).count() == 1  # the agent sees no calibration


def test_review_dispute_and_decision(month_of_evidence, agent, manager, points):
    review = CallReview.objects.get(agent=agent)
    dispute = services.review_dispute(review=review, by=agent, comment="客户先挂断的")
    services.dispute_decide(dispute=dispute, by=manager, decision="accepted", response="属实",
                            points=points(95), fatal_errors=[])
    review.refresh_from_db()
    assert review.final_score == Decimal("95.00") and review.state == "submitted"


def test_reward_penalty_numbering_and_idempotency(templates, clerk, manager):
    import uuid

    key = uuid.uuid4()
    a = services.reward_penalty_record(recorder=manager, person=clerk, kind="reward",
                                       reason="表扬", handling="奖励", amount=Decimal("100"),
                                       on=MONTH, idempotency_key=key)
    again = services.reward_penalty_record(recorder=manager, person=clerk, kind="reward",
                                           reason="表扬", handling="奖励", amount=Decimal("100"),
                                           on=MONTH, idempotency_key=key)
    b = services.reward_penalty_record(recorder=manager, person=clerk, kind="penalty",
                                       reason="迟到", handling="罚款", amount=Decimal("10"),
                                       on=MONTH)
    assert (a.number, b.number, again.pk) == ("202610001", "202610002", a.pk)
    assert RewardPenalty.objects.count() == 2
    with pytest.raises(ValidationError):
        services.reward_penalty_record(recorder=manager, person=clerk, kind="reward",
                                       reason="x", handling="y", amount=Decimal("-1"), on=MONTH)


def test_year_end_weighting(month_of_evidence, agent, manager):
    services.scorecard_generate_month(month=MONTH)
    card = Scorecard.objects.get(staff=agent)
    services.scorecard_sign(scorecard=card, by=manager)
    card.refresh_from_db()
    review = services.year_end_record(by=manager, staff=agent, year=2026,
                                      year_end_score=Decimal(90))
    expected = (Decimal(80) * 20 + card.total * 30 + Decimal(90) * 50) / 100
    assert review.total == expected.quantize(Decimal("0.01"))


def test_purge_keeps_two_years(month_of_evidence, clerk, manager):
    from datetime import date

    services.scorecard_generate_month(month=MONTH)
    counts = services.purge_older_than(today=date(2028, 10, 15))
    assert counts["scorecards"] == 0
    counts = services.purge_older_than(today=date(2028, 11, 2))
    assert Scorecard.objects.count() == 0 and CallReview.objects.count() == 0
    assert counts["scorecards"] > 0
