"""Disputes of scorecards and call-quality reviews: the manager accepts (rescoring),
partly accepts or rejects; who, when, the answer, the score before and after and every
item changed are recorded, and the rescored rows leave an audit event."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from pghistory.models import Events

from appraisal import services
from appraisal.models import CallReview, Dispute, Scorecard, ScorecardState
from tests.appraisal.conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(month_of_evidence, clerk, manager):
    """The clerk's October scorecard, signed, then disputed."""
    services.scorecard_generate_month(month=MONTH, only_staff=[clerk.pk])
    card = services.scorecard_sign(scorecard=Scorecard.objects.get(staff=clerk), by=manager)
    dispute = services.scorecard_dispute(scorecard=card, by=clerk, comment="那笔业务客户在咨询")
    card.refresh_from_db()
    return card, dispute


@pytest.fixture
def review_disputed(month_of_evidence, agent):
    review = CallReview.objects.get(agent=agent)
    return review, services.review_dispute(review=review, by=agent, comment="客户先挂断的")


def _rescore_data(card, **changes):
    """The decide form as the page posts it: every line's score and remark, pay hidden."""
    data = {"performance_pay": str(card.performance_pay)}
    for line in card.lines.all():
        data[f"score_{line.pk}"] = str(line.score)
        data[f"remark_{line.pk}"] = line.remark
    data.update(changes)
    return data


# --- services ---------------------------------------------------------------------------------


def test_accepting_rescores_the_signed_scorecard_and_records_each_change(disputed, manager):
    card, dispute = disputed
    line = card.lines.get(category_code="ability", code="a")
    old_score, before = line.score, card.total
    new_score = line.max_points - 5 if old_score == line.max_points else line.max_points
    services.dispute_decide(dispute=dispute, by=manager, decision="accepted",
                            response="核实属实,改分", scores={line.pk: new_score},
                            remarks={line.pk: "复核后调整"})
    card.refresh_from_db()
    dispute.refresh_from_db()
    assert card.state == ScorecardState.SIGNED and card.signed_by == manager
    assert card.total == services.compute_total(list(card.lines.all()), card.scheme)
    assert card.total != before
    assert (dispute.decision, dispute.decided_by, dispute.total_before, dispute.total_after) == (
        "accepted", manager, before, card.total)
    assert dispute.decided_at is not None
    label = f"{line.category_name} · {line.name}"
    assert {"item": label, "field": "score", "before": f"{old_score:.2f}",
            "after": f"{new_score:.2f}"} in dispute.changes
    assert {"item": label, "field": "remark", "before": "", "after": "复核后调整"} in (
        dispute.changes)
    # the signed line's change is in the audit trail
    scores = [e.pgh_data["score"] for e in Events.objects.tracks(line).order_by("pgh_id")]
    assert Decimal(str(scores[-1])) == new_score


def test_accepting_without_a_change_is_refused_rejecting_keeps_the_scores(disputed, manager):
    card, dispute = disputed
    with pytest.raises(ValidationError) as error:
        services.dispute_decide(dispute=dispute, by=manager, decision="accepted",
                                response="同意", scores={})
    assert "decision" in error.value.message_dict
    assert Dispute.objects.get(pk=dispute.pk).decision == ""
    line = card.lines.first()
    services.dispute_decide(dispute=dispute, by=manager, decision="rejected",
                            response="核实无误", scores={line.pk: Decimal(0)})
    dispute.refresh_from_db()
    assert card.lines.get(pk=line.pk).score == line.score
    assert dispute.changes == [] and dispute.total_before == dispute.total_after == card.total


def test_accepting_can_set_or_clear_the_quarrel_and_its_forfeited_pay(disputed, manager, clerk):
    """A quarrel forfeits the month's performance pay: the rescoring can find there was
    one (or that there was none), recorded like the items."""
    card, dispute = disputed
    assert not card.quarreled and card.pay_deduction == Decimal("50.00")  # one complaint
    services.dispute_decide(dispute=dispute, by=manager, decision="accepted",
                            response="查实当月与业主争吵", scores={}, quarreled=True)
    card.refresh_from_db()
    dispute.refresh_from_db()
    assert card.quarreled and card.pay_deduction == card.performance_pay
    assert card.state == ScorecardState.SIGNED
    assert {"item": _("quarrel with a customer"), "field": "quarreled", "before": _("no"),
            "after": _("yes")} in dispute.changes
    assert {"item": _("performance pay deducted"), "field": "pay_deduction", "before": "50.00",
            "after": f"{card.performance_pay:.2f}"} in dispute.changes
    # disputed again: the quarrel is withdrawn, the pay comes back to the complaint's 50
    again = services.scorecard_dispute(scorecard=card, by=clerk, comment="争吵是同事")
    services.dispute_decide(dispute=again, by=manager, decision="partly",
                            response="核实非本人", quarreled=False)
    card.refresh_from_db()
    again.refresh_from_db()
    assert not card.quarreled and card.pay_deduction == Decimal("50.00")
    assert [c["field"] for c in again.changes] == ["quarreled", "pay_deduction"]
    # a rejected dispute never touches the flag
    third = services.scorecard_dispute(scorecard=card, by=clerk, comment="再议")
    services.dispute_decide(dispute=third, by=manager, decision="rejected", response="维持",
                            quarreled=True)
    card.refresh_from_db()
    assert not card.quarreled and Dispute.objects.get(pk=third.pk).changes == []


def test_partly_accepting_a_review_rescores_its_points_and_fatal_errors(review_disputed,
                                                                       manager, points):
    review, dispute = review_disputed
    assert review.final_score == Decimal(80)
    services.dispute_decide(dispute=dispute, by=manager, decision="partly",
                            response="部分属实:加5分,但用语禁忌成立",
                            points=points(85), fatal_errors=["taboo"])
    review.refresh_from_db()
    dispute.refresh_from_db()
    assert (review.raw_score, review.final_score, review.state) == (
        Decimal(85), Decimal(0), "submitted")
    assert (dispute.total_before, dispute.total_after) == (Decimal(80), Decimal(0))
    fields = [c["field"] for c in dispute.changes]
    assert "fatal_errors" in fields and "points" in fields
    fatal = next(c for c in dispute.changes if c["field"] == "fatal_errors")
    assert fatal["before"] == "—" and fatal["after"]  # the error's name


# --- pages ------------------------------------------------------------------------------------


def test_manager_accepts_a_scorecard_dispute_with_new_scores_on_the_page(
        client, disputed, manager, clerk, django_assert_max_num_queries):
    card, dispute = disputed
    url = reverse("appraisal:scorecard_decide", args=[card.pk])
    line = card.lines.get(category_code="attendance", code="a")
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        page = client.get(card.get_absolute_url())
    html = page.content.decode()
    assert 'id="rescore"' in html and f'name="remark_{line.pk}"' in html
    # a score over the item's maximum: shown on its field, nothing decided
    data = _rescore_data(card, decision="accepted", response="同意",
                         **{f"score_{line.pk}": str(line.max_points + 1)})
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["rescore_form"].errors[f"score_{line.pk}"]
    assert Dispute.objects.get(pk=dispute.pk).decision == ""
    data.update({f"score_{line.pk}": "30", f"remark_{line.pk}": "迟到一次"})
    response = client.post(url, data)
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.decision == "accepted" and dispute.changes
    # the audit event carries who did it, from the request
    event = Events.objects.tracks(line).order_by("-pgh_id").first()
    assert event.pgh_context["user"] == manager.pk
    client.force_login(clerk)
    html = client.get(card.get_absolute_url()).content.decode()
    assert "迟到一次" in html and "sd-dispute-changes" in html


def test_the_decide_form_sets_the_quarrel(client, disputed, manager, clerk):
    card, dispute = disputed
    client.force_login(manager)
    html = client.get(card.get_absolute_url()).content.decode()
    assert 'type="checkbox" name="quarreled"' in html  # shown, not hidden
    response = client.post(reverse("appraisal:scorecard_decide", args=[card.pk]),
                           _rescore_data(card, decision="accepted", response="查实争吵",
                                         quarreled="on"))
    assert response.status_code == 302
    card.refresh_from_db()
    dispute.refresh_from_db()
    assert card.quarreled and card.pay_deduction == card.performance_pay
    assert [c["field"] for c in dispute.changes] == ["quarreled", "pay_deduction"]
    client.force_login(clerk)
    html = client.get(card.get_absolute_url()).content.decode()
    assert "sd-dispute-changes" in html


def test_accepting_with_no_change_shows_why(client, disputed, manager):
    card, dispute = disputed
    client.force_login(manager)
    response = client.post(reverse("appraisal:scorecard_decide", args=[card.pk]),
                           _rescore_data(card, decision="accepted", response="同意"))
    assert response.status_code == 400
    assert response.context["decide_form"].errors["decision"]


def test_only_the_manager_decides(client, disputed, users):
    card, _dispute = disputed
    for name in ("clerk", "other_clerk", "agent", "installer"):
        client.force_login(users[name])
        response = client.post(reverse("appraisal:scorecard_decide", args=[card.pk]),
                               _rescore_data(card, decision="rejected", response="x"))
        assert response.status_code in (403, 404), name
    assert Dispute.objects.get(scorecard=card).decision == ""


def test_review_dispute_rescoring_form(client, review_disputed, manager, agent, points,
                                       django_assert_max_num_queries):
    review, dispute = review_disputed
    url = reverse("appraisal:review_decide", args=[review.pk])
    client.force_login(agent)
    page = client.get(review.get_absolute_url())
    assert "rescore_form" not in page.context  # the agent sees the dispute, not the form
    assert client.post(url, {"decision": "rejected", "response": "x"}).status_code in (403, 404)
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        page = client.get(review.get_absolute_url())
    form = page.context["rescore_form"]
    first = next(iter(review.points))
    assert Decimal(str(form.initial[f"item_{first}"])) == Decimal(str(review.points[first]))
    new = points(90)
    data = {"decision": "accepted", "response": "录音复核,开场白完整",
            **{f"item_{code}": str(value) for code, value in new.items()}}
    data[f"item_{first}"] = "999"  # over the item's maximum
    response = client.post(url, data)
    assert response.status_code == 400 and response.context["rescore_form"].errors
    review.refresh_from_db()
    assert review.final_score == Decimal(80) and review.state == "disputed"
    data[f"item_{first}"] = str(new[first])
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    dispute.refresh_from_db()
    assert review.final_score == Decimal(90) and review.state == "submitted"
    assert (dispute.total_before, dispute.total_after) == (Decimal(80), Decimal(90))
    html = client.get(review.get_absolute_url()).content.decode()
    assert "sd-dispute-changes" in html and "80.00" in html and "90.00" in html


def test_rejecting_a_review_dispute_ignores_the_points(client, review_disputed, manager):
    review, dispute = review_disputed
    client.force_login(manager)
    response = client.post(reverse("appraisal:review_decide", args=[review.pk]),
                           {"decision": "rejected", "response": "评分无误", "item_x": "abc"})
    assert response.status_code == 302
    review.refresh_from_db()
    dispute.refresh_from_db()
    assert review.final_score == Decimal(80) and dispute.decision == "rejected"
