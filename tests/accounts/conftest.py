"""Fixtures of the register: subscribers and accounts made through the services (the
tariff fixtures and ``valid_id_number`` come from tests/fixtures/register.py)."""

from datetime import date

import pytest

from accounts import services
from tests.fixtures.register import valid_id_number


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
