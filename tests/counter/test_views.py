"""The counter's pages through the client: who may open what, what the clerk reads (in
Chinese), one POST = one write, and query counts that do not grow with the rows."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import BroadbandAccount, Subscriber
from billing import services as billing
from billing.forms import opened_token
from billing.models import DailyClose, Receipt
from tests.counter.conftest import id_number
from tests.viewtests import assert_access
from tickets.models import WorkOrder
from tickets.services import workorders as wo

pytestmark = pytest.mark.django_db


def install_post(annual_plan, n=1, **overrides):
    data = {
        "idempotency_key": str(uuid.uuid4()), "opened": opened_token(), "kind": "person",
        "name": f"赵敏{n}", "id_number": id_number(n), "mobile": "13800138000",
        "building": "3", "unit": "1", "room": str(600 + n), "want_broadband": "on",
        "broadband_plan": str(annual_plan.pk), "broadband_points": "1", "landline_points": "1",
        "prepaid_credit": "0", "payment_method": "wechat",
    }
    data.update(overrides)
    return data


@pytest.fixture
def today_order(clerk, xinyuan, annual_plan, books):
    """An order opened today (real time), through the service."""
    return wo.install_order_open(
        user=clerk, service_point=xinyuan, building=2, unit=1, room=301,
        broadband_plan=annual_plan, payment_method="cash",
        new_subscriber={"kind": "person", "name": "孙丽", "id_number": id_number(77)})


# --- access ------------------------------------------------------------------------------------


def test_who_may_open_the_counter_pages(client, users, today_order):
    order = today_order
    counter = {"clerk", "other_clerk", "manager"}
    assert_access(client, reverse("tickets:install_order"), users, counter)
    assert_access(client, reverse("tickets:dispatch_create"), users, counter)
    assert_access(client, reverse("billing:daily_close"), users, counter)
    assert_access(client, reverse("billing:receipt_list"), users, counter)
    assert_access(client, reverse("billing:renewal"), users, counter)
    assert_access(client, reverse("tickets:workorder_list"), users, set(users))
    # another service point's order and receipt are not found, not merely forbidden
    assert_access(client, order.get_absolute_url(), users, {"clerk", "manager", "agent"})
    assert_access(client, reverse("tickets:workorder_slip", args=[order.pk]), users,
                  {"clerk", "manager", "agent"})
    assert_access(client, order.receipt.get_absolute_url(), users, {"clerk", "manager"})
    assert_access(client, reverse("billing:receipt_pdf", args=[order.receipt_id]), users,
                  {"clerk", "manager"})
    assert_access(client, reverse("billing:receiptbook_add"), users, {"manager"})
    assert_access(client, reverse("billing:dailyclose_list"), users, counter)


def test_an_installer_sees_only_the_orders_dispatched_to_them(client, clerk, installer,
                                                               today_order):
    client.force_login(installer)
    assert client.get(today_order.get_absolute_url()).status_code == 404
    wo.workorders_dispatch(user=clerk, orders=[today_order], installer=installer)
    assert client.get(today_order.get_absolute_url()).status_code == 200
    home = client.get("/")
    assert today_order.number in home.content.decode()


# --- the install order ---------------------------------------------------------------------


def test_a_clerk_opens_an_order_and_prints_the_receipt(client, clerk, annual_plan, books):
    client.force_login(clerk)
    form = client.get(reverse("tickets:install_order"))
    assert "收款并受理" in form.content.decode()
    response = client.post(reverse("tickets:install_order"), install_post(annual_plan))
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url() + "?new=1"
    page = client.get(response["Location"]).content.decode()
    assert "打印收据" in page and order.broadband.password in page
    pdf = client.get(reverse("billing:receipt_pdf", args=[order.receipt_id]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert order.receipt.payment_method == "wechat"
    assert order.transaction_seconds is not None and order.transaction_seconds < 60


def test_a_double_post_makes_one_order_and_one_receipt(client, clerk, annual_plan, books):
    client.force_login(clerk)
    data = install_post(annual_plan)
    first = client.post(reverse("tickets:install_order"), data)
    second = client.post(reverse("tickets:install_order"), data)
    assert first["Location"] == second["Location"]
    assert (WorkOrder.objects.count(), Receipt.objects.count(), Subscriber.objects.count()) == (
        1, 1, 1)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"broadband_plan": "999"}, "选择一个有效的选项"),  # not a broadband plan
    ({"want_landline": "on", "landline_carrier": "1", "phone_number": "68012345",
      "prepaid_credit": "-5"}, "确保该值大于或等于0"),
    ({"prepaid_credit": "99999999"}, "确保该值小于或等于5000"),
    ({"room": "0"}, "确保该值大于或等于1"),
    ({"want_broadband": ""}, "请选择宽带、固话或两者"),
])
def test_bad_input_shows_a_chinese_message_and_saves_nothing(client, clerk, annual_plan, books,
                                                             overrides, message):
    client.force_login(clerk)
    response = client.post(reverse("tickets:install_order"),
                           install_post(annual_plan, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WorkOrder.objects.exists() and not Receipt.objects.exists()
    assert not Subscriber.objects.exists()


def test_premises_with_a_broadband_account_are_refused_on_the_room(client, clerk, annual_plan,
                                                                  books):
    client.force_login(clerk)
    client.post(reverse("tickets:install_order"), install_post(annual_plan, n=1))
    response = client.post(reverse("tickets:install_order"),
                           install_post(annual_plan, n=2, room="601"))
    assert response.status_code == 400
    assert "已有宽带账户" in response.content.decode()
    assert WorkOrder.objects.count() == 1 and BroadbandAccount.objects.count() == 1


def test_a_closed_day_is_refused_in_chinese(client, clerk, annual_plan, books):
    client.force_login(clerk)
    client.post(reverse("tickets:install_order"), install_post(annual_plan, n=1))
    close = client.post(reverse("billing:daily_close"), {"counted_cash": "0",
                                                         "explanation": "全部微信收款"})
    assert close.status_code == 302, close.content.decode()
    response = client.post(reverse("tickets:install_order"), install_post(annual_plan, n=2))
    assert response.status_code == 400
    assert "已日结" in response.content.decode()
    assert WorkOrder.objects.count() == 1


def test_the_quote_is_computed_by_the_server(client, clerk, annual_plan, books):
    client.force_login(clerk)
    response = client.post(reverse("tickets:install_quote"),
                           install_post(annual_plan, router_setup="on", broadband_points="3"))
    html = response.content.decode()
    assert "¥760.00" in html  # 700 + 30 extra point + 30 router
    assert "柒佰陆拾元整" in html
    assert "dw0310601" in html
    assert not WorkOrder.objects.exists()


def test_the_quote_points_to_an_already_registered_subscriber(client, clerk, annual_plan, books,
                                                              today_order):
    client.force_login(clerk)
    response = client.post(reverse("tickets:install_quote"),
                           install_post(annual_plan, id_number=id_number(77)))
    html = response.content.decode()
    assert "该身份证号已登记" in html
    assert f"?subscriber={today_order.subscriber_id}" in html


def test_an_existing_subscriber_from_the_query_string(client, clerk, annual_plan, today_order):
    client.force_login(clerk)
    subscriber = today_order.subscriber
    page = client.get(reverse("tickets:install_order") + f"?subscriber={subscriber.pk}")
    assert subscriber.name in page.content.decode()
    data = install_post(annual_plan, room="302", building="2")
    data["subscriber"] = str(subscriber.pk)
    response = client.post(reverse("tickets:install_order") + f"?subscriber={subscriber.pk}",
                           data)
    assert response.status_code == 302
    assert WorkOrder.objects.filter(subscriber=subscriber).count() == 2
    assert Subscriber.objects.count() == 1


def test_another_points_subscriber_is_not_found(client, other_clerk, today_order):
    client.force_login(other_clerk)
    page = client.get(reverse("tickets:install_order")
                      + f"?subscriber={today_order.subscriber_id}")
    assert page.status_code == 404


# --- receipts, voids, daily close -------------------------------------------------------------


def test_a_clerk_voids_a_receipt_and_the_pdf_says_so(client, clerk, today_order):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(clerk)
    receipt = today_order.receipt
    response = client.post(reverse("billing:receipt_void", args=[receipt.pk]),
                           {"reason": "金额写错"})
    assert response.status_code == 302
    pdf = client.get(reverse("billing:receipt_pdf", args=[receipt.pk]))
    text = PdfReader(BytesIO(pdf.content)).pages[0].extract_text()
    assert "作废 ·" in text and "金额写错" in text
    assert receipt.number_display in text


def test_another_clerk_cannot_void(client, users, today_order):
    url = reverse("billing:receipt_void", args=[today_order.receipt_id])
    client.force_login(users["other_clerk"])
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(users["agent"])
    assert client.post(url, {"reason": "xx"}).status_code == 403
    assert not Receipt.objects.get(pk=today_order.receipt_id).is_void


def test_the_daily_close_page_counts_and_closes(client, clerk, today_order):
    client.force_login(clerk)
    page = client.get(reverse("billing:daily_close")).content.decode()
    assert "¥700.00" in page  # expected cash
    short = client.post(reverse("billing:daily_close"), {"counted_cash": "690"})
    assert short.status_code == 400 and "请说明原因" in short.content.decode()
    done = client.post(reverse("billing:daily_close"), {"counted_cash": "690",
                                                        "explanation": "少收 10 元"})
    close = DailyClose.objects.get()
    assert done["Location"] == close.get_absolute_url()
    assert close.difference == Decimal("-10.00")
    pdf = client.get(reverse("billing:dailyclose_pdf", args=[close.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_a_manager_opens_a_receipt_book(client, manager, xinyuan, tariffs):
    client.force_login(manager)
    response = client.post(reverse("billing:receiptbook_add"), {
        "service_point": xinyuan.pk, "series": "dw2027", "first_number": "1",
        "last_number": "0"})
    assert response.status_code == 400  # last below first
    response = client.post(reverse("billing:receiptbook_add"), {
        "service_point": xinyuan.pk, "series": "dw2027", "first_number": "1",
        "last_number": "500"})
    assert response.status_code == 302
    assert billing.receipt_book_open  # the service did it
    from billing.models import ReceiptBook

    assert ReceiptBook.objects.get().series == "DW2027"


# --- dispatch, return, callback through the pages --------------------------------------------


def test_dispatch_return_callback_archive_through_the_pages(client, clerk, installer,
                                                            today_order):
    client.force_login(clerk)
    response = client.post(reverse("tickets:dispatch_create"), {
        "orders": [today_order.pk], "installer": installer.pk})
    assert response.status_code == 302
    log = client.get(response["Location"].rstrip("/") + "/log.pdf")
    assert log.content.startswith(b"%PDF")
    order_url = today_order.get_absolute_url()
    assert client.post(reverse("tickets:workorder_archive", args=[today_order.pk])).status_code \
        == 302  # refused, with a message
    assert WorkOrder.objects.get(pk=today_order.pk).state == "dispatched"
    client.post(reverse("tickets:workorder_return", args=[today_order.pk]), {})
    bad = client.post(reverse("tickets:workorder_callback", args=[today_order.pk]),
                      {"result": "confirmed"})
    assert bad.status_code == 400 and "请询问用户满意度" in bad.content.decode()
    client.post(reverse("tickets:workorder_callback", args=[today_order.pk]),
                {"result": "confirmed", "satisfaction": "satisfied"})
    client.post(reverse("tickets:workorder_archive", args=[today_order.pk]))
    order = WorkOrder.objects.get(pk=today_order.pk)
    assert order.state == "archived"
    assert BroadbandAccount.objects.get(pk=order.broadband_id).state == "active"
    assert "已归档" in client.get(order_url).content.decode()


def test_a_move_to_another_compound_is_refused_on_the_page(client, clerk, today_order,
                                                           qujiang):
    from accounts import services as accounts_services

    accounts_services.account_activate(user=clerk, account=today_order.broadband)
    client.force_login(clerk)
    url = reverse("tickets:counter_move")
    account = today_order.broadband.account_name
    page = client.get(url + f"?account={account}")
    assert "¥30.00" in page.content.decode()
    response = client.post(url, {"account": account, "idempotency_key": str(uuid.uuid4()),
                                 "to_service_point": qujiang.pk, "to_building": "1",
                                 "to_unit": "1", "to_room": "101", "payment_method": "cash"})
    assert response.status_code == 400
    assert "小区外不能移机" in response.content.decode()
    assert not WorkOrder.objects.filter(kind="move").exists()


def test_a_suspension_the_rules_refuse_is_explained(client, clerk, today_order):
    client.force_login(clerk)
    url = reverse("tickets:counter_suspend")
    account = today_order.broadband.account_name
    response = client.post(url, {"account": account, "idempotency_key": str(uuid.uuid4()),
                                 "months": "3"})
    assert response.status_code == 400
    assert "只有正常" in response.content.decode() or "暂停" in response.content.decode()
    assert BroadbandAccount.objects.get(pk=today_order.broadband_id).state == "pending"


def test_a_top_up_through_the_page(client, clerk, own, default_ll_plan, xinyuan, books):
    order = wo.install_order_open(
        user=clerk, service_point=xinyuan, building=2, unit=1, room=305, payment_method="cash",
        landline_carrier=own, landline_plan=default_ll_plan, phone_number="68055555",
        prepaid_credit=Decimal("20"),
        new_subscriber={"kind": "person", "name": "周强", "id_number": id_number(31)})
    client.force_login(clerk)
    preview = client.post(reverse("billing:top_up"), {"account": "68055555", "amount": "50",
                                                      "_preview": "1"})
    assert "¥70.00" in preview.content.decode()  # balance after
    key = str(uuid.uuid4())
    for _ in range(2):
        response = client.post(reverse("billing:top_up"), {
            "account": "68055555", "amount": "50", "payment_method": "cash",
            "idempotency_key": key})
        assert response.status_code == 302
    order.landline.refresh_from_db()
    assert order.landline.balance == Decimal("70.00")
    assert Receipt.objects.filter(purpose="top_up").count() == 1


# --- queries that do not grow -----------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url_name", [
    "tickets:workorder_list", "billing:receipt_list", "tickets:dispatch_list",
    "billing:dailyclose_list", "tickets:dispatch_create", "billing:receiptbook_list",
    "billing:invoice_list", "tickets:carrierbatch_list",
])
def test_list_pages_make_the_same_queries_for_3_or_30_rows(client, clerk, manager, installer,
                                                          install, url_name):
    from datetime import date

    from tests.counter.conftest import at

    def day(n):
        orders = [install(n=n * 100 + i, now=at(f"2026-03-{n:02d}")) for i in range(3)]
        if n % 2:
            wo.workorders_dispatch(user=clerk, orders=orders, installer=installer,
                                   now=at(f"2026-03-{n:02d}", "17:00"))
        billing.daily_close(user=clerk, day=date(2026, 3, n), counted_cash="2100",
                            now=at(f"2026-03-{n:02d}", "18:00"))

    day(1)
    client.force_login(manager)
    url = reverse(url_name)
    few = count_queries(client, url)
    for n in range(2, 11):
        day(n)
    many = count_queries(client, url)
    assert many == few, f"{url_name}: {few} queries with few rows, {many} with many"
    assert many <= 14, f"{url_name}: {many} queries"


def test_the_clerk_home_page_makes_a_fixed_number_of_queries(client, clerk, installer, install):
    from tests.counter.conftest import at

    client.force_login(clerk)
    install(n=1)
    few = count_queries(client, "/")
    orders = [install(n=i) for i in range(2, 12)]
    wo.workorders_dispatch(user=clerk, orders=orders, installer=installer,
                           now=at("2026-03-01"))  # long overdue
    many = count_queries(client, "/")
    assert many == few and many <= 20, (few, many)
    page = client.get("/").content.decode()
    assert "超时未回单" in page and "sd-overdue" in page


def test_the_subscriber_timeline_shows_receipts_and_orders(client, clerk, today_order):
    client.force_login(clerk)
    page = client.get(today_order.subscriber.get_absolute_url()).content.decode()
    assert today_order.receipt.number_display in page
    assert today_order.number in page


def test_the_clerk_home_offers_the_counter_by_keyboard(client, clerk, books):
    client.force_login(clerk)
    page = client.get("/").content.decode()
    for key, url in (("n", reverse("tickets:install_order")),
                     ("k", reverse("tickets:dispatch_create")),
                     ("j", reverse("billing:daily_close"))):
        assert f'href="{url}" accesskey="{key}"' in page, key
    assert "今日收款" in page and "尚未日结" in page
    form = client.get(reverse("tickets:install_order")).content.decode()
    assert 'accesskey="s"' in form and "autofocus" in form and "data-enter-submits" in form


def test_receipts_of_a_day_range_by_local_date(client, manager, clerk, xinyuan, books, lines):
    """The report link "receipts of a month" (day_from/day_to): a day is its Shanghai date,
    midnight to midnight, whatever the UTC time; newest first; the same queries whatever
    the range (the filter also bounds issued_at, for the index in the list's order)."""
    from tests.counter.conftest import at

    def issue(day, hm):
        return billing.receipt_issue(user=clerk, service_point=xinyuan, lines=lines("10"),
                                     payment_method="cash", payer_name="张伟",
                                     purpose="install", now=at(day, hm))

    issue("2026-03-09", "23:59")
    first = issue("2026-03-10", "00:00")
    last = issue("2026-03-10", "23:59")
    voided = issue("2026-03-10", "12:00")
    billing.receipt_void(user=manager, receipt=voided, reason="开错了",
                         now=at("2026-03-10", "12:05"))
    issue("2026-03-11", "00:00")
    client.force_login(manager)
    url = reverse("billing:receipt_list")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"day_from": "2026-03-10", "day_to": "2026-03-10",
                                    "status": "issued"})
    listed = [row.record.pk for row in response.context["table"].paginated_rows]
    assert listed == [last.pk, first.pk]
    one_day = len(queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"day_from": "2026-03-01", "day_to": "2026-03-31"})
    assert len(response.context["table"].paginated_rows) == 5
    assert len(queries) == one_day
    for extreme in ({"day_from": "0001-01-01"}, {"day_to": "9999-12-31"}):
        assert client.get(url, extreme).status_code == 200
