"""Fixtures of the appraisal tests: the seed templates, a month with evidence made
directly in the tables (faster than walking each ticket through its services)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Premises
from appraisal import services
from tickets.models import Complaint, Fault, WorkOrder

SH = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 10, 1)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="session")
def _seed_templates(django_db_setup, django_db_blocker):
    """The seed templates, loaded once for the appraisal tests (≈2 s a load)."""
    with django_db_blocker.unblock():
        services.templates_load_defaults()


@pytest.fixture
def templates(_seed_templates, db):
    from appraisal.models import ScorecardTemplate

    if not ScorecardTemplate.objects.exists():  # flushed by a transactional test since
        services.templates_load_defaults()


@pytest.fixture
def premises(xinyuan):
    return Premises.objects.create(service_point=xinyuan, building=1, unit=2, room=502)


@pytest.fixture
def make_order(premises):
    def make(user, at, seconds, **kw):
        return WorkOrder.objects.create(kind="install", service_point=premises.service_point,
                                        premises=premises, customer_name="张伟",
                                        description="宽带装机", accepted_at=at, accepted_by=user,
                                        transaction_seconds=seconds, **kw)
    return make


@pytest.fixture
def make_fault(xinyuan):
    def make(user, reported_at, fixed_after_hours=None, **kw):
        fixed = (reported_at + timedelta(hours=fixed_after_hours)
                 if fixed_after_hours is not None else None)
        return Fault.objects.create(service_type="broadband", service_point=xinyuan,
                                    source="telecom_180", mark="D180",
                                    description="上不了网", reported_at=reported_at,
                                    due_at=reported_at + timedelta(hours=12), received_by=user,
                                    owner=user, first_fixed_at=fixed, fixed_at=fixed,
                                    state="closed" if fixed else "dispatched", **kw)
    return make


@pytest.fixture
def make_complaint(xinyuan, manager):
    def make(against, handled_at, substantiated=True, **kw):
        return Complaint.objects.create(
            kind="staff_attitude", service_point=xinyuan, complainant_name="王女士",
            complainant_phone="13900000000", description="态度冷淡", against_staff=against,
            received_at=handled_at - timedelta(hours=5), contact_due=handled_at,
            answer_due=handled_at, handled_at=handled_at, substantiated=substantiated,
            received_by=manager, owner=manager, state="handled", **kw)
    return make


@pytest.fixture
def month_of_evidence(templates, clerk, agent, manager, make_order, make_fault,
                      make_complaint):
    """October 2026: the clerk has 2 slow transactions of 4, 1 substantiated complaint and
    1 entry error; the agent has 1 overdue fault and 1 call review of 80."""
    from tickets.services.entry_errors import entry_error_flag

    make_order(clerk, sh(2026, 10, 5, 10), 120)
    make_order(clerk, sh(2026, 10, 6, 10), 150)
    slow = make_order(clerk, sh(2026, 10, 7, 10), 200)
    make_order(clerk, sh(2026, 10, 8, 10), 400)
    make_order(clerk, sh(2026, 9, 30, 10), 900)  # another month
    make_complaint(clerk, sh(2026, 10, 9, 15))
    make_complaint(clerk, sh(2026, 10, 10, 15), substantiated=False)
    flag = entry_error_flag(user=manager, kind="wrong_phone", note="电话少一位", work_order=slow)
    type(flag).objects.filter(pk=flag.pk).update(flagged_at=sh(2026, 10, 7, 12))
    make_fault(agent, sh(2026, 10, 3, 9), fixed_after_hours=20)  # overdue
    fault = make_fault(agent, sh(2026, 10, 4, 9), fixed_after_hours=2)
    services.review_create(reviewer=manager, agent=agent, call_at=sh(2026, 10, 12, 10),
                           points=_points(80), fault=fault)
    return {"slow": slow, "fault": fault}


def _points(total: int) -> dict:
    """Rubric points adding up to ``total`` (full marks minus the difference)."""
    from appraisal.models import TemplateItem

    items = list(TemplateItem.objects.filter(category__template__code="call-quality")
                 .order_by("category__order", "order"))
    points = {i.code: i.max_points for i in items}
    missing = Decimal(100 - total)
    for item in items:
        take = min(missing, points[item.code])
        points[item.code] -= take
        missing -= take
        if not missing:
            break
    return points


@pytest.fixture
def points():
    return _points
