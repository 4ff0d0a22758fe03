"""Demo data of the appraisal: the seed templates, five months of scorecards (the older
ones signed and acknowledged, one disputed and decided, the last month a draft for the
manager to score), call-quality reviews with one calibration pair, reward/penalty records
and a few entry errors flagged on the demo's orders and faults.

Everything goes through the services. Deterministic and idempotent: when scorecards
exist already, only the templates are refreshed.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from appraisal import services
from appraisal.models import CallReview, RewardKind, Scorecard, ScorecardState
from servicedesk.models import User

MONTHS = 5


def _months_back(n: int):
    month = services.previous_month()
    result = []
    for _i in range(n):
        result.append(month)
        month = services.previous_month(month)
    return list(reversed(result))


def load(*, seed: int, stdout=None) -> str:
    services.templates_load_defaults()
    if Scorecard.objects.exists():
        return "appraisal templates refreshed (scorecards exist)"
    from tickets.models import EntryErrorKind, Fault, WorkOrder
    from tickets.services.entry_errors import entry_error_flag

    rng = random.Random(seed + 7)
    users = {u.username: u for u in User.objects.filter(
        username__in=["manager", "agent", "agent2", "clerk", "clerk_qj", "clerk_rq"])}
    manager = users.get("manager")
    if manager is None:
        return "no demo manager"
    tz = timezone.get_current_timezone()
    months = _months_back(MONTHS)
    faults = list(Fault.objects.order_by("pk")[:60])
    reviews = 0
    for month in months:
        for name in ("agent", "agent2"):
            agent = users.get(name)
            if agent is None or not faults:
                continue
            for _i in range(3):
                day = month + timedelta(days=rng.randrange(0, 27))
                call_at = timezone.make_aware(datetime.combine(day, time(rng.randrange(9, 18),
                                                                         rng.randrange(60))), tz)
                rubric = services.rubric_default()
                points = {}
                for item in _rubric_items(rubric):
                    lose = rng.random() < 0.25
                    points[item.code] = (item.max_points - min(item.max_points, Decimal(1))
                                         if lose else item.max_points)
                fatal = ["hold_2min"] if rng.random() < 0.08 else []
                services.review_create(reviewer=manager, agent=agent, call_at=call_at,
                                       points=points, fatal_errors=fatal,
                                       fault=rng.choice(faults), rubric=rubric)
                reviews += 1
    first = CallReview.objects.filter(is_calibration=False).order_by("pk").first()
    second_reviewer = users.get("agent2")
    if first is not None and second_reviewer is not None and first.agent_id != second_reviewer.pk:
        points = {k: Decimal(v) for k, v in first.points.items()}
        some = next(iter(points))
        points[some] = max(Decimal(0), points[some] - 2)
        services.review_create(reviewer=second_reviewer, agent=first.agent,
                               call_at=first.call_at, points=points, calibrates=first)

    # entry errors flagged on recent orders and faults
    flags = 0
    for order in WorkOrder.objects.order_by("pk")[:3]:
        entry_error_flag(user=manager, kind=EntryErrorKind.WRONG_PHONE,
                         note="联系电话少一位", work_order=order)
        flags += 1
    for fault in Fault.objects.order_by("-pk")[:2]:
        entry_error_flag(user=manager, kind=EntryErrorKind.WRONG_ADDRESS,
                         note="楼号录错", fault=fault)
        flags += 1

    # rewards and penalties
    records = 0
    plan = [
        ("clerk", RewardKind.REWARD, "客户来信表扬办理业务耐心细致", "通报表扬,奖励", "100", "5"),
        ("agent2", RewardKind.PENALTY, "上班时间做与工作无关事情", "警告,罚款", "30", "5"),
        ("clerk_qj", RewardKind.PENALTY, "开会迟到未带笔记本", "罚款", "20", "5"),
        ("agent", RewardKind.REWARD, "主动挽留取消业务的客户", "奖励", "50", "5"),
    ]
    for i, (name, kind, reason, handling, amount, pts) in enumerate(plan):
        person = users.get(name)
        if person is None:
            continue
        month = months[-1 - (i % 2)]
        services.reward_penalty_record(recorder=manager, person=person, kind=kind,
                                       reason=reason, handling=handling,
                                       amount=Decimal(amount), points=Decimal(pts),
                                       on=month + timedelta(days=10 + i))
        records += 1

    # scorecards: older months signed and acknowledged, one disputed, the last month a draft
    cards = 0
    for index, month in enumerate(months):
        result = services.scorecard_generate_month(month=month, by=manager)
        cards += result.created
        if index == len(months) - 1:
            continue
        for card in Scorecard.objects.filter(month=month).select_related("staff"):
            lines = list(card.lines.all())
            scores = {}
            for line in lines:
                if line.mode == "award" and not line.evidence and rng.random() < 0.2:
                    scores[line.pk] = max(Decimal(0), line.max_points - rng.choice([2, 5, 10]))
            disputed = index == len(months) - 2 and card.staff.username == "clerk_qj"
            if disputed:  # training missed: points off, which the dispute gets back
                line = next(x for x in lines if x.category_code == "learning" and x.code == "b")
                scores[line.pk] = line.max_points - Decimal(5)
            services.scorecard_score(scorecard=card, by=manager, scores=scores,
                                     card_remarks="整体表现良好,注意录入准确。"
                                     if rng.random() < 0.3 else "")
            services.scorecard_sign(scorecard=card, by=manager)
            if disputed:
                dispute = services.scorecard_dispute(scorecard=card, by=card.staff,
                                                     comment="当月培训我请假已批准,不应扣分")
                services.dispute_decide(dispute=dispute, by=manager, decision="accepted",
                                        response="核实请假已批准,恢复该项得分",
                                        scores={line.pk: line.max_points})
            if index < len(months) - 2:
                services.scorecard_acknowledge(scorecard=card, by=card.staff)
    signed = Scorecard.objects.exclude(state=ScorecardState.DRAFT).count()
    return (f"{cards} scorecards ({signed} signed), {reviews} call reviews, {records} "
            f"reward/penalty records, {flags} entry errors")


def _rubric_items(rubric):
    from appraisal.models import TemplateItem

    return TemplateItem.objects.filter(category__template=rubric)
