"""The appraisal pages: who may open what, the manager's and the staff member's flows."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal import services
from appraisal.models import CallReview, RewardPenalty, Scorecard
from tests.appraisal.conftest import MONTH
from tests.viewtests import assert_access
from tickets.models import EntryErrorFlag

pytestmark = pytest.mark.django_db
M = f"?month={MONTH:%Y-%m}"


@pytest.fixture
def cards(month_of_evidence, other_clerk, users):
    services.scorecard_generate_month(month=MONTH)
    return {c.staff.username: c for c in Scorecard.objects.select_related("staff")}


def test_access(client, users, cards, manager):
    clerk_card = cards["t_clerk"]
    assert_access(client, reverse("appraisal:month") + M, users, allowed={"manager"})
    assert_access(client, reverse("appraisal:scorecard_list"), users,
                  allowed={"clerk", "other_clerk", "agent", "manager"})
    # a draft is the manager's alone
    assert_access(client, clerk_card.get_absolute_url(), users, allowed={"manager"})
    services.scorecard_sign(scorecard=clerk_card, by=manager)
    assert_access(client, clerk_card.get_absolute_url(), users, allowed={"clerk", "manager"})
    assert_access(client, reverse("appraisal:generate"), users, allowed={"manager"},
                  method="post", data={"month": f"{MONTH:%Y-%m}"})
    assert_access(client, reverse("appraisal:review_add"), users, allowed={"manager"})
    assert_access(client, reverse("appraisal:rewardpenalty_add"), users, allowed={"manager"})
    assert_access(client, reverse("appraisal:template_list"), users, allowed={"manager"})
    review = CallReview.objects.get()
    assert_access(client, review.get_absolute_url(), users, allowed={"agent", "manager"})


def test_manager_generates_scores_and_signs(client, month_of_evidence, manager, clerk):
    client.force_login(manager)
    response = client.post(reverse("appraisal:generate"), {"month": f"{MONTH:%Y-%m}"})
    assert response.status_code == 302
    card = Scorecard.objects.get(staff=clerk)
    client.post(reverse("appraisal:generate"), {"month": f"{MONTH:%Y-%m}"})  # double submit
    assert Scorecard.objects.filter(staff=clerk).count() == 1
    page = client.get(card.get_absolute_url())
    assert page.status_code == 200 and "GD" in page.content.decode()
    data = {f"score_{line.pk}": line.score for line in card.lines.all()}
    data.update(performance_pay="500.00", remarks="继续保持", sign="1")
    line = card.lines.get(category_code="attendance", code="a")
    data[f"score_{line.pk}"] = "55"  # over the maximum: a field error, nothing saved
    response = client.post(reverse("appraisal:scorecard_score", args=[card.pk]), data)
    assert response.status_code == 400
    card.refresh_from_db()
    assert card.state == "draft"
    data[f"score_{line.pk}"] = "35"
    response = client.post(reverse("appraisal:scorecard_score", args=[card.pk]), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == "signed" and card.remarks == "继续保持"
    ranking = client.get(reverse("appraisal:month") + M)
    assert "李晓梅" in ranking.content.decode()
    export = client.get(reverse("appraisal:month") + M + "&_export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")


def test_clerk_sees_own_and_acknowledges_or_disputes(client, cards, manager, clerk, other_clerk):
    card = services.scorecard_sign(scorecard=cards["t_clerk"], by=manager)
    other = services.scorecard_sign(scorecard=cards["t_clerk_qj"], by=manager)
    client.force_login(clerk)
    listing = client.get(reverse("appraisal:scorecard_list")).content.decode()
    assert f"/appraisal/scorecards/{card.pk}/" in listing
    assert f"/appraisal/scorecards/{other.pk}/" not in listing
    assert client.get(other.get_absolute_url()).status_code == 404
    response = client.post(reverse("appraisal:scorecard_dispute", args=[card.pk]), {"comment": ""})
    assert response.status_code == 400
    response = client.post(reverse("appraisal:scorecard_acknowledge", args=[card.pk]),
                           {"comment": "收到"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == "acknowledged"
    client.force_login(other_clerk)
    client.post(reverse("appraisal:scorecard_dispute", args=[other.pk]), {"comment": "有误"})
    other.refresh_from_db()
    assert other.state == "disputed"
    client.force_login(manager)
    line = other.lines.first()
    data = {"decision": "rejected", "response": "核实无误",
            **{f"score_{x.pk}": x.score for x in other.lines.all()},
            "performance_pay": "500.00"}
    data[f"score_{line.pk}"] = "0"
    assert client.post(reverse("appraisal:scorecard_decide", args=[other.pk]),
                       data).status_code == 302
    other.refresh_from_db()
    assert other.state == "signed" and other.lines.get(pk=line.pk).score == line.score


def test_month_view_queries(client, cards, manager, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("appraisal:month") + M).status_code == 200


def test_scorecard_pdf_for_the_person_and_the_manager_only(client, cards, manager, clerk,
                                                           other_clerk):
    url = reverse("appraisal:scorecard_pdf", args=[cards["t_clerk"].pk])
    client.force_login(clerk)
    assert client.get(url).status_code == 404  # a draft is not shown to the clerk yet
    services.scorecard_sign(scorecard=cards["t_clerk"], by=manager)
    client.force_login(other_clerk)
    assert client.get(url).status_code == 404
    client.force_login(clerk)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_review_form_and_calibration(client, month_of_evidence, manager, agent, clerk, points):
    client.force_login(manager)
    assert client.get(reverse("appraisal:review_add")).status_code == 200
    data = {f"item_{k}": v for k, v in points(85).items()}
    data.update(agent=agent.pk, call_at="2026-10-15T10:00",
                call_ref=str(month_of_evidence["fault"]), fatal_errors=["wrong_info"])
    response = client.post(reverse("appraisal:review_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    review = CallReview.objects.order_by("-pk").first()
    assert (review.raw_score, review.final_score) == (Decimal(85), Decimal(0))
    page = client.get(review.get_absolute_url())
    assert page.status_code == 200
    data["call_ref"] = "TS-99999"
    assert client.post(reverse("appraisal:review_add"), data).status_code == 400


def test_reward_penalty_record_and_print(client, templates, manager, clerk):
    import uuid

    client.force_login(manager)
    key = str(uuid.uuid4())
    data = {"kind": "penalty", "person": clerk.pk, "on": "2026-10-20", "reason": "迟到",
            "handling": "罚款", "amount": "10.00", "points": "3", "idempotency_key": key}
    assert client.post(reverse("appraisal:rewardpenalty_add"), data).status_code == 302
    assert client.post(reverse("appraisal:rewardpenalty_add"), data).status_code == 302
    record = RewardPenalty.objects.get()
    pdf = client.get(reverse("appraisal:rewardpenalty_pdf", args=[record.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_year_end_page_with_trend(client, cards, manager, agent):
    services.scorecard_sign(scorecard=cards["t_agent"], by=manager)
    client.force_login(agent)
    page = client.get(reverse("appraisal:year_end") + "?year=2026").content.decode()
    assert "<svg" in page and "<polyline" not in page  # one point: no line yet
    client.force_login(manager)
    response = client.post(reverse("appraisal:year_end") + "?year=2026",
                           {"staff": agent.pk, "year": 2026, "year_end_score": "90"})
    assert response.status_code == 302


def test_flag_entry_error_on_order_and_fault(client, month_of_evidence, agent, clerk, manager):
    order, fault = month_of_evidence["slow"], month_of_evidence["fault"]
    client.force_login(agent)
    page = client.get(fault.get_absolute_url()).content.decode()
    assert "entry-errors" in page
    url = reverse("tickets:fault_flag_error", args=[fault.pk])
    client.post(url, {"kind": "wrong_fault", "note": "业务类型录错"})
    client.post(url, {"kind": "wrong_fault", "note": "业务类型录错"})  # double submit
    flag = EntryErrorFlag.objects.get(fault=fault)
    assert flag.attributed_to == agent and flag.flagged_by == agent
    client.force_login(manager)
    response = client.post(reverse("tickets:workorder_flag_error", args=[order.pk]),
                           {"kind": "wrong_fault", "note": "x"})  # not offered on orders
    assert EntryErrorFlag.objects.filter(work_order=order).count() == 1  # the fixture's one
    response = client.post(reverse("tickets:workorder_flag_error", args=[order.pk]),
                           {"kind": "wrong_address", "note": "房号录错"})
    assert response.status_code == 302
    assert EntryErrorFlag.objects.get(work_order=order, kind="wrong_address").attributed_to == clerk
    assert client.get(order.get_absolute_url()).status_code == 200


def test_manager_edits_a_copy_of_a_template_weights_checked(client, templates, manager, clerk):
    from appraisal.models import ScorecardTemplate

    original = ScorecardTemplate.objects.get(code="clerk-handbook")
    assert_access(client, reverse("appraisal:template_edit", args=[original.pk]),
                  {"clerk": clerk, "manager": manager}, allowed={"manager"})
    client.force_login(manager)
    response = client.post(reverse("appraisal:template_copy", args=[original.pk]))
    copy = ScorecardTemplate.objects.get(code="clerk-handbook-v2")
    assert response["Location"].endswith(f"/templates/{copy.pk}/edit/")
    form = client.get(reverse("appraisal:template_edit", args=[copy.pk])).context["form"]
    data = {name: ("on" if value is True else value) for name, value in form.initial.items()
            if value is not False and value is not None}
    first = copy.categories.first()
    data[f"cat_{first.pk}_weight"] = "15"  # sums to 105
    response = client.post(reverse("appraisal:template_edit", args=[copy.pk]), data)
    assert response.status_code == 400
    assert "105" in " ".join(response.context["form"].non_field_errors())
    assert copy.categories.get(pk=first.pk).weight == 10
    data[f"cat_{first.pk}_weight"] = "10"
    data["name"] = "营业员考评 2027"
    data["is_default"] = "on"
    response = client.post(reverse("appraisal:template_edit", args=[copy.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    original.refresh_from_db()
    assert not original.is_default and ScorecardTemplate.objects.get(pk=copy.pk).is_default
    original.is_default = True  # leave the seed as the suite expects it
    ScorecardTemplate.objects.filter(pk=copy.pk).update(is_default=False)
    original.save()


def test_save_and_sign_asks_first(client, cards, manager):
    """Signing is irreversible: the button carries the question that static/js/app.js asks
    (no inline script: the CSP forbids them); saving the scores does not ask."""
    from pathlib import Path

    from django.conf import settings

    client.force_login(manager)
    html = client.get(cards["t_clerk"].get_absolute_url()).content.decode()
    sign = re.search(r'<button[^>]*id="sign"[^>]*>', html).group(0)
    save = re.search(r'<button[^>]*id="save-scores"[^>]*>', html).group(0)
    assert 'data-confirm="' in sign and "李晓梅" in sign
    assert "data-confirm" not in save
    assert "<script>" not in html and "onclick" not in html
    script = (Path(settings.BASE_DIR) / "static" / "js" / "app.js").read_text()
    assert "event.submitter" in script and 'getAttribute("data-confirm")' in script


def test_month_view_ranks_filters_and_pages(client, cards, manager, xinyuan, monkeypatch,
                                            django_assert_max_num_queries):
    from appraisal.views import MonthView

    client.force_login(manager)
    url = reverse("appraisal:month") + M
    with django_assert_max_num_queries(9):
        html = client.get(url).content.decode()
    rows = re.findall(r'<tr[^>]*><td>(\d+)</td><td><a href="/appraisal/scorecards/(\d+)/">',
                      html)
    ranked = sorted(cards.values(), key=lambda c: (-c.total, c.staff.username))
    assert [int(pk) for _rank, pk in rows] == [c.pk for c in ranked]
    assert rows[0][0] == "1"
    only_xinyuan = client.get(url + f"&service_point={xinyuan.pk}").content.decode()
    assert "李晓梅" in only_xinyuan and "王芳" not in only_xinyuan
    assert f'<option value="{xinyuan.pk}" selected>' in only_xinyuan
    monkeypatch.setattr(MonthView, "per_page", 2)
    first = client.get(url).content.decode()
    assert "page=2" in first and first.count("/appraisal/scorecards/") == 2
    last = client.get(url + "&page=2").content.decode()
    assert "page=1" in last and "page=3" not in last
