"""Account security not covered elsewhere: password policy, idle session expiry, CSRF on
every POST, and the audit trail on every business record the handbook names.

Elsewhere: login throttling, session renewal, logout, security headers and CSP
(tests/test_core.py), check --deploy (tests/test_settings.py), the logged ID reveal
(tests/accounts/test_views.py, test_services.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.security.test_permission_matrix import iter_urls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["123456789012", "password123", "demo", "aaaaaaaaa",
                                      "t_clerk2026"])
def test_weak_passwords_are_refused(password, clerk):
    with pytest.raises(ValidationError):
        validate_password(password, user=clerk)


def test_a_strong_password_is_accepted(clerk):
    validate_password("柜台-Counter-7fQ!x", user=clerk)


def test_an_idle_session_expires(client, clerk):
    assert settings.SESSION_COOKIE_AGE <= 30 * 60  # shared counter PCs
    client.force_login(clerk)
    assert client.get("/").status_code in (200, 302)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:subscriber_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_no_view_is_exempt_from_csrf():
    exempt = [name for name, pattern in iter_urls()
              if getattr(pattern.callback, "csrf_exempt", False)]
    assert not exempt, exempt


def test_every_post_without_a_csrf_token_is_refused(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["manager"])
    refused, through = 0, []
    for name, pattern in iter_urls():
        if name.startswith("admin:") or re.search(r"<", str(pattern.pattern)):
            continue
        response = client.post(reverse(name), {"name": "x"})
        if response.status_code == 403 and b"CSRF" in response.content.upper():
            refused += 1
        else:
            through.append((name, response.status_code))
    assert not through, through
    assert refused > 30


AUDITED = ["accounts.Subscriber", "accounts.BroadbandAccount", "accounts.LandlineAccount",
           "billing.Receipt", "tickets.Fault", "tickets.Complaint", "tickets.WorkOrder",
           "appraisal.Scorecard", "servicedesk.User", "servicedesk.ServicePoint"]


@pytest.mark.parametrize("label", AUDITED)
def test_changes_to_business_records_are_recorded_by_triggers(label):
    model = apps.get_model(label)
    events = [m for m in apps.get_models() if getattr(m, "pgh_tracked_model", None) is model]
    assert events, f"{label} is not @audited"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                       "AND NOT tgisinternal", [model._meta.db_table])
        triggers = " ".join(row[0] for row in cursor.fetchall())
    for kind in ("insert", "update", "delete"):
        assert kind in triggers, f"{label}: no {kind} trigger ({triggers})"


def test_an_update_that_bypasses_the_services_still_leaves_an_event(install):
    from pghistory.models import Events

    order = install()
    subscriber = order.subscriber
    before = Events.objects.tracks(subscriber).count()
    type(subscriber).objects.filter(pk=subscriber.pk).update(note="raw update")
    assert Events.objects.tracks(subscriber).count() == before + 1
