"""Fixtures of the register: tariffs, subscribers and accounts made through the services."""

from datetime import date

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from accounts import services
from accounts.models import AddOn, BroadbandPlan, Carrier, LandlinePlan


def valid_id_number(n: int = 1, born: str = "19800101") -> str:
    """A resident ID number with a correct check digit (Xi'an 610102)."""
    body = f"610102{born}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def tariffs(db):
    call_command("loaddata", "tariffs", verbosity=0)


@pytest.fixture
def own(tariffs):
    return Carrier.objects.get(code="own")


@pytest.fixture
def telecom(tariffs):
    return Carrier.objects.get(code="telecom")


@pytest.fixture
def unicom(tariffs):
    return Carrier.objects.get(code="unicom")


@pytest.fixture
def monthly_plan(tariffs):
    return BroadbandPlan.objects.get(name="自营10M包月")


@pytest.fixture
def annual_plan(tariffs):
    return BroadbandPlan.objects.get(name="自营20M包年")


@pytest.fixture
def annual_plan_50m(tariffs):
    return BroadbandPlan.objects.get(name="自营50M包年")


@pytest.fixture
def package_plan(tariffs):
    return BroadbandPlan.objects.get(term="package")


@pytest.fixture
def default_ll_plan(tariffs):
    return LandlinePlan.objects.get(is_default=True)


@pytest.fixture
def caller_id(tariffs):
    return AddOn.objects.get(code="clip")


@pytest.fixture
def make_subscriber(clerk, xinyuan):
    """``make_subscriber(name=..., n=..., room=...)``: a person at 馨苑 through the service."""
    counter = {"n": 0}

    def make(name="张伟", n=None, building=1, unit=2, room=502, service_point=None,
             user=None, **extra):
        counter["n"] += 1
        extra.setdefault("mobile", "13912345678")
        return services.subscriber_create(
            user=user or clerk, kind="person", name=name,
            service_point=service_point or xinyuan,
            id_number=valid_id_number(n if n is not None else counter["n"]),
            building=building, unit=unit, room=room, **extra,
        )

    return make


@pytest.fixture
def open_broadband(clerk):
    """``open_broadband(subscriber, plan, accepted_on=...)`` at the subscriber's home."""

    def open_(subscriber, plan, accepted_on=date(2026, 1, 5), activate=True):
        account = services.broadband_account_open(
            user=clerk, subscriber=subscriber, premises=subscriber.home, plan=plan,
            accepted_on=accepted_on)
        if activate:
            account = services.account_activate(user=clerk, account=account)
        return account

    return open_
