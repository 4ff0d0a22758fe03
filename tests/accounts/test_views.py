"""The register's pages as each role meets them."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import BroadbandAccount, BroadbandPlan, SensitiveAccess, Subscriber
from servicedesk.timeline import TimelineEntry
from tests.accounts.conftest import valid_id_number
from tests.viewtests import assert_access

pytestmark = pytest.mark.django_db

READERS = {"clerk", "agent", "manager"}  # of a 馨苑 record
WRITERS = {"clerk", "manager"}
ANY_CLERK = {"other_clerk"}  # a list or a blank form is not tied to a record


@pytest.fixture
def zhang(make_subscriber):
    return make_subscriber(name="张伟", n=1)


@pytest.fixture
def broadband(zhang, open_broadband, monthly_plan):
    return open_broadband(zhang, monthly_plan, accepted_on=timezone.localdate())


@pytest.fixture
def landline(zhang, clerk, own, default_ll_plan, broadband, caller_id):
    return services.landline_account_open(
        user=clerk, subscriber=zhang, premises=zhang.home, carrier=own, plan=default_ll_plan,
        phone_number="68001234", bundled_with=broadband, add_ons=[caller_id])


# --- who may open what -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("accounts:subscriber_list", READERS | ANY_CLERK),
        ("accounts:broadband_list", READERS | ANY_CLERK),
        ("accounts:landline_list", READERS | ANY_CLERK),
        ("accounts:subscriber_add", WRITERS | ANY_CLERK),
        ("accounts:carrier_list", READERS | ANY_CLERK),
        ("accounts:broadbandplan_add", {"manager"}),
        ("accounts:fee_add", {"manager"}),
    ],
)
def test_page_access(client, users, tariffs, url_name, allowed):
    assert_access(client, reverse(url_name), users, allowed=allowed)


def test_record_pages_are_scoped_to_the_service_point(client, users, broadband, landline):
    """other_clerk (曲江观邸) gets a 404 for a 馨苑 subscriber; the installer a 403."""
    zhang = broadband.subscriber
    assert_access(client, zhang.get_absolute_url(), users, allowed=READERS)
    assert_access(client, broadband.get_absolute_url(), users, allowed=READERS)
    assert_access(client, landline.get_absolute_url(), users, allowed=READERS)
    assert_access(client, reverse("accounts:subscriber_edit", args=[zhang.pk]), users,
                  allowed=WRITERS)


def test_reveal_and_password_actions_are_for_clerks_and_managers(client, users, broadband):
    zhang = broadband.subscriber
    assert_access(client, reverse("accounts:subscriber_reveal_id", args=[zhang.pk]), users,
                  allowed=WRITERS, method="post")
    assert_access(client, reverse("accounts:broadband_password", args=[broadband.pk]), users,
                  allowed=WRITERS, method="post", data={"reason": "测试"})
    assert SensitiveAccess.objects.filter(action="reveal_id").count() == 2
    assert SensitiveAccess.objects.filter(action="change_password").count() == 2


def test_menu_shows_the_register_to_those_who_may_see_it(client, clerk, installer, manager,
                                                         tariffs):
    client.force_login(clerk)
    page = client.get("/").content.decode()
    assert reverse("accounts:subscriber_list") in page and "固话账户" in page
    assert reverse("accounts:broadbandplan_list") not in page
    client.force_login(installer)
    assert reverse("accounts:subscriber_list") not in client.get("/").content.decode()
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "资费管理" in page and reverse("accounts:broadbandplan_list") in page


# --- new subscriber --------------------------------------------------------------------


def new_subscriber_data(**overrides):
    data = {"kind": "person", "name": "王芳", "id_number": valid_id_number(9),
            "intro_letter_ref": "", "mobile": "13900001111", "phone": "029-86860001",
            "building": "3", "unit": "1", "room": "1201", "note": ""}
    data.update(overrides)
    return data


def test_clerk_registers_a_subscriber_at_their_own_point(client, clerk, qujiang):
    client.force_login(clerk)
    page = client.get(reverse("accounts:subscriber_add")).content.decode()
    assert "新用户登记" in page and "autofocus" in page
    # Even a forged service point in the POST stays the clerk's own.
    response = client.post(reverse("accounts:subscriber_add"),
                           new_subscriber_data(service_point=qujiang.pk))
    subscriber = Subscriber.objects.get()
    assert response.status_code == 302
    assert response["Location"] == subscriber.get_absolute_url()
    assert subscriber.service_point == clerk.service_point
    assert subscriber.home.label == "3#-1-1201" and subscriber.created_by == clerk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "610102198001010011"}, "身份证号无效"),
        ({"id_number": ""}, "个人用户须填写身份证号"),
        ({"kind": "organization", "id_number": ""}, "单位用户须填写单位介绍信编号"),
        ({"building": "100"}, "楼号"),
        ({"building": "0"}, "楼号"),
        ({"building": "99999999999999999999999999"}, "楼号"),
        ({"unit": "abc"}, "输入整数"),
        ({"room": "1e5"}, "输入整数"),
        ({"room": ""}, "楼号、单元、房间号须一起填写"),
        ({"mobile": "1390000111"}, "手机号为 11 位数字"),
        ({"mobile": "<script>x</script>"}, "手机号为 11 位数字"),
        ({"mobile": "1" * 10_000}, "不超过 20 字符"),
        ({"phone": "abc"}, "请填写 11 位手机号"),
        ({"name": ""}, "这个字段是必填项"),
        ({"name": "名" * 10_000}, "不超过 60 字符"),
        ({"name": "a\x00b"}, "空字符"),
        ({"kind": "alien"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_gets_a_chinese_field_error_and_saves_nothing(client, clerk, overrides,
                                                                message):
    client.force_login(clerk)
    response = client.post(reverse("accounts:subscriber_add"), new_subscriber_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()


def test_html_in_a_name_is_shown_as_text(client, clerk):
    client.force_login(clerk)
    client.post(reverse("accounts:subscriber_add"), new_subscriber_data(name="<b>王</b>"))
    subscriber = Subscriber.objects.get()
    page = client.get(subscriber.get_absolute_url()).content.decode()
    assert "&lt;b&gt;王&lt;/b&gt;" in page and "<b>王</b>" not in page


def test_duplicate_id_is_refused_with_a_link_to_the_subscriber(client, clerk, zhang):
    client.force_login(clerk)
    response = client.post(reverse("accounts:subscriber_add"),
                           new_subscriber_data(id_number=zhang.id_number.lower()))
    page = response.content.decode()
    assert "已有用户使用该身份证号" in page
    assert zhang.get_absolute_url() in page
    assert Subscriber.objects.count() == 1


def test_duplicate_at_another_point_does_not_leak_the_record(client, other_clerk, zhang):
    client.force_login(other_clerk)
    page = client.post(reverse("accounts:subscriber_add"),
                       new_subscriber_data(id_number=zhang.id_number)).content.decode()
    assert "已在其他营业点登记" in page
    assert zhang.get_absolute_url() not in page and "张伟" not in page


def test_contact_details_are_edited_through_the_service(client, clerk, zhang):
    client.force_login(clerk)
    url = reverse("accounts:subscriber_edit", args=[zhang.pk])
    response = client.post(url, {"name": "张伟", "mobile": "abc", "phone": "", "note": "",
                                 "building": "1", "unit": "2", "room": "502"})
    assert "手机号为 11 位数字" in response.content.decode()
    response = client.post(url, {"name": "张伟", "mobile": "13700000000", "phone": "",
                                 "note": "白天不在家", "building": "1", "unit": "2",
                                 "room": "502"})
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert (zhang.mobile, zhang.note) == ("13700000000", "白天不在家")


# --- the subscriber page ---------------------------------------------------------------


def test_subscriber_page_shows_identity_masked_and_every_account(client, agent, landline):
    zhang = landline.subscriber
    client.force_login(agent)
    page = client.get(zhang.get_absolute_url()).content.decode()
    assert zhang.masked_id_number in page and zhang.id_number not in page
    assert "dw0120502" in page and "68001234" in page and "来电显示" in page
    assert "1#-2-502" in page and "待装机" in page
    assert "天后到期" in page  # "expires in N days"
    assert "显示</button>" not in page  # agents may not reveal the ID number
    assert landline.password not in page
    assert BroadbandAccount.objects.get().password not in page


def test_revealing_the_id_shows_it_once_and_logs_it(client, clerk, zhang):
    client.force_login(clerk)
    response = client.post(reverse("accounts:subscriber_reveal_id", args=[zhang.pk]),
                           {"reason": "用户来柜台办理"})
    assert zhang.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    access = SensitiveAccess.objects.get()
    assert (access.by, access.action, access.reason) == (clerk, "reveal_id", "用户来柜台办理")
    assert zhang.id_number not in client.get(zhang.get_absolute_url()).content.decode()
    assert client.get(reverse("accounts:subscriber_reveal_id",
                              args=[zhang.pk])).status_code == 405


def test_manager_sees_who_looked_at_confidential_data(client, clerk, manager, zhang):
    services.id_number_reveal(user=clerk, subscriber=zhang, reason="核实")
    client.force_login(manager)
    page = client.get(zhang.get_absolute_url()).content.decode()
    assert "客户资料查看记录" in page and "查看了完整身份证号" in page and "核实" in page


def test_timeline_merges_sources_newest_first_and_shows_30(client, clerk, zhang, settings):
    settings.SUBSCRIBER_TIMELINE_SOURCES = ["tests.accounts.test_views.forty_receipts"]
    client.force_login(clerk)
    page = client.get(zhang.get_absolute_url()).content.decode()
    assert "收据 R039" in page and "收据 R010" in page and "收据 R009" not in page
    assert page.index("收据 R039") < page.index("收据 R038")


def forty_receipts(subscriber, user):
    start = timezone.now() - timedelta(days=40)
    return [TimelineEntry(at=start + timedelta(days=i), kind="收据", title=f"收据 R{i:03d}")
            for i in range(40)]


def test_subscriber_page_starts_each_role_s_work_for_the_subscriber(client, users, zhang):
    query = f"?subscriber={zhang.pk}"
    expected = {
        "clerk": {"tickets:install_order"},
        "agent": {"tickets:fault_add", "tickets:complaint_add", "tickets:inquiry_add"},
        "installer": set(),
    }
    every = {"tickets:install_order", "tickets:fault_add", "tickets:complaint_add",
             "tickets:inquiry_add"}
    for who, allowed in expected.items():
        client.force_login(users[who])
        page = client.get(zhang.get_absolute_url()).content.decode()
        for name in every:
            link = f'href="{reverse(name)}{query}"'
            assert (link in page) == (name in allowed), (who, name)
        if allowed:  # and the link lands on that form with the subscriber filled in
            response = client.get(reverse(sorted(allowed)[0]) + query)
            assert response.status_code == 200 and zhang.name in response.content.decode()


def test_state_changes_are_on_the_timeline(client, clerk, broadband):
    client.force_login(clerk)
    page = client.get(broadband.subscriber.get_absolute_url()).content.decode()
    assert "dw0120502 → 正常" in page


def test_subscriber_page_queries_do_not_grow_with_accounts(
        client, clerk, zhang, open_broadband, monthly_plan, own, default_ll_plan, caller_id,
        make_subscriber, django_assert_max_num_queries):
    client.force_login(clerk)
    first = open_broadband(zhang, monthly_plan)
    services.landline_account_open(user=clerk, subscriber=zhang, premises=zhang.home,
                                   carrier=own, plan=default_ll_plan, phone_number="68009999",
                                   bundled_with=first, add_ons=[caller_id])
    with django_assert_max_num_queries(30) as one:
        client.get(zhang.get_absolute_url())
    for room in range(601, 611):
        premises = services.premises_get_or_create(service_point=zhang.service_point,
                                                   building=2, unit=1, room=room)
        account = services.broadband_account_open(user=clerk, subscriber=zhang,
                                                  premises=premises, plan=monthly_plan)
        services.landline_account_open(user=clerk, subscriber=zhang, premises=premises,
                                       carrier=own, plan=default_ll_plan,
                                       phone_number=f"6800{room:04d}", bundled_with=account,
                                       add_ons=[caller_id])
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(zhang.get_absolute_url()).content.decode()
    assert "68000610" in page


# --- account pages and passwords -------------------------------------------------------


def test_account_page_shows_history_but_never_the_password(client, clerk, broadband):
    client.force_login(clerk)
    page = client.get(broadband.get_absolute_url()).content.decode()
    assert "状态变更记录" in page and "已受理" in page
    assert broadband.password not in page


def test_password_reset_needs_a_reason_and_shows_the_new_one_once(client, clerk, broadband):
    client.force_login(clerk)
    url = reverse("accounts:broadband_password", args=[broadband.pk])
    response = client.post(url, {"reason": "  "})
    assert "这个字段是必填项" in response.content.decode()
    assert BroadbandAccount.objects.get().password == broadband.password
    response = client.post(url, {"reason": "用户忘记密码"})
    new = BroadbandAccount.objects.get().password
    assert new != broadband.password and new in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    log = SensitiveAccess.objects.get()
    assert (log.action, log.by, log.reason) == ("change_password", clerk, "用户忘记密码")
    assert new not in client.get(broadband.get_absolute_url()).content.decode()


def test_landline_password_reset(client, manager, landline):
    client.force_login(manager)
    response = client.post(reverse("accounts:landline_password", args=[landline.pk]),
                           {"reason": "用户要求"})
    landline.refresh_from_db()
    assert landline.password in response.content.decode()


# --- lists and exports -----------------------------------------------------------------


def test_subscriber_list_and_export_mask_id_numbers(client, clerk, zhang):
    client.force_login(clerk)
    url = reverse("accounts:subscriber_list")
    page = client.get(url).content.decode()
    assert zhang.masked_id_number in page and zhang.id_number not in page
    export = client.get(url, {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert zhang.masked_id_number in rows[1] and zhang.id_number not in export.content.decode()
    assert client.get(url, {"_export": "xlsx"})["Content-Type"].startswith(
        "application/vnd.openxmlformats")


def test_account_exports_never_carry_passwords(client, manager, landline):
    client.force_login(manager)
    for name in ("accounts:broadband_list", "accounts:landline_list"):
        export = client.get(reverse(name), {"_export": "csv"}).content.decode("utf-8-sig")
        assert "dw0120502" in export or "68001234" in export
        assert BroadbandAccount.objects.get().password not in export
        assert landline.password not in export
        assert "密码" not in export


def test_broadband_list_filters(client, manager, make_subscriber, open_broadband,
                                monthly_plan, annual_plan):
    today = timezone.localdate()
    soon = open_broadband(make_subscriber(name="甲", n=1, room=101), monthly_plan,
                          accepted_on=today - timedelta(days=20))
    later = open_broadband(make_subscriber(name="乙", n=2, room=102), annual_plan,
                           accepted_on=today - timedelta(days=20))
    client.force_login(manager)
    url = reverse("accounts:broadband_list")
    page = client.get(url, {"expiring_within": "30"}).content.decode()
    assert soon.account_name in page and later.account_name not in page
    page = client.get(url, {"plan": annual_plan.pk}).content.decode()
    assert later.account_name in page and soon.account_name not in page
    page = client.get(url, {"state": "active", "term": "annual"}).content.decode()
    assert later.account_name in page and soon.account_name not in page


@pytest.mark.parametrize("params", [
    {"expiring_within": "99999999999999999999"}, {"expiring_within": "abc"},
    {"expiring_within": "-5"}, {"state": "<script>"}, {"plan": "999999"},
    {"service_point": "x"}, {"q": "a\x00" * 5000}, {"page": "9999"}, {"page": "x"},
    {"sort": "password"},
])
def test_hostile_filters_never_fail(client, manager, broadband, params):
    client.force_login(manager)
    for name in ("accounts:broadband_list", "accounts:landline_list",
                 "accounts:subscriber_list"):
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 404), (name, params)


@pytest.mark.parametrize("url_name", ["accounts:subscriber_list", "accounts:broadband_list",
                                      "accounts:landline_list"])
def test_list_queries_do_not_grow_with_rows(client, manager, make_subscriber, clerk,
                                            monthly_plan, own, default_ll_plan, caller_id,
                                            django_assert_max_num_queries, url_name):
    def add(n):
        subscriber = make_subscriber(name=f"用户{n}", n=n, room=100 + n)
        account = services.broadband_account_open(user=clerk, subscriber=subscriber,
                                                  premises=subscriber.home, plan=monthly_plan)
        services.landline_account_open(user=clerk, subscriber=subscriber,
                                       premises=subscriber.home, carrier=own,
                                       plan=default_ll_plan, phone_number=f"6800{n:04d}",
                                       bundled_with=account, add_ons=[caller_id])

    client.force_login(manager)
    add(1)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse(url_name))
    for n in range(2, 26):  # a full page (25 rows)
        add(n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse(url_name)).content.decode()
    assert "用户25" in page and "用户1<" in page


# --- tariff data -----------------------------------------------------------------------


def test_manager_adds_a_plan_and_deactivates_it(client, manager, own):
    client.force_login(manager)
    data = {"carrier": own.pk, "name": "自营100M包年", "bandwidth_mbps": "100", "term": "annual",
            "months": "12", "price": "1200.00", "monthly_call_credit": "0", "is_active": "on"}
    response = client.post(reverse("accounts:broadbandplan_add"), data)
    assert response.status_code == 302
    plan = BroadbandPlan.objects.get(name="自营100M包年")
    data.pop("is_active")
    client.post(reverse("accounts:broadbandplan_edit", args=[plan.pk]), data)
    plan.refresh_from_db()
    assert not plan.is_active


@pytest.mark.parametrize(("overrides", "message"), [
    ({"term": "monthly", "months": "12"}, "包月套餐每期 1 个月"),
    ({"price": "-1"}, "确保该值大于或等于0"),
    ({"price": "1" * 30}, "不超过 12 个数字"),
    ({"bandwidth_mbps": "abc"}, "输入整数"),
    ({"name": "自营10M包月"}, "该运营商已有同名套餐"),
])
def test_bad_plan_data_is_refused(client, manager, own, overrides, message):
    client.force_login(manager)
    data = {"carrier": own.pk, "name": "新套餐", "bandwidth_mbps": "100", "term": "annual",
            "months": "12", "price": "1200.00", "monthly_call_credit": "0", **overrides}
    response = client.post(reverse("accounts:broadbandplan_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_tariff_lists_offer_no_delete(client, manager, tariffs):
    client.force_login(manager)
    page = client.get(reverse("accounts:landlineplan_list")).content.decode()
    assert "daweitest" in page and "yuezu" in page
    assert "delete" not in page.lower()


def test_expiry_column_reads_as_days(client, manager, broadband):
    BroadbandAccount.objects.update(expires_on=date.today() - timedelta(days=3))
    client.force_login(manager)
    page = client.get(reverse("accounts:broadband_list")).content.decode()
    assert "已过期 3 天" in page or "已过期 2 天" in page or "已过期 4 天" in page
