"""Demo data and the daily expiry job."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import (
    AccountStateChange,
    BroadbandAccount,
    LandlineAccount,
    Subscriber,
)
from accounts.validators import validate_id_number
from servicedesk import demo as core_demo

pytestmark = pytest.mark.django_db


def test_demo_register_is_realistic_and_loads_once():
    core_demo.load(seed=2026)
    summary = accounts_demo.load(seed=2026)
    assert "360 subscribers" in summary
    counts = (Subscriber.objects.count(), BroadbandAccount.objects.count(),
              LandlineAccount.objects.count(), AccountStateChange.objects.count())
    assert accounts_demo.load(seed=2026) == "register already loaded"
    assert counts == (Subscriber.objects.count(), BroadbandAccount.objects.count(),
                      LandlineAccount.objects.count(), AccountStateChange.objects.count())

    people = Subscriber.objects.filter(kind="person")
    for subscriber in people:
        validate_id_number(subscriber.id_number)
        assert subscriber.id_number.startswith("6101")
        assert re.fullmatch(r"1[3-9]\d{9}", subscriber.mobile)
        assert 2 <= len(subscriber.name) <= 3
    assert Subscriber.objects.filter(kind="organization").exclude(intro_letter_ref="").exists()
    assert set(Subscriber.objects.values_list("service_point__code", flat=True)) == {
        "dw", "qj", "rq"}
    states = set(BroadbandAccount.objects.values_list("state", flat=True))
    assert states == {"pending", "active", "suspended", "expired", "closed"}
    numbers = dict(LandlineAccount.objects.values_list("phone_number", "carrier__code"))
    assert all(n.startswith("6869") for n, c in numbers.items() if c == "unicom")
    assert all(n.startswith("8883") for n, c in numbers.items() if c == "telecom")
    assert any(c == "unicom" for c in numbers.values())
    assert LandlineAccount.objects.filter(bundled_with__isnull=False).exists()
    # Every account has the state rows the services would have written.
    assert not BroadbandAccount.objects.filter(state_changes__isnull=True).exists()
    # Demo data agrees with the daily job: nothing is left to expire or resume today.
    out = io.StringIO()
    call_command("expire_accounts", stdout=out)
    assert "0 suspension(s) ended, 0 account(s) expired" in out.getvalue()


def test_expire_accounts_command_is_idempotent(make_subscriber, open_broadband, monthly_plan,
                                               annual_plan, clerk):
    today = timezone.localdate()
    lapsing = open_broadband(make_subscriber(n=1, room=101), monthly_plan,
                             accepted_on=today - timedelta(days=60))
    suspended = open_broadband(make_subscriber(n=2, room=102), annual_plan,
                               accepted_on=today - timedelta(days=120))
    from accounts.services import broadband_suspend

    broadband_suspend(user=clerk, account=suspended, months=3,
                      today=today - timedelta(days=100))
    out = io.StringIO()
    call_command("expire_accounts", stdout=out)
    assert "1 suspension(s) ended, 1 account(s) expired" in out.getvalue()
    lapsing.refresh_from_db()
    suspended.refresh_from_db()
    assert (lapsing.state, suspended.state) == ("expired", "active")
    out = io.StringIO()
    call_command("expire_accounts", stdout=out)
    assert "0 suspension(s) ended, 0 account(s) expired" in out.getvalue()
