"""A counter clerk takes a new broadband order from the keyboard, in Chromium, to the
printed receipt: the fees appear as she types (computed by the server), Enter takes the
payment, and the receipt link serves a PDF. No console error, no CSP violation."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from billing import services as billing
from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.browser.pages import assert_clean, screenshot
from tests.factories import UserFactory
from tickets.models import WorkOrder

pytestmark = pytest.mark.browser


def test_a_clerk_takes_a_broadband_order_to_the_printed_receipt(logged_in_page):
    call_command("loaddata", "tariffs", verbosity=0)
    xinyuan = ServicePoint.objects.get(code="dw")
    manager = UserFactory(username="b_manager_c", role=Role.MANAGER)
    billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW2026B",
                              first_number=301, last_number=400)
    clerk = UserFactory(username="b_clerk_c", full_name="李晓梅", role=Role.CLERK,
                        service_point=xinyuan)
    page = logged_in_page(clerk)

    # (headless Chromium ignores accesskeys: the home page's Alt+N is checked in test_views)
    page.get_by_role("link", name=re.compile("新装受理")).first.click()
    page.wait_for_url(re.compile(r"/tickets/orders/new/$"))
    expect(page.locator("#id_kind")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("王小明")
    page.keyboard.press("Tab")
    page.keyboard.type("610113198506150012")
    page.keyboard.press("Tab")
    page.keyboard.type("13912345678")
    page.keyboard.press("Tab")  # contact phone: none
    page.keyboard.press("Tab")
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("1502")
    from accounts.models import BroadbandPlan

    plan = BroadbandPlan.objects.get(name="自营20M包年")
    page.locator("#id_broadband_plan").select_option(str(plan.pk))
    expect(page.locator("#quote-total")).to_have_text("¥700.00")
    expect(page.locator("#quote")).to_contain_text("柒佰元整")
    expect(page.locator("#quote-account")).to_have_text("dw0921502")

    page.locator("#id_room").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".sd-done")).to_contain_text("已受理")
    order = WorkOrder.objects.get()
    assert order.receipt.number == 301 and order.transaction_seconds is not None

    href = page.locator("#print-receipt").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.wait_for_load_state("networkidle")
    screenshot(page, "counter-order-accepted")
    assert_clean(page)
