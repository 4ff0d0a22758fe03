"""The call desk in Chromium: a Telecom 180 fault from the phone call through a failed
callback ×, a second repair, a passed callback ☆ and the reply to the 180 desk; the
agent's live queue shows it with its countdown. No console error or CSP violation on the
way (the logged_in_page fixture checks)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.browser.pages import assert_clean, screenshot
from tests.factories import UserFactory
from tickets.models import Fault

pytestmark = pytest.mark.browser


def test_a_180_fault_goes_round_the_callback_loop_to_the_carrier_reply(logged_in_page):
    call_command("loaddata", "calldesk_reference", verbosity=0)
    agent = UserFactory(username="b_agent", full_name="陈静", role=Role.AGENT)
    installer = UserFactory(username="b_installer", full_name="张建国", role=Role.INSTALLER,
                            service_point=ServicePoint.objects.get(code="dw"))
    desk = logged_in_page(agent)

    # The call: 180 reports a line that is not in our register.
    desk.keyboard.press("Alt+f")  # accesskey of 登记障碍 (Chromium on Linux: Alt)
    if "/faults/new/" not in desk.url:
        desk.get_by_role("link", name="登记障碍").first.click()
    desk.wait_for_url(re.compile(r"/tickets/faults/new/"))
    desk.get_by_label("电信180").check()
    desk.get_by_label("上报人").fill("180 王工")
    desk.get_by_label("故障现象").fill("电话无拨号音")
    desk.get_by_label("业务类型").select_option(label="固话")
    desk.get_by_label("故障号码/账号").fill("88831234")
    desk.get_by_label("地址").fill("馨苑 3#-1-201")
    desk.get_by_role("button", name="登记障碍").click()
    expect(desk.get_by_role("alert")).to_contain_text("12 小时内处理")
    fault = Fault.objects.get()
    assert fault.mark == "D180"
    expect(desk.locator("#fault-state")).to_have_text("待派修")

    # The live queue on the agent's home page: the fault with its countdown.
    desk.goto("/")
    repair = desk.locator("#queue-repair")
    expect(repair).to_contain_text(str(fault))
    expect(repair.locator(".sd-countdown")).to_contain_text(re.compile(r"剩余 1[12]:\d\d"))
    screenshot(desk, "calldesk-home")

    def dispatch():
        desk.goto(fault.get_absolute_url())
        card = desk.locator("#action-dispatch")
        card.get_by_label("归属维护处").select_option(label="馨苑维护组")
        card.get_by_label("维修人", exact=True).select_option(label="张建国")
        card.get_by_role("button", name="派修").click()
        expect(desk.get_by_role("alert")).to_contain_text("已派给 张建国")

    dispatch()

    repairer = logged_in_page(installer)

    def fix(note):
        repairer.goto(fault.get_absolute_url())
        card = repairer.locator("#action-fix")
        card.get_by_label("故障原因").select_option(label="入户线路故障")
        card.get_by_label("维修说明").fill(note)
        card.get_by_role("button", name="标记修好 ✓").click()
        expect(repairer.get_by_role("alert")).to_contain_text("已标记修好 ✓")

    fix("更换水晶头")

    # Callback ×: still no dial tone. Back to dispatch, with the note, same deadline.
    desk.goto(fault.get_absolute_url())
    card = desk.locator("#action-callback")
    card.get_by_label("× 未通过:仍未恢复").check()
    expect(card.get_by_label("满意", exact=True)).to_be_hidden()  # asked only when it passes
    card.get_by_label("回访说明").fill("仍然没有拨号音")
    card.get_by_role("button", name="记录回访").click()
    expect(desk.locator("#fault-state")).to_have_text("回访未通过 × 待重派")
    expect(desk.locator("#action-dispatch")).to_contain_text("回访未通过 ×:仍然没有拨号音")

    dispatch()
    fix("分线盒端子氧化,已处理")

    # Callback ☆, then the reply to the 180 desk closes it.
    desk.goto(fault.get_absolute_url())
    card = desk.locator("#action-callback")
    card.get_by_label("☆ 通过:用户确认已恢复正常").check()
    card.get_by_label("满意", exact=True).check()
    card.get_by_role("button", name="记录回访").click()
    expect(desk.locator("#fault-state")).to_have_text("已回访 ☆ 待回复运营商")
    reply = desk.locator("#action-reply")
    expect(reply).to_contain_text("88217901")
    reply.get_by_role("button", name="已回复,结单").click()
    expect(desk.locator("#fault-state")).to_have_text("已回访结单")

    history = desk.locator("#history tbody tr")
    expect(history).to_have_count(8)  # new, dispatched, ✓, ×, dispatched, ✓, ☆, replied
    expect(desk.locator("#callbacks")).to_contain_text("仍然没有拨号音")
    screenshot(desk, "calldesk-fault-closed")
    fault.refresh_from_db()
    assert (fault.state, fault.failed_callbacks, fault.dispatch_count) == ("closed", 1, 2)
    assert fault.replied_to == "88217901"
    assert_clean(desk)
    assert_clean(repairer)
