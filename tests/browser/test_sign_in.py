"""Each role signs in through the real login form in Chromium and lands on its home page,
with no console error and no Content-Security-Policy violation."""

import pytest
from playwright.sync_api import expect

from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.browser.pages import assert_clean, screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("role", "full_name", "point", "role_label", "scope"),
    [
        (Role.CLERK, "李晓梅", "dw", "营业员", "馨苑"),
        (Role.AGENT, "陈静", None, "客服", "全部营业点"),
        (Role.INSTALLER, "张建国", "dw", "装维", "馨苑"),
        (Role.MANAGER, "周海燕", None, "营业部经理", "全部营业点"),
    ],
)
def test_each_role_signs_in_and_sees_its_home(
    logged_in_page, role, full_name, point, role_label, scope
):
    user = UserFactory(
        username=f"b_{role.value}", full_name=full_name, role=role,
        service_point=ServicePoint.objects.get(code=point) if point else None,
    )
    page = logged_in_page(user)

    assert page.url.endswith("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(full_name)
    navbar = page.locator("nav.sd-navbar")
    expect(navbar).to_contain_text(role_label)
    expect(navbar).to_contain_text(scope)
    expect(page.locator("main")).to_contain_text(f"{role_label} · {scope}")
    page.wait_for_load_state("networkidle")  # deferred scripts and styles have loaded
    screenshot(page, f"home-{role.value}")
    assert_clean(page)


def test_wrong_password_stays_on_the_form(browser, live_server):
    UserFactory(username="b_clerk", role=Role.CLERK)
    page = browser.new_page(base_url=live_server.url, locale="zh-CN")
    try:
        page.goto("/login/")
        page.get_by_label("用户名", exact=True).fill("b_clerk")
        page.get_by_label("密码", exact=True).fill("not-the-password")
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
        assert "/login/" in page.url
    finally:
        page.close()


def test_the_watch_catches_a_csp_violation(logged_in_page):
    """The check above can fail: an inline event handler is refused and reported."""
    page = logged_in_page(UserFactory(username="b_manager", role=Role.MANAGER))
    with page.expect_console_message(lambda msg: msg.type == "error"):
        page.evaluate(
            """document.body.insertAdjacentHTML(
                 "beforeend", '<img src="data:," onerror="window.hacked = 1">')"""
        )
    assert any("Content Security Policy" in p for p in page.sd_problems), page.sd_problems
    assert page.evaluate("window.hacked") is None
    page.sd_problems.clear()  # seen and expected: let the fixture's final check pass
