"""Staff appraisal in Chromium: the manager generates last month's scorecards, adjusts a
score and signs; the clerk signs in, finds her scorecard under 考评 and acknowledges it.
No console error, no CSP violation (the trend chart is server-rendered SVG)."""

import re

import pytest
from playwright.sync_api import expect

from appraisal.models import Scorecard
from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.browser.pages import assert_clean, screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_manager_scores_and_signs_then_the_clerk_acknowledges(logged_in_page):
    xinyuan = ServicePoint.objects.get(code="dw")
    manager = UserFactory(username="b_manager_a", full_name="周海燕", role=Role.MANAGER)
    clerk = UserFactory(username="b_clerk_a", full_name="李晓梅", role=Role.CLERK,
                        service_point=xinyuan)

    page = logged_in_page(manager)
    page.goto("/appraisal/month/")
    page.once("dialog", lambda dialog: dialog.accept())  # "Generate …?" confirmation
    with page.expect_navigation():
        page.locator("#generate").click()
    expect(page.locator("table")).to_contain_text("李晓梅")
    with page.expect_navigation():
        page.get_by_role("link", name="李晓梅").click()
    expect(page.locator("#scorecard-state")).to_have_text("草稿")
    card = Scorecard.objects.get(staff=clerk)
    line = card.lines.get(category_code="attendance", code="a")
    page.locator(f"#id_score_{line.pk}").fill("30")
    page.locator(f"#id_remark_{line.pk}").fill("迟到一次")
    # signing is irreversible: the page asks first; dismissing leaves the draft alone
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#sign").click()
    page.wait_for_timeout(300)
    assert questions and "李晓梅" in questions[0]
    expect(page.locator("#scorecard-state")).to_have_text("草稿")
    assert Scorecard.objects.get(pk=card.pk).state == "draft"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#sign").click()
    expect(page.locator("#scorecard-state")).to_contain_text("已签字")
    expect(page.locator("#scorecard-total")).to_have_text("99.00")
    pdf = page.request.get(f"/appraisal/scorecards/{card.pk}/scorecard.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    screenshot(page, "appraisal-manager-signed")
    assert_clean(page)

    page = logged_in_page(clerk)
    page.locator("#nav-appraisal").click()
    with page.expect_navigation():
        page.get_by_role("link", name="我的考评").click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}")).first.click()
    expect(page.locator("body")).to_contain_text("迟到一次")
    page.locator("#id_comment").first.fill("收到,下月注意")
    page.once("dialog", lambda dialog: dialog.accept())  # "Acknowledge …?"
    with page.expect_navigation():
        page.locator("#acknowledge-button").click()
    expect(page.locator("#scorecard-state")).to_have_text("已确认")
    screenshot(page, "appraisal-clerk-acknowledged")
    assert_clean(page)
    card.refresh_from_db()
    assert card.state == "acknowledged" and card.staff_comment == "收到,下月注意"
