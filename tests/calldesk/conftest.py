"""Fixtures of the call desk: reference lists, subscribers with accounts (made through the
register's services), and helpers that walk a fault or a complaint to a given state."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts import services as accounts_services
from accounts.models import BroadbandPlan, Carrier, LandlinePlan
from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.factories import UserFactory
from tests.fixtures.register import valid_id_number
from tickets.models import (
    ComplaintRootCause,
    FaultCause,
    MaintenanceOffice,
)
from tickets.services import calldesk as services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def reference(db):
    call_command("loaddata", "tariffs", "calldesk_reference", verbosity=0)


@pytest.fixture
def office(reference):
    return MaintenanceOffice.objects.get(name="馨苑维护组")


@pytest.fixture
def cause(reference):
    return FaultCause.objects.get(name="入户线路故障")


@pytest.fixture
def root_cause(reference):
    return ComplaintRootCause.objects.get(name="服务态度")


@pytest.fixture
def agent2(db):
    return UserFactory(username="t_agent2", full_name="刘洋", role=Role.AGENT)


@pytest.fixture
def installer_qj(qujiang):
    return UserFactory(username="t_installer_qj", full_name="孙志强", role=Role.INSTALLER,
                       service_point=qujiang)


@pytest.fixture
def make_customer(reference, clerk, other_clerk):
    """``make_customer(point="dw", room=502, landline="68012345")`` -> (subscriber,
    broadband account, landline account or None), active, through the register's services."""
    counter = {"n": 0}

    def make(point="dw", building=1, unit=2, room=502, landline=None, name="张伟",
             mobile="13912345678", carrier="own"):
        counter["n"] += 1
        service_point = ServicePoint.objects.get(code=point)
        user = clerk if point == "dw" else other_clerk if point == "qj" else None
        subscriber = accounts_services.subscriber_create(
            user=user, kind="person", name=name, service_point=service_point,
            id_number=valid_id_number(counter["n"] + room), building=building, unit=unit, room=room,
            mobile=mobile)
        plan = BroadbandPlan.objects.filter(carrier__code=carrier, is_active=True).first() \
            or BroadbandPlan.objects.filter(carrier__code="own").first()
        broadband = accounts_services.broadband_account_open(
            user=user, subscriber=subscriber, premises=subscriber.home, plan=plan,
            accepted_on=date(2026, 1, 5))
        broadband = accounts_services.account_activate(user=user, account=broadband)
        line = None
        if landline:
            carrier_obj = Carrier.objects.get(code=carrier)
            line = accounts_services.landline_account_open(
                user=user, subscriber=subscriber, premises=subscriber.home,
                carrier=carrier_obj, plan=LandlinePlan.objects.get(is_default=True),
                phone_number=landline, accepted_on=date(2026, 1, 5))
            line = accounts_services.account_activate(user=user, account=line)
        return subscriber, broadband, line

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def report(agent, customer):
    """``report(**overrides)``: a customer fault on the 馨苑 broadband account."""

    def make(**kwargs):
        kwargs.setdefault("user", agent)
        kwargs.setdefault("source", "customer")
        kwargs.setdefault("account", customer[1])
        kwargs.setdefault("description", "上不了网,光猫 LOS 灯红")
        return services.fault_report(**kwargs)

    return make


@pytest.fixture
def walk(agent, office, installer, cause):
    """``walk(fault, "fixed")``: take a fault through the workflow up to that state."""

    steps = ["dispatched", "fixed", "called_back", "replied"]
    done = {"new": 0, "reopened": 0, "dispatched": 1, "fixed": 2, "reply_owed": 3}

    def to(fault, state):
        for step in steps[done[fault.state]: steps.index(state) + 1]:
            if step == "dispatched":
                fault = services.fault_dispatch(user=agent, fault=fault,
                                                maintenance_office=office, repairer=installer)
            elif step == "fixed":
                fault = services.fault_fix(user=installer, fault=fault, cause=cause)
            elif step == "called_back":
                fault = services.fault_callback_record(user=agent, fault=fault, passed=True,
                                                       satisfaction="satisfied")
            elif step == "replied":
                fault = services.fault_carrier_reply(user=agent, fault=fault)
        return fault

    return to


@pytest.fixture
def complaint(agent, customer):
    def make(**kwargs):
        kwargs.setdefault("user", agent)
        kwargs.setdefault("channel", "phone")
        kwargs.setdefault("kind", "service_quality")
        kwargs.setdefault("urgency", "normal")
        kwargs.setdefault("description", "报修两天了还没人来修")
        kwargs.setdefault("complainant_name", "")
        kwargs.setdefault("complainant_phone", "")
        kwargs.setdefault("subscriber", customer[0])
        return services.complaint_register(**kwargs)

    return make
