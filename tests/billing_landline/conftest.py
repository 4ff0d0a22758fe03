"""Fixtures of the landline ledger: lines made through the register's services."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from accounts import services as accounts_services
from accounts.models import BroadbandPlan, Premises
from tests.counter.conftest import at, books  # noqa: F401  (helper, fixture)
from tests.fixtures.register import valid_id_number


def check_deferred() -> None:
    """Run the deferred constraint triggers now (a `db` test never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def make_line(clerk, xinyuan, carriers, plans):
    """``make_line(number, carrier="own", plan="daweitest", accepted=date, ...)``: an active
    landline (its own subscriber and room), opened and activated through the services."""
    counter = {"n": 0}

    def make(number="68001001", carrier="own", plan="daweitest", accepted=date(2026, 9, 3),
             add_ons=(), bundled_with=None, active=True, service_point=None):
        counter["n"] += 1
        n = counter["n"]
        point = service_point or xinyuan
        subscriber = accounts_services.subscriber_create(
            user=None, kind="person", name=f"测试{n}", service_point=point,
            building=3, unit=1, room=100 + n, id_number=valid_id_number(n),
            mobile="13912345678")
        premises = bundled_with.premises if bundled_with else subscriber.home
        line = accounts_services.landline_account_open(
            user=clerk, subscriber=subscriber, premises=premises, carrier=carriers[carrier],
            plan=plans[plan], phone_number=number, add_ons=list(add_ons),
            bundled_with=bundled_with, accepted_on=accepted)
        if active:
            line = accounts_services.account_activate(user=clerk, account=line)
        return line

    return make


@pytest.fixture
def package_broadband(clerk, xinyuan, tariffs):
    """An active package broadband (20.00 call credit a month) expiring 2026-12-15."""
    subscriber = accounts_services.subscriber_create(
        user=None, kind="person", name="套餐用户", service_point=xinyuan, building=5, unit=1,
        room=101, id_number=valid_id_number(999), mobile="13900000000")
    plan = BroadbandPlan.objects.get(term="package")
    account = accounts_services.broadband_account_open(
        user=clerk, subscriber=subscriber, premises=Premises.objects.get(pk=subscriber.home_id),
        plan=plan, accepted_on=date(2026, 6, 8))
    account = accounts_services.account_activate(user=clerk, account=account)
    assert account.expires_on == date(2026, 12, 14)
    return account
