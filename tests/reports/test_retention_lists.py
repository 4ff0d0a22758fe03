"""The retention lists' pages: their rows and order, and a cost that does not grow with
the rows (a page is the start of an index in the list's order: accounts.models)."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import BroadbandAccount, LandlineAccount, Premises, Subscriber
from tests.fixtures.register import valid_id_number

from .conftest import NOW

pytestmark = pytest.mark.django_db

LISTS = ("reports:retention_broadband", "reports:retention_landline")


@pytest.fixture
def at_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def listed(client, name):
    """The page's rows (account names or phone numbers, in order) and its query count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200
    rows = [str(row.record) for row in response.context["table"].paginated_rows]
    return rows, len(queries)


def more_customers(month_data, n: int):
    """``n`` more accounts at 馨苑 expiring on 2026-12-10 and ``n`` landlines under their
    threshold (balances 0.10, 0.20 …)."""
    a1, landline = month_data.a1, month_data.landline_low
    for i in range(n):
        room = 300 + i
        premises = Premises.objects.create(service_point=month_data.xinyuan, building=2,
                                           unit=1, room=room)
        subscriber = Subscriber.objects.create(
            name=f"钱{i}", service_point=month_data.xinyuan, home=premises,
            id_number=valid_id_number(room), mobile=f"1391234{room:04d}")
        BroadbandAccount.objects.create(
            subscriber=subscriber, premises=premises, service_point=month_data.xinyuan,
            carrier=a1.carrier, account_name=f"dw0201{room}", password="abc12345",
            plan=a1.plan, state="active", expires_on=date(2026, 12, 10))
        LandlineAccount.objects.create(
            subscriber=subscriber, premises=premises, service_point=month_data.xinyuan,
            carrier=landline.carrier, phone_number=f"6802{room:04d}", plan=landline.plan,
            state="barred", balance=Decimal(f"0.{i + 1}0"), alert_threshold=Decimal("1.00"))


def test_retention_lists_rows_in_order_with_the_same_queries_for_more_rows(
        client, manager, clerk, month_data, at_now):
    client.force_login(manager)
    assert listed(client, LISTS[0])[0] == [  # expiring by 2026-12-20, soonest first
        month_data.a3.account_name, "dw01010104", month_data.a1.account_name]
    assert listed(client, LISTS[1])[0] == ["68010101"]
    client.force_login(clerk)
    assert listed(client, LISTS[0])[0] == ["dw01010104", month_data.a1.account_name]

    counts = {}
    for user in (manager, clerk):
        client.force_login(user)
        for name in LISTS:
            counts[user.username, name] = listed(client, name)[1]
    more_customers(month_data, 4)
    for user in (manager, clerk):
        client.force_login(user)
        for name in LISTS:
            rows, queries = listed(client, name)
            assert queries == counts[user.username, name] <= 10, (user, name)
        broadband, _ = listed(client, LISTS[0])
        landline, _ = listed(client, LISTS[1])
        assert broadband[-4:] == [f"dw0201{300 + i}" for i in range(4)]  # same day: by id
        assert landline == ["68020300", "68020301", "68020302", "68020303", "68010101"]
