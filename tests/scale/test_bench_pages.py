"""The benchmark's page list (bench/pages.py) against a small generated dataset."""

import io
import random
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from bench.pages import PAGES, Sample
from bench.run import MAX_QUERIES, measure_page, role_user, url_name_exists

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    call_command("generate_scale_data", subscribers=300, seed=3, as_of=date(2026, 11, 23),
                 force=True, stdout=io.StringIO(), stderr=io.StringIO())


def test_page_names_are_unique_and_roles_exist():
    names = [page.name for page in PAGES]
    assert len(names) == len(set(names))
    assert {page.role for page in PAGES} <= {"clerk", "agent", "installer", "manager"}


def test_every_defined_url_name_reverses_with_its_arguments(dataset):
    """A page whose URL exists must be buildable; pages still to come report "n/a"."""
    rng = random.Random(1)
    samples = {}
    existing = 0
    for page in PAGES:
        if not url_name_exists(page.url_name):
            continue
        existing += 1
        if page.role not in samples:
            user = role_user(page.role)
            assert user is not None, f"no {page.role} in the generated staff"
            samples[page.role] = Sample(user, rng)
        sample = samples[page.role]
        args = page.args(sample) if page.args else []
        query = page.query(sample) if callable(page.query) else page.query
        assert reverse(page.url_name, args=args).startswith("/")
        assert query is None or isinstance(query, dict)
    assert existing >= 10  # at least the core pages


def test_clerk_samples_stay_in_the_clerks_service_point(dataset):
    from accounts.models import Subscriber

    clerk = role_user("clerk")
    sample = Sample(clerk, random.Random(2))
    for _ in range(20):
        pk = sample.pk("accounts.Subscriber")
        assert Subscriber.objects.get(pk=pk).service_point_id == clerk.service_point_id


@pytest.mark.scale
def test_every_page_answers_as_its_role(dataset, settings):
    """One request per page through the bench itself: no errors, no 4xx/5xx, and the
    query budget (the bench checks the time budgets at N = 1,000,000)."""
    from django.test import Client

    settings.DEBUG = False
    clients, samples = {}, {}
    rng = random.Random(4)
    for role in {page.role for page in PAGES}:
        clients[role] = Client()
        clients[role].force_login(role_user(role))
        samples[role] = Sample(role_user(role), rng)
    failures = []
    for page in PAGES:
        result = measure_page(page, clients, samples, requests=1, warmup=0, row_counts={})
        if result["status"] not in ("ok", "n/a"):
            failures.append(f"{page.name}: {result['status']} {result.get('note', '')}")
        elif result["status"] == "ok" and result["queries_max"] > MAX_QUERIES:
            failures.append(f"{page.name}: {result['queries_max']} queries > {MAX_QUERIES}")
    assert not failures, "\n".join(failures)
