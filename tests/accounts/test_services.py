"""The register's services: the handbook's rules as a clerk meets them (DOMAIN.md §2-3)."""

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from pghistory.models import Events

from accounts import services
from accounts.models import (
    AccountQuerySet,
    AccountStateChange,
    BroadbandAccount,
    LandlineAccount,
    Premises,
    SensitiveAccess,
    Subscriber,
)
from accounts.services import TransitionNotAllowed
from tests.accounts.conftest import valid_id_number

pytestmark = pytest.mark.django_db

ACCEPTED = date(2026, 1, 5)  # service starts 2026-01-12, an annual term ends 2027-01-11


# --- subscribers and premises ----------------------------------------------------------


def test_subscriber_is_registered_with_home_and_checked_id(clerk, xinyuan):
    subscriber = services.subscriber_create(
        user=clerk, kind="person", name=" 张伟 ", service_point=xinyuan,
        id_number=valid_id_number(7).lower(), mobile="139 1234 5678", phone="029-86860001",
        building=1, unit=2, room=502)
    assert subscriber.name == "张伟"
    assert subscriber.id_number == valid_id_number(7)  # normalized: upper case, no spaces
    assert subscriber.mobile == "13912345678"
    assert subscriber.home.label == "1#-2-502"
    assert subscriber.masked_id_number == "6101**********" + valid_id_number(7)[-4:]
    assert subscriber.created_by == clerk


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"id_number": "610102198001010011"}, "id_number"),  # wrong check digit
        ({"id_number": "61010219801301001X"}, "id_number"),  # month 13
        ({"id_number": ""}, "id_number"),
        ({"id_number": "1" * 10_000}, "id_number"),
        ({"mobile": "12345"}, "mobile"),
        ({"mobile": "abcdefghijk"}, "mobile"),
        ({"phone": "<b>x</b>"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "名" * 61}, "name"),
        ({"building": 100}, "building"),
        ({"building": 0}, "building"),
        ({"unit": 10}, "unit"),
        ({"room": 10_000}, "room"),
        ({"room": 10**30}, "room"),
    ],
)
def test_bad_subscriber_input_is_a_field_error_and_saves_nothing(clerk, xinyuan, fields,
                                                                  error_field):
    data = {"kind": "person", "name": "张伟", "id_number": valid_id_number(1),
            "mobile": "13912345678", "building": 1, "unit": 2, "room": 502, **fields}
    with pytest.raises(ValidationError) as caught:
        services.subscriber_create(user=clerk, service_point=xinyuan, **data)
    assert error_field in caught.value.message_dict
    assert not Subscriber.objects.exists()
    assert not Premises.objects.exists()


def test_organization_needs_an_introduction_letter_not_an_id(clerk, xinyuan):
    with pytest.raises(ValidationError) as caught:
        services.subscriber_create(user=clerk, kind="organization", name="西安金辉商贸有限公司",
                                   service_point=xinyuan)
    assert "intro_letter_ref" in caught.value.message_dict
    org = services.subscriber_create(user=clerk, kind="organization", name="西安金辉商贸有限公司",
                                     service_point=xinyuan, intro_letter_ref="介字〔2026〕第1号")
    assert org.id_number == ""


def test_the_same_id_number_is_registered_once(make_subscriber):
    first = make_subscriber(n=5)
    with pytest.raises(ValidationError) as caught:
        make_subscriber(n=5, name="李四", room=503)
    assert caught.value.message_dict["id_number"] == ["已有用户使用该身份证号。"]
    assert services.subscriber_with_id_number(first.id_number.lower()) == first


def test_duplicate_id_lost_in_a_race_is_still_a_field_error(make_subscriber):
    """Two clerks pass the check at once: the database refuses the second, politely."""
    make_subscriber(n=5)
    with (mock.patch.object(services, "subscriber_with_id_number", return_value=None),
          mock.patch.object(Subscriber, "validate_constraints"),
          pytest.raises(ValidationError) as caught):
        make_subscriber(n=5, name="李四", room=503)
    assert caught.value.message_dict == {"id_number": ["已有用户使用该身份证号。"]}
    assert Subscriber.objects.count() == 1  # and the transaction is still usable


def test_a_clerk_registers_only_at_their_own_point(make_subscriber, qujiang):
    with pytest.raises(ValidationError) as caught:
        make_subscriber(service_point=qujiang)
    assert "service_point" in caught.value.message_dict


def test_manager_may_register_at_any_point(make_subscriber, manager, qujiang):
    assert make_subscriber(user=manager, service_point=qujiang).service_point == qujiang


def test_update_changes_contact_and_home_but_not_identity(make_subscriber, clerk):
    subscriber = make_subscriber()
    updated = services.subscriber_update(user=clerk, subscriber=subscriber, name="张伟伟",
                                         mobile="13800000000", building=3, unit=1, room=101)
    assert (updated.name, updated.mobile, updated.home.label) == ("张伟伟", "13800000000",
                                                                   "3#-1-101")
    assert updated.id_number == subscriber.id_number
    with pytest.raises(ValidationError) as caught:
        services.subscriber_update(user=clerk, subscriber=subscriber, name="张伟伟",
                                   mobile="1380000")
    assert "mobile" in caught.value.message_dict


def test_revealing_an_id_number_is_logged(make_subscriber, agent):
    subscriber = make_subscriber()
    assert services.id_number_reveal(user=agent, subscriber=subscriber,
                                     reason="核实身份") == subscriber.id_number
    access = SensitiveAccess.objects.get()
    assert (access.by, access.action, access.reason) == (agent, "reveal_id", "核实身份")


# --- numbering -------------------------------------------------------------------------


def test_registration_serials_count_per_point_service_and_day(xinyuan):
    day = date(2026, 11, 22)
    with transaction.atomic():
        got = [services.next_registration_serial(service="broadband", service_point=xinyuan,
                                                 day=day) for _ in range(2)]
        got.append(services.next_registration_serial(service="landline",
                                                      service_point=xinyuan, day=day))
    assert got == ["DW20261122001", "DW20261122002", "dw20261122001"]


# --- opening accounts ------------------------------------------------------------------


def test_broadband_account_follows_the_naming_rule(make_subscriber, annual_plan, clerk):
    subscriber = make_subscriber()
    account = services.broadband_account_open(user=clerk, subscriber=subscriber,
                                              premises=subscriber.home, plan=annual_plan,
                                              accepted_on=ACCEPTED)
    assert account.account_name == "dw0120502"
    assert re.fullmatch(r"[a-z0-9]{8}", account.password)
    assert account.state == "pending"
    assert account.starts_on == date(2026, 1, 12)  # 7 days after acceptance
    assert account.expires_on == date(2027, 1, 11)
    change = account.state_changes.get()
    assert (change.from_state, change.to_state, change.by) == ("", "pending", clerk)


def test_passwords_stay_out_of_the_audit_trail(make_subscriber, open_broadband, monthly_plan):
    account = open_broadband(make_subscriber(), monthly_plan)
    events = Events.objects.tracks(account)
    assert events.exists()
    assert all("password" not in (event.pgh_data or {}) for event in events)


def test_one_open_broadband_account_per_premises(make_subscriber, open_broadband,
                                                 monthly_plan, clerk):
    subscriber = make_subscriber()
    open_broadband(subscriber, monthly_plan)
    with pytest.raises(ValidationError) as caught:
        open_broadband(subscriber, monthly_plan)
    assert "premises" in caught.value.message_dict
    assert BroadbandAccount.objects.count() == 1


def test_same_premises_race_is_a_validation_error(make_subscriber, open_broadband,
                                                  monthly_plan):
    """The check-then-insert race: both clerks' checks pass, the unique index decides."""
    subscriber = make_subscriber()
    open_broadband(subscriber, monthly_plan)
    with (mock.patch.object(AccountQuerySet, "open", lambda self: self.none()),
          mock.patch.object(BroadbandAccount, "validate_constraints"),
          pytest.raises(ValidationError) as caught):
        open_broadband(subscriber, monthly_plan)
    assert set(caught.value.messages) <= {"该房间已有宽带账户。", "该账号已被使用。"}
    assert BroadbandAccount.objects.count() == 1


def test_closed_account_name_is_free_for_the_next_tenant(make_subscriber, open_broadband,
                                                         monthly_plan, clerk):
    first = open_broadband(make_subscriber(), monthly_plan)
    services.account_close(user=clerk, account=first, reason="搬走")
    newcomer = make_subscriber(name="李娜")
    second = open_broadband(newcomer, monthly_plan)
    assert second.account_name == first.account_name == "dw0120502"


def test_landline_numbers_follow_the_carrier_and_are_unique(make_subscriber, clerk, unicom,
                                                           own, default_ll_plan, caller_id):
    subscriber = make_subscriber()
    with pytest.raises(ValidationError) as caught:
        services.landline_account_open(user=clerk, subscriber=subscriber,
                                       premises=subscriber.home, carrier=unicom,
                                       plan=default_ll_plan, phone_number="68001234")
    assert "phone_number" in caught.value.message_dict
    line = services.landline_account_open(user=clerk, subscriber=subscriber,
                                          premises=subscriber.home, carrier=unicom,
                                          plan=default_ll_plan, phone_number="68691234",
                                          add_ons=[caller_id])
    assert list(line.add_ons.all()) == [caller_id]
    assert re.fullmatch(r"[a-z0-9]{8}", line.password)
    other = make_subscriber(name="李娜", room=503)
    with pytest.raises(ValidationError) as caught:
        services.landline_account_open(user=clerk, subscriber=other, premises=other.home,
                                       carrier=own, plan=default_ll_plan,
                                       phone_number="68691234")
    assert "phone_number" in caught.value.message_dict


# --- state moves -----------------------------------------------------------------------


def test_transition_map_refuses_impossible_moves(make_subscriber, open_broadband,
                                                 monthly_plan, clerk):
    account = open_broadband(make_subscriber(), monthly_plan)
    with pytest.raises(TransitionNotAllowed):
        services.account_activate(user=clerk, account=account)  # already active
    services.account_close(user=clerk, account=account, reason="拆机",
                           today=account.expires_on + timedelta(days=1))
    with pytest.raises(TransitionNotAllowed):
        services.account_activate(user=clerk, account=account)
    assert list(account.state_changes.order_by("at", "pk").values_list(
        "from_state", "to_state")) == [("", "pending"), ("pending", "active"),
                                       ("active", "closed")]


@pytest.fixture
def annual_broadband_only(make_subscriber, open_broadband, annual_plan):
    return open_broadband(make_subscriber(), annual_plan)  # ends 2027-01-11


def test_suspension_of_an_annual_broadband_only_account(annual_broadband_only, clerk):
    today = date(2026, 3, 1)
    account = services.broadband_suspend(user=clerk, account=annual_broadband_only, months=3,
                                         today=today)
    assert account.state == "suspended"
    assert account.expires_on == date(2027, 4, 11)  # moved out by the suspended months
    assert account.suspended_until == date(2026, 6, 1)
    assert account.state_changes.filter(to_state="suspended", by=clerk).exists()


@pytest.mark.parametrize("months", [1, 2, 4, 12])
def test_suspension_comes_in_blocks_of_3_or_6_months(annual_broadband_only, clerk, months):
    with pytest.raises(ValidationError) as caught:
        services.broadband_suspend(user=clerk, account=annual_broadband_only, months=months,
                                   today=date(2026, 3, 1))
    assert "months" in caught.value.message_dict


def test_no_suspension_with_six_months_or_less_left(annual_broadband_only, clerk):
    with pytest.raises(TransitionNotAllowed):
        services.broadband_suspend(user=clerk, account=annual_broadband_only, months=3,
                                   today=date(2026, 7, 11))  # exactly 6 months left
    assert BroadbandAccount.objects.get().state == "active"


@pytest.mark.parametrize("plan_fixture", ["monthly_plan", "package_plan"])
def test_monthly_and_package_accounts_cannot_be_suspended(request, make_subscriber,
                                                          open_broadband, clerk,
                                                          plan_fixture):
    account = open_broadband(make_subscriber(), request.getfixturevalue(plan_fixture))
    with pytest.raises(TransitionNotAllowed):
        services.broadband_suspend(user=clerk, account=account, months=3,
                                   today=account.starts_on)


def test_annual_account_with_a_landline_cannot_be_suspended(annual_broadband_only, clerk,
                                                            own, default_ll_plan):
    services.landline_account_open(
        user=clerk, subscriber=annual_broadband_only.subscriber,
        premises=annual_broadband_only.premises, carrier=own, plan=default_ll_plan,
        phone_number="68001234", bundled_with=annual_broadband_only)
    with pytest.raises(TransitionNotAllowed):
        services.broadband_suspend(user=clerk, account=annual_broadband_only, months=3,
                                   today=date(2026, 3, 1))


def test_pending_account_cannot_be_suspended(make_subscriber, open_broadband, annual_plan,
                                             clerk):
    account = open_broadband(make_subscriber(), annual_plan, activate=False)
    with pytest.raises(TransitionNotAllowed):
        services.broadband_suspend(user=clerk, account=account, months=3,
                                   today=date(2026, 1, 5))


def test_no_early_resume_then_resumes_when_the_months_are_over(annual_broadband_only, clerk):
    services.broadband_suspend(user=clerk, account=annual_broadband_only, months=6,
                               today=date(2026, 2, 1))
    assert services.broadband_resume_due(today=date(2026, 7, 31)) == 0
    assert BroadbandAccount.objects.get().state == "suspended"
    assert services.broadband_resume_due(today=date(2026, 8, 1)) == 1
    account = BroadbandAccount.objects.get()
    assert (account.state, account.suspended_until) == ("active", None)
    assert account.expires_on == date(2027, 7, 11)
    assert services.broadband_resume_due(today=date(2026, 8, 2)) == 0  # idempotent


def test_expiry_cuts_off_the_day_after_the_last_day(annual_broadband_only):
    assert services.broadband_expire_due(today=date(2027, 1, 11)) == 0  # last day: on
    assert services.broadband_expire_due(today=date(2027, 1, 12)) == 1
    assert BroadbandAccount.objects.get().state == "expired"
    assert services.broadband_expire_due(today=date(2027, 1, 13)) == 0
    change = AccountStateChange.objects.filter(to_state="expired").get()
    assert change.by is None  # the daily job, not a person


def test_renewal_extends_from_the_old_expiry(annual_broadband_only, clerk):
    account = services.broadband_renew(user=clerk, account=annual_broadband_only,
                                       today=date(2026, 12, 20))
    assert account.expires_on == date(2028, 1, 11)


def test_plan_change_only_at_term_end(annual_broadband_only, clerk, annual_plan_50m):
    with pytest.raises(ValidationError) as caught:
        services.broadband_renew(user=clerk, account=annual_broadband_only,
                                 plan=annual_plan_50m, today=date(2026, 12, 20))
    assert "plan" in caught.value.message_dict
    assert BroadbandAccount.objects.get().plan != annual_plan_50m
    account = services.broadband_renew(user=clerk, account=annual_broadband_only,
                                       plan=annual_plan_50m, today=date(2027, 1, 11))
    assert account.plan == annual_plan_50m
    assert account.expires_on == date(2028, 1, 11)


def test_renewing_an_expired_account_reconnects_it(annual_broadband_only, clerk,
                                                   monthly_plan):
    services.broadband_expire_due(today=date(2027, 2, 1))
    account = services.broadband_renew(user=clerk, account=annual_broadband_only,
                                       plan=monthly_plan, today=date(2027, 2, 10))
    assert (account.state, account.plan, account.expires_on) == ("active", monthly_plan,
                                                                 date(2027, 3, 9))
    assert account.state_changes.filter(from_state="expired", to_state="active").exists()


def test_suspended_account_cannot_be_renewed(annual_broadband_only, clerk):
    services.broadband_suspend(user=clerk, account=annual_broadband_only, months=3,
                               today=date(2026, 3, 1))
    with pytest.raises(TransitionNotAllowed):
        services.broadband_renew(user=clerk, account=annual_broadband_only,
                                 today=date(2026, 3, 2))


@pytest.mark.parametrize("plan_fixture", ["annual_plan", "package_plan"])
def test_annual_and_package_terms_cannot_be_removed_mid_term(request, make_subscriber,
                                                             open_broadband, clerk,
                                                             plan_fixture):
    account = open_broadband(make_subscriber(), request.getfixturevalue(plan_fixture))
    with pytest.raises(TransitionNotAllowed):
        services.account_close(user=clerk, account=account, reason="拆机",
                               today=account.expires_on - timedelta(days=1))
    assert BroadbandAccount.objects.get().state == "active"
    closed = services.account_close(user=clerk, account=account, reason="到期拆机",
                                    today=account.expires_on + timedelta(days=1))
    assert closed.state == "closed"


def test_removing_the_broadband_puts_its_landline_on_standard_rent(
        make_subscriber, open_broadband, monthly_plan, clerk, own, default_ll_plan):
    broadband = open_broadband(make_subscriber(), monthly_plan)
    line = services.landline_account_open(
        user=clerk, subscriber=broadband.subscriber, premises=broadband.premises,
        carrier=own, plan=default_ll_plan, phone_number="68001234", bundled_with=broadband)
    services.account_close(user=clerk, account=broadband, reason="拆机",
                           today=broadband.starts_on)
    line.refresh_from_db()
    assert line.bundled_with is None and line.state == "pending"


# --- passwords -------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_password_change_needs_a_reason(annual_broadband_only, clerk, reason):
    old = annual_broadband_only.password
    with pytest.raises(ValidationError) as caught:
        services.account_password_change(user=clerk, account=annual_broadband_only,
                                         reason=reason)
    assert "reason" in caught.value.message_dict
    assert BroadbandAccount.objects.get().password == old
    assert not SensitiveAccess.objects.exists()


def test_password_change_is_logged_with_who_and_why(annual_broadband_only, clerk):
    new = services.account_password_change(user=clerk, account=annual_broadband_only,
                                           reason="用户忘记密码")
    assert re.fullmatch(r"[a-z0-9]{8}", new)
    assert BroadbandAccount.objects.get().password == new
    log = SensitiveAccess.objects.get()
    assert (log.action, log.by, log.target, log.reason) == (
        "change_password", clerk, "dw0120502", "用户忘记密码")


def test_landline_password_change_is_logged(make_subscriber, clerk, own, default_ll_plan):
    subscriber = make_subscriber()
    line = services.landline_account_open(user=clerk, subscriber=subscriber,
                                          premises=subscriber.home, carrier=own,
                                          plan=default_ll_plan, phone_number="68001234")
    new = services.account_password_change(user=clerk, account=line, reason="用户要求")
    assert LandlineAccount.objects.get().password == new
    assert SensitiveAccess.objects.get().target == "68001234"


def test_closed_account_password_cannot_change(make_subscriber, open_broadband,
                                               monthly_plan, clerk):
    account = open_broadband(make_subscriber(), monthly_plan)
    services.account_close(user=clerk, account=account, reason="拆机",
                           today=account.starts_on)
    with pytest.raises(TransitionNotAllowed):
        services.account_password_change(user=clerk, account=account, reason="x")
