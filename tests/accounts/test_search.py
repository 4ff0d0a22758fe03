"""The header search box: what it understands, what it finds, and that it stays indexed."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from accounts import services
from accounts.models import Subscriber
from accounts.selectors import (
    SearchKind,
    classify_query,
    search_lookups,
    subscriber_search,
)
from tests.accounts.conftest import valid_id_number
from tests.viewtests import assert_access


@pytest.mark.parametrize(
    ("query", "kind", "value"),
    [
        ("610102198001010074", SearchKind.ID_NUMBER, "610102198001010074"),
        (" 61010219491231002x ", SearchKind.ID_NUMBER, "61010219491231002X"),
        ("DW20261122001", SearchKind.SERIAL, "DW20261122001"),
        ("dw20261122001", SearchKind.SERIAL, "dw20261122001"),
        ("dw0120502", SearchKind.ACCOUNT_NAME, "dw0120502"),
        ("DW0120502", SearchKind.ACCOUNT_NAME, "dw0120502"),
        ("qj123", SearchKind.ACCOUNT_NAME, "qj123"),
        ("13912345678", SearchKind.PHONE, "13912345678"),
        ("5678", SearchKind.PHONE, "5678"),
        ("029-8686 0001", SearchKind.PHONE, "02986860001"),
        ("12", SearchKind.PHONE, "12"),
        ("张", SearchKind.NAME, "张"),
        ("李晓梅", SearchKind.NAME, "李晓梅"),
        ("西安  金辉 商贸", SearchKind.NAME, "西安 金辉 商贸"),
        ("<script>alert(1)</script>", SearchKind.NAME, "<script>alert(1)</script>"[:60]),
        ("", SearchKind.NONE, ""),
        ("\x00 ", SearchKind.NONE, ""),
    ],
)
def test_queries_are_classified(query, kind, value):
    classified = classify_query(query)
    assert (classified.kind, classified.value) == (kind, value)


@pytest.mark.parametrize(
    ("query", "place", "numbers"),
    [
        ("馨苑 1#-2-502", "馨苑", (1, 2, 502)),
        ("1-2-502", "", (1, 2, 502)),
        ("1#2-502", "", (1, 2, 502)),
        ("曲江观邸12栋3单元1201室", "曲江观邸", (12, 3, 1201)),
        ("rq 99#-9-9999", "rq", (99, 9, 9999)),
    ],
)
def test_premises_queries(query, place, numbers):
    classified = classify_query(query)
    assert classified.kind == SearchKind.PREMISES
    assert classified.place == place
    assert tuple(classified.premises.values()) == numbers


def test_huge_queries_are_cut_short():
    assert len(classify_query("张" * 10_000).value) == 60


@pytest.fixture
def register(make_subscriber, open_broadband, monthly_plan, clerk, own, default_ll_plan):
    """Three 馨苑 subscribers with accounts, and one of 曲江观邸."""
    zhang = make_subscriber(name="张伟", n=1, mobile="13912345678", room=502)
    make_subscriber(name="张伟强", n=2, mobile="13800001111", room=503)
    ouyang = make_subscriber(name="欧阳晓梅", n=3, mobile="15000002222", room=601,
                             phone="029-86861234")
    broadband = services.broadband_account_open(
        user=clerk, subscriber=zhang, premises=zhang.home, plan=monthly_plan,
        accepted_on=date(2026, 11, 22), registration_serial="DW20261122001")
    services.landline_account_open(user=clerk, subscriber=ouyang, premises=ouyang.home,
                                   carrier=own, plan=default_ll_plan, phone_number="68007788",
                                   registration_serial="dw20261122001")
    return {"zhang": zhang, "ouyang": ouyang, "broadband": broadband}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张伟", {"张伟", "张伟强"}),  # 1-2 characters: names that start so
        ("伟", set()),  # not a prefix: too short for a substring search
        ("阳晓梅", {"欧阳晓梅"}),  # 3 or more: anywhere in the name
        ("13912345678", {"张伟"}),
        ("5678", {"张伟"}),  # the last digits of a mobile
        ("7788", {"欧阳晓梅"}),  # … of a landline number
        ("86861234", {"欧阳晓梅"}),  # the contact phone
        ("029-86861234", {"欧阳晓梅"}),
        ("dw0120502", {"张伟"}),
        ("DW20261122001", {"张伟"}),
        ("dw20261122001", {"欧阳晓梅"}),
        ("馨苑 1#-2-502", {"张伟"}),
        ("1-2-601", {"欧阳晓梅"}),
        ("dw 1-2-503", {"张伟强"}),
        ("曲江观邸 1-2-502", set()),  # right room, other compound
        ("不存在的人", set()),
    ],
)
def test_search_finds_subscribers(db, register, manager, query, expected):
    assert {s.name for s in subscriber_search(manager, query).subscribers} == expected


def test_search_by_full_id_number(register, manager):
    found = subscriber_search(manager, valid_id_number(3)).subscribers
    assert [s.name for s in found] == ["欧阳晓梅"]


def test_clerks_find_only_their_own_service_point(register, other_clerk, agent):
    assert subscriber_search(other_clerk, "张伟").subscribers == []
    assert subscriber_search(other_clerk, "dw0120502").subscribers == []
    assert len(subscriber_search(agent, "张伟").subscribers) == 2  # the call desk sees all


def test_short_number_asks_for_more_digits(register, manager):
    result = subscriber_search(manager, "12")
    assert result.subscribers == [] and "至少输入 3 位" in result.hint


# --- the page --------------------------------------------------------------------------


def test_search_page_access(client, users, register):
    url = reverse("accounts:search") + "?q=张伟"
    assert_access(client, url, users, allowed={"clerk", "other_clerk", "agent", "manager"})


def test_one_hit_opens_the_subscriber(client, clerk, register):
    client.force_login(clerk)
    response = client.get(reverse("accounts:search"), {"q": "dw0120502"})
    assert response.status_code == 302
    assert response["Location"] == register["zhang"].get_absolute_url()


def test_several_hits_are_listed_masked_with_accounts(client, clerk, register):
    client.force_login(clerk)
    page = client.get(reverse("accounts:search"), {"q": "张伟"}).content.decode()
    zhang = register["zhang"]
    assert "张伟强" in page and zhang.get_absolute_url() in page
    assert zhang.masked_id_number in page and zhang.id_number not in page
    assert "dw0120502" in page and "1#-2-502" in page
    assert "找到用户:2 个" in page


@pytest.mark.parametrize("query", ["<b>x</b>", "张" * 10_000, "a\x00b", "%_%", "' OR 1=1 --",
                                   "99999999999999999999999", "1-2-9"])
def test_hostile_queries_are_harmless(client, clerk, register, query):
    client.force_login(clerk)
    response = client.get(reverse("accounts:search"), {"q": query})
    assert response.status_code == 200
    assert "<b>x</b>" not in response.content.decode()


def test_search_box_is_in_every_page_header_for_the_register_roles(client, clerk, installer):
    client.force_login(clerk)
    assert 'id="global-search"' in client.get("/").content.decode()
    client.force_login(installer)
    assert 'id="global-search"' not in client.get("/").content.decode()


def test_search_page_queries_do_not_grow_with_hits(client, clerk, make_subscriber,
                                                  django_assert_max_num_queries):
    client.force_login(clerk)
    make_subscriber(name="王芳", n=1, room=101)
    make_subscriber(name="王芳芳", n=2, room=102)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("accounts:search"), {"q": "王芳"})
    for n in range(3, 30):
        make_subscriber(name=f"王芳{n}", n=n, room=100 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("accounts:search"), {"q": "王芳"}).content.decode()
    assert "王芳29" in page


# --- indexes ---------------------------------------------------------------------------


@pytest.fixture
def many_subscribers(xinyuan):
    """A few thousand rows, so that the plans are the plans of a real table."""
    rows = [
        Subscriber(kind="person", name=f"{'王李张刘陈杨赵黄'[i % 8]}{chr(0x4E00 + i % 5000)}"
                   f"{chr(0x4E00 + (i * 7) % 5000)}", id_number=f"{610102198001010000 + i}",
                   mobile=f"139{i:08d}", phone=f"029-8{i:07d}", service_point=xinyuan)
        for i in range(4000)
    ]
    Subscriber.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_subscriber")
        cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("王一丁", ["subscriber_name_trgm"]),
        ("王一", ["subscriber_name_prefix"]),
        ("王", ["subscriber_name_prefix"]),
        ("5678", ["subscriber_mobile_trgm", "subscriber_phone_trgm"]),
        ("610102198001010074", ["subscriber_id_number"]),
        ("1-2-502", ["premises_bur"]),
    ],
)
def test_search_uses_indexes_not_table_scans(many_subscribers, manager, query, indexes):
    plans = [lookup.explain() for lookup in search_lookups(manager, classify_query(query))]
    text = "\n".join(plans)
    assert "Seq Scan on accounts_subscriber" not in text, text
    for index in indexes:
        assert index in text, text
