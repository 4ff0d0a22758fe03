"""Reliability checks through the real HTTP stack (gunicorn on loopback).

Tests marked ``@pytest.mark.reliability`` start gunicorn (and one a PostgreSQL of its own)
and take a minute or more: they run in ``make check-all`` (``RUN_RELIABILITY=1``), not in
``make test``. The backup test in this folder is not marked: it runs everywhere.
Figures each check measured are appended to ``test-artifacts/reliability.jsonl``.
"""

import os

import pytest
from django.core.management import call_command

from servicedesk.roles import sync_role_groups
from tests import figures


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reliability: HTTP-stack load and crash checks (make check-all only)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("RUN_RELIABILITY") == "1":
        return
    skip = pytest.mark.skip(reason="reliability check: runs in make check-all (RUN_RELIABILITY=1)")
    for item in items:
        if item.get_closest_marker("reliability"):
            item.add_marker(skip)


@pytest.fixture
def reference_data(django_db_blocker):
    """Transactional tests end with a flush: put the service points and groups back."""
    call_command("loaddata", "service_points", verbosity=0)
    sync_role_groups()
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "service_points", verbosity=0)
        sync_role_groups()


@pytest.fixture
def record_figures(request):
    """``record_figures(**numbers)``: printed, and kept for the README's table."""

    def record(**numbers):
        figures.record(request.node.name, **numbers)

    return record
