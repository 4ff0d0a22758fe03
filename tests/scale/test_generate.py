"""The scale data generator at a small N, in the test database.

The command runs in one transaction, so these tests run inside the test's transaction
(``django_db``) and everything, TRUNCATE included, is rolled back afterwards: a
transactional test would flush the shared test database and take the session's
service points away from the tests that run after it.
"""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from stdnum.cn import ric

from accounts import rules
from accounts.choices import OPEN_BROADBAND_STATES, OPEN_LANDLINE_STATES
from accounts.validators import MOBILE_RE
from servicedesk import scale

pytestmark = pytest.mark.django_db

N = 600
AS_OF = date(2026, 11, 23)


def generate(n=N, seed=7, **options):
    out = io.StringIO()
    call_command("generate_scale_data", subscribers=n, seed=seed, as_of=AS_OF, force=True,
                 stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def one(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def index_definitions():
    return sorted(rows(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND (tablename LIKE "
        "'accounts\\_%%' OR tablename LIKE 'servicedesk\\_%%')"))


def test_volumes_are_proportional_to_n():
    generate()
    assert one("SELECT count(*) FROM servicedesk_servicepoint") == 40
    assert one("SELECT count(*) FROM servicedesk_user") == scale.STAFF
    assert one("SELECT count(*) FROM accounts_subscriber") == N
    accounts = (one("SELECT count(*) FROM accounts_broadbandaccount")
                + one("SELECT count(*) FROM accounts_landlineaccount"))
    assert 1.2 <= accounts / N <= 1.4
    # one state-change row per account, one home per subscriber
    assert one("SELECT count(*) FROM accounts_accountstatechange") == accounts
    premises = one("SELECT count(*) FROM accounts_premises")
    assert 0.9 * N <= premises <= N
    # mostly active, and the other states all occur
    states = dict(rows("SELECT state, count(*) FROM accounts_broadbandaccount GROUP BY 1"))
    assert max(states, key=states.get) == "active"
    assert states["active"] > 0.6 * sum(states.values())
    assert {"expired", "closed", "suspended"} <= set(states)
    # every service point has subscribers; the demo's three points keep their codes
    assert one("SELECT count(DISTINCT service_point_id) FROM accounts_subscriber") == 40
    assert rows("SELECT code FROM servicedesk_servicepoint WHERE id <= 3 ORDER BY id") == [
        ("dw",), ("qj",), ("rq",)]
    assert scale.read_marker()["subscribers"] == N


def test_content_looks_real():
    generate()
    people = rows("SELECT id_number, mobile, name FROM accounts_subscriber "
                  "WHERE kind = 'person'")
    assert all(ric.is_valid(id_number) for id_number, _m, _n in people)
    assert all(MOBILE_RE.match(mobile) for _i, mobile, _n in people)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,5}", name) for _i, _m, name in people)
    # the account name follows the handbook's rule for its premises
    for name, code, building, unit, room in rows(
            "SELECT b.account_name, s.code, p.building, p.unit, p.room "
            "FROM accounts_broadbandaccount b JOIN accounts_premises p ON p.id = b.premises_id "
            "JOIN servicedesk_servicepoint s ON s.id = p.service_point_id"):
        assert name == rules.broadband_account_name(code, building, unit, room)
    # 24 months of history up to "today"; expiry dates within a year either side
    first, last = rows("SELECT min(created_at), max(created_at) FROM accounts_subscriber")[0]
    assert AS_OF - timedelta(days=745) <= first.date() < AS_OF - timedelta(days=700)
    assert last.date() <= AS_OF + timedelta(days=1)
    low, high = rows("SELECT min(expires_on), max(expires_on) FROM accounts_broadbandaccount "
                     "WHERE state IN ('active', 'expired')")[0]
    assert AS_OF - timedelta(days=366) <= low and high <= AS_OF + timedelta(days=366)
    serials = [s for (s,) in rows("SELECT registration_serial FROM accounts_broadbandaccount")]
    assert all(re.fullmatch(r"[A-Z]{2,3}\d{11}", s) for s in serials)
    numbers = rows("SELECT l.phone_number, c.number_prefix FROM accounts_landlineaccount l "
                   "JOIN accounts_carrier c ON c.id = l.carrier_id")
    assert all(n.startswith(prefix) and len(n) == 8 for n, prefix in numbers)


def test_constraints_references_and_indexes_hold():
    before = index_definitions()
    generate()
    # the secondary indexes dropped for the load are back, exactly as they were
    assert index_definitions() == before
    # foreign-key triggers were off during the load: every reference must exist anyway
    for table, column, target in [
        ("accounts_subscriber", "home_id", "accounts_premises"),
        ("accounts_subscriber", "created_by_id", "servicedesk_user"),
        ("accounts_broadbandaccount", "subscriber_id", "accounts_subscriber"),
        ("accounts_broadbandaccount", "premises_id", "accounts_premises"),
        ("accounts_broadbandaccount", "plan_id", "accounts_broadbandplan"),
        ("accounts_broadbandaccount", "installer_id", "servicedesk_user"),
        ("accounts_landlineaccount", "bundled_with_id", "accounts_broadbandaccount"),
        ("accounts_landlineaccount", "plan_id", "accounts_landlineplan"),
        ("accounts_accountstatechange", "broadband_id", "accounts_broadbandaccount"),
        ("accounts_accountstatechange", "landline_id", "accounts_landlineaccount"),
        ("accounts_landlineaccount_add_ons", "landlineaccount_id", "accounts_landlineaccount"),
        ("servicedesk_user_groups", "group_id", "auth_group"),
    ]:
        dangling = one(f"SELECT count(*) FROM {table} t LEFT JOIN {target} x "
                       f"ON x.id = t.{column} WHERE t.{column} IS NOT NULL AND x.id IS NULL")
        assert dangling == 0, f"{table}.{column}"
    # an account lives at its subscriber's service point; a landline is bundled with
    # a broadband account of the same subscriber
    assert one("SELECT count(*) FROM accounts_broadbandaccount b JOIN accounts_premises p "
               "ON p.id = b.premises_id WHERE p.service_point_id <> b.service_point_id") == 0
    assert one("SELECT count(*) FROM accounts_landlineaccount l JOIN "
               "accounts_broadbandaccount b ON b.id = l.bundled_with_id "
               "WHERE b.subscriber_id <> l.subscriber_id") == 0
    # rooms change hands: some premises had an earlier subscriber whose account is closed
    open_bb = [str(s) for s in OPEN_BROADBAND_STATES]
    shared = one("SELECT count(*) FROM (SELECT premises_id FROM accounts_broadbandaccount "
                 "GROUP BY 1 HAVING count(*) > 1) t")
    assert shared > 0
    assert one("SELECT max(c) FROM (SELECT count(*) c FROM accounts_broadbandaccount "
               "WHERE state = ANY(%s) GROUP BY premises_id) t", [open_bb]) == 1
    open_ll = [str(s) for s in OPEN_LANDLINE_STATES]
    assert one("SELECT max(c) FROM (SELECT count(*) c FROM accounts_landlineaccount "
               "WHERE state = ANY(%s) GROUP BY phone_number) t", [open_ll]) == 1
    # new rows get fresh ids after the explicit ones
    from accounts.models import Premises

    point = Premises.objects.first().service_point
    assert Premises.objects.create(service_point=point, building=99, unit=9,
                                   room=9999).pk == one("SELECT count(*) FROM accounts_premises")


def _checksum():
    return one(
        "SELECT md5(string_agg(concat_ws('|', s.name, s.id_number, s.mobile, s.created_at, "
        "s.home_id), ',' ORDER BY s.id)) || md5((SELECT string_agg(concat_ws('|', "
        "account_name, password, state, expires_on), ',' ORDER BY id) "
        "FROM accounts_broadbandaccount)) FROM accounts_subscriber s"
    )


def test_same_seed_same_data():
    generate(seed=11)
    first = _checksum()
    generate(seed=11)  # empties the generated tables and starts again
    assert _checksum() == first
    generate(seed=12)
    assert _checksum() != first


def test_generated_rows_leave_no_audit_history_and_triggers_stay_on():
    from accounts.models import Subscriber

    generate()
    assert one("SELECT count(*) FROM accounts_subscriberevent") == 0
    assert one("SHOW session_replication_role") == "origin"
    subscriber = Subscriber.objects.first()
    subscriber.note = "改过"
    subscriber.save()
    assert one("SELECT count(*) FROM accounts_subscriberevent") == 1


def test_refuses_to_destroy_other_data(settings):
    # The test database holds the three service points the suite loads (not generated).
    settings.DEBUG = True
    with pytest.raises(CommandError, match="servicedesk_servicepoint: 3 rows"):
        call_command("generate_scale_data", subscribers=10, stdout=io.StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("generate_scale_data", subscribers=10, stdout=io.StringIO())
    # Generated data may be replaced without --force, until someone adds to it.
    generate(n=50)
    settings.DEBUG = True
    call_command("generate_scale_data", subscribers=60, stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert scale.read_marker()["subscribers"] == 60
    from accounts.models import Subscriber

    Subscriber.objects.create(kind="organization", name="手工录入", intro_letter_ref="x",
                              service_point_id=1)
    with pytest.raises(CommandError, match="accounts_subscriber: 61 rows"):
        call_command("generate_scale_data", subscribers=60, stdout=io.StringIO())
    # An edit through the application leaves an audit event: also someone's data.
    generate(n=50)
    Subscriber.objects.filter(pk=1).update(note="真实数据")
    with pytest.raises(CommandError, match="accounts_subscriberevent: 1 rows"):
        call_command("generate_scale_data", subscribers=50, stdout=io.StringIO())
