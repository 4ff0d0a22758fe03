"""The call desk's pages: who may open what, the fault form while the customer is on the
line, actions and their refusals, the live queue (constant queries), lists, export, slip."""

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.viewtests import assert_access
from tickets.models import Complaint, Fault, FaultCause, FaultState
from tickets.selectors.calldesk import desk_queue
from tickets.services import calldesk as services

ALL = {"clerk", "other_clerk", "agent", "installer", "manager"}


@pytest.fixture
def zh(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def _post_access(client, url, users, allowed, data=None):
    """Like assert_access for a POST that changes state: denied users get 403/404."""
    for name, user in users.items():
        client.force_login(user)
        status = client.post(url, data or {}).status_code
        client.logout()
        if name in allowed:
            assert status not in (403, 404), f"{name}: {status}"
        else:
            assert status in (403, 404), f"{name}: {status}"


def test_who_opens_which_page(client, users, report, walk, complaint, reference):
    dispatched = walk(report(), "dispatched")  # 馨苑, dispatched to the 馨苑 installer
    c = complaint()
    pages = {
        reverse("tickets:fault_list"): ALL,
        reverse("tickets:fault_detail", args=[dispatched.pk]): ALL - {"other_clerk"},
        reverse("tickets:fault_slip", args=[dispatched.pk]): ALL - {"other_clerk"},
        reverse("tickets:fault_add"): {"agent", "manager"},
        reverse("tickets:desk_queue"): ALL,
        reverse("tickets:complaint_list"): ALL - {"installer"},
        reverse("tickets:complaint_detail", args=[c.pk]): {"clerk", "agent", "manager"},
        reverse("tickets:complaint_add"): {"agent", "manager"},
        reverse("tickets:inquiry_list"): ALL - {"installer"},
        reverse("tickets:inquiry_add"): {"agent", "manager"},
        reverse("tickets:calldesk_statistics"): {"agent", "manager"},
        reverse("tickets:faultcause_list"): {"agent", "manager"},
        reverse("tickets:faultcause_add"): {"manager"},
        reverse("tickets:carrierdesk_edit", args=[1]): {"manager"},
        reverse("tickets:subscriber_lookup") + "?q=139": {"agent", "manager"},
    }
    for url, allowed in pages.items():
        assert_access(client, url, users, allowed=allowed)


def test_an_installer_sees_only_the_faults_dispatched_to_them(client, users, report, walk,
                                                              make_customer, agent):
    mine = walk(report(), "dispatched")
    other = services.fault_report(user=agent, source="customer",
                                  account=make_customer(room=901)[1], description="掉线")
    client.force_login(users["installer"])
    assert client.get(reverse("tickets:fault_detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("tickets:fault_list")).content.decode()
    assert str(mine) in page and str(other) not in page
    panel = client.get(reverse("tickets:installer_faults")).content.decode()
    assert str(mine) in panel and str(other) not in panel
    # a carrier desk's number with no compound on file, dispatched to this installer
    typed = services.fault_report(user=agent, source="telecom_180", service_type="landline",
                                  service_number="88831234", address="馨苑 3#-1-201",
                                  description="无拨号音")
    walk(typed, "dispatched")
    assert client.get(reverse("tickets:fault_detail", args=[typed.pk])).status_code == 200


def test_the_installers_home_loads_their_faults(client, installer, report, walk):
    fault = walk(report(), "dispatched")
    client.force_login(installer)
    home = client.get("/").content.decode()
    assert reverse("tickets:installer_faults") in home  # the panel, loaded by htmx
    panel = client.get(reverse("tickets:installer_faults")).content.decode()
    assert str(fault) in panel and fault.description in panel


def test_actions_are_refused_to_who_may_not_do_them(client, users, report, walk, cause):
    fault = walk(report(), "dispatched")
    _post_access(client, reverse("tickets:fault_dispatch", args=[fault.pk]), users,
                 {"agent", "manager"})
    _post_access(client, reverse("tickets:fault_fix", args=[fault.pk]), users,
                 {"agent", "manager", "installer"})
    _post_access(client, reverse("tickets:fault_callback", args=[fault.pk]), users,
                 {"agent", "manager"})


def test_logging_a_fault_while_the_customer_is_on_the_line(zh, agent, customer):
    subscriber, broadband, _ = customer
    zh.force_login(agent)
    found = zh.get(reverse("tickets:subscriber_lookup"), {"q": "139 1234 5678"})
    assert subscriber.name in found.content.decode()
    for query in ["dw0120502", "dw01205", "1#-2-502", "馨苑 1-2-502"]:
        page = zh.get(reverse("tickets:fault_add"), {"q": query}).content.decode()
        assert f"?subscriber={subscriber.pk}" in page, query

    form = zh.get(reverse("tickets:fault_add"), {"subscriber": subscriber.pk})
    assert f"broadband:{broadband.pk}" in form.content.decode()
    response = zh.post(reverse("tickets:fault_add"), {
        "subscriber": subscriber.pk, "account": f"broadband:{broadband.pk}",
        "source": "customer", "description": "上不了网"}, follow=True)

    fault = Fault.objects.get()
    assert response.redirect_chain[-1][0] == fault.get_absolute_url()
    page = response.content.decode()
    assert "已登记" in page and "12 小时内处理" in page
    assert fault.mark == "X" and fault.owner == agent


def test_a_form_error_keeps_what_was_typed_and_saves_nothing(zh, agent, reference):
    zh.force_login(agent)
    response = zh.post(reverse("tickets:fault_add"), {
        "source": "telecom_180", "service_type": "landline", "description": "无拨号音",
        "address": "馨苑 3#-1-201"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写故障号码。" in page and "馨苑 3#-1-201" in page
    assert not Fault.objects.exists()


@pytest.mark.parametrize("junk", ["\x00", "9" * 5000, "<script>", "subscriber=1'--"])
def test_no_input_breaks_the_fault_form(client, agent, reference, junk):
    client.force_login(agent)
    assert client.get(reverse("tickets:fault_add"), {"q": junk, "subscriber": junk,
                                                     "account": junk}).status_code == 200
    response = client.post(reverse("tickets:fault_add"), {
        "subscriber": junk, "account": junk, "source": junk, "description": junk,
        "reported_at": junk, "service_point": junk})
    assert response.status_code == 200
    assert client.get(reverse("tickets:fault_list"), {"q": junk, "reported_from": junk,
                                                      "state": junk}).status_code == 200


def test_a_callback_on_an_unfixed_fault_is_refused_with_a_clear_message(zh, agent, report):
    fault = report()
    zh.force_login(agent)
    response = zh.post(reverse("tickets:fault_callback", args=[fault.pk]),
                       {"result": "passed", "satisfaction": "satisfied"}, follow=True)
    assert "维修人说修好(✓)后才能回访" in response.content.decode()
    fault.refresh_from_db()
    assert fault.state == FaultState.NEW


def test_the_callback_form_asks_for_the_satisfaction(zh, agent, report, walk):
    fault = walk(report(), "fixed")
    zh.force_login(agent)
    response = zh.post(reverse("tickets:fault_callback", args=[fault.pk]), {"result": "passed"})
    assert response.status_code == 200
    assert "请询问并选择用户的满意度。" in response.content.decode()
    response = zh.post(reverse("tickets:fault_callback", args=[fault.pk]),
                       {"result": "failed", "note": "仍然不通"}, follow=True)
    assert "回访未通过 ×" in response.content.decode()
    fault.refresh_from_db()
    assert fault.state == FaultState.REOPENED


def test_the_fault_page_shows_the_whole_history(zh, agent, report, walk):
    fault = walk(report(), "fixed")
    services.fault_callback_record(user=agent, fault=fault, passed=False, note="还是掉线")
    zh.force_login(agent)
    page = zh.get(fault.get_absolute_url()).content.decode()
    history = page[page.index('id="history"'):]
    for label in ["待派修", "已派修", "已修好 ✓ 待回访", "回访未通过 × 待重派", "还是掉线"]:
        assert label in history
    assert 'id="action-dispatch"' in page and "回访未通过 ×:还是掉线" in page


def test_a_clerk_reads_a_fault_but_gets_no_action(client, clerk, report):
    fault = report()
    client.force_login(clerk)
    page = client.get(fault.get_absolute_url()).content.decode()
    assert 'id="action-' not in page


def test_the_agents_home_is_the_live_queue(zh, agent, report, walk, make_customer):
    late = report(reported_at=timezone.now() - timedelta(hours=13))
    waiting = walk(services.fault_report(user=agent, source="customer",
                                         account=make_customer(room=903)[1],
                                         description="无拨号音"), "fixed")
    zh.force_login(agent)
    page = zh.get("/").content.decode()
    assert f'hx-get="{reverse("tickets:desk_queue")}"' in page
    assert 'hx-trigger="every 20s"' in page
    repair = page[page.index('id="queue-repair"'):page.index('id="queue-callbacks"')]
    assert str(late) in repair and "table-danger" in repair and "超时 1:" in repair
    callbacks = page[page.index('id="queue-callbacks"'):page.index('id="queue-replies"')]
    assert str(waiting) in callbacks


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_costs_the_same_queries_at_any_size(client, agent, report, walk,
                                                      make_customer, complaint,
                                                      django_assert_num_queries):
    client.force_login(agent)
    walk(report(), "fixed")
    complaint()
    small = _queries(client, reverse("tickets:desk_queue"))
    home_small = _queries(client, "/")
    for n in range(6):
        _s, account, _ = make_customer(room=1000 + n)
        fault = services.fault_report(user=agent, source="customer", account=account,
                                      description="掉线")
        walk(fault, ["dispatched", "fixed", "called_back"][n % 3])
        complaint(subscriber=_s)
    assert _queries(client, reverse("tickets:desk_queue")) == small
    assert _queries(client, "/") == home_small
    # session, user, permissions, groups (5) + the queue (8) + the session's save (3)
    assert small <= 16, small
    assert agent.role == "agent"  # (the role is read once per request, with the user)
    with django_assert_num_queries(8):
        queue = desk_queue(agent)
    assert queue.callbacks_waiting == 3 and queue.replies_owed == 0


def test_the_fault_list_filters_and_exports(client, agent, report, walk, make_customer):
    late = report(reported_at=timezone.now() - timedelta(hours=14))
    closed = walk(services.fault_report(user=agent, source="customer",
                                        account=make_customer(room=1201)[1],
                                        description="掉线"), "called_back")
    client.force_login(agent)
    url = reverse("tickets:fault_list")
    page = client.get(url, {"overdue": "on"}).content.decode()
    assert str(late) in page and str(closed) not in page
    page = client.get(url, {"state": "closed"}).content.decode()
    assert str(closed) in page and str(late) not in page
    page = client.get(url, {"q": str(closed)}).content.decode()
    assert str(closed) in page and str(late) not in page
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        services.fault_report(user=agent, source="customer",
                              account=make_customer(room=1300 + n)[1], description="掉线")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)

    export = client.get(url, {"_export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    numbers = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert str(late) in numbers and str(closed) in numbers


def test_the_service_record_slip_prints_the_seed_fields(client, agent, report, walk):
    from pypdf import PdfReader

    fault = walk(report(), "called_back")
    client.force_login(agent)
    for paper, width in [("a4", 595), ("a5", 595)]:
        response = client.get(reverse("tickets:fault_slip", args=[fault.pk]), {"paper": paper})
        assert response["Content-Type"] == "application/pdf"
        reader = PdfReader(BytesIO(response.content))
        text = "".join(page.extract_text() for page in reader.pages)
        for label in ["客户服务记录单", str(fault), "服务类型", "客户确认", "非常满意", "满意"]:
            assert label in text, (paper, label)
        assert round(float(reader.pages[0].mediabox.width)) == width  # A5 is landscape
    assert len(reader.pages) == 1


def test_a_manager_keeps_the_fault_cause_list(client, manager, reference):
    client.force_login(manager)
    response = client.post(reverse("tickets:faultcause_add"),
                           {"name": "雷击", "sort_order": 5, "is_active": "on"})
    assert response.status_code == 302
    assert FaultCause.objects.filter(name="雷击").exists()


def test_the_subscribers_timeline_lists_faults_and_complaints(agent, report, complaint,
                                                              customer):
    from tickets.selectors.calldesk import subscriber_timeline

    fault = report()
    c = complaint()
    entries = subscriber_timeline(customer[0], agent)
    assert {e.url for e in entries} == {fault.get_absolute_url(), c.get_absolute_url()}
    assert "tickets.selectors.calldesk.subscriber_timeline" in \
        settings.SUBSCRIBER_TIMELINE_SOURCES


def test_complaint_pages_walk_a_complaint_to_its_close(zh, agent, customer, root_cause):
    zh.force_login(agent)
    response = zh.post(reverse("tickets:complaint_add") + f"?subscriber={customer[0].pk}", {
        "subscriber": customer[0].pk, "channel": "phone", "kind": "service_quality",
        "urgency": "critical", "description": "修了三次还是断"}, follow=True)
    c = Complaint.objects.get()
    assert "须在" in response.content.decode()
    zh.post(reverse("tickets:complaint_contact", args=[c.pk]), {"note": "已联系"})
    zh.post(reverse("tickets:complaint_handle", args=[c.pk]), {
        "substantiated": "yes", "root_cause": root_cause.pk, "result": "已更换入户线"})
    response = zh.post(reverse("tickets:complaint_callback", args=[c.pk]),
                       {"outcome": "satisfied", "satisfaction": "very_satisfied"}, follow=True)
    c.refresh_from_db()
    assert c.state == "closed"
    assert "回访客户满意" in response.content.decode()


def test_pages_carry_no_inline_script_or_style():
    """The Content-Security-Policy refuses them: the browser would silently drop them."""
    root = Path(settings.BASE_DIR)
    files = [*root.glob("templates/tickets/calldesk/*.html")]
    for path in files:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text), path
