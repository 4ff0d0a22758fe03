"""Two agents acting on the same ticket at once, on two real database connections.

The main thread holds the fault's row lock while two threads call a service; both queue
on the lock (we wait until Postgres shows them waiting), then run one after the other
once it is released. Without ``select_for_update`` in the services, both would have read
the same state and both written: two callbacks, two closing rows.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections, transaction

from servicedesk.roles import sync_role_groups
from tickets.models import Complaint, ComplaintState, Fault, FaultCallback, FaultState
from tickets.services import calldesk as services

pytestmark = pytest.mark.django_db(transaction=True)


def _load_reference_data():
    call_command("loaddata", "service_points", verbosity=0)
    sync_role_groups()


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Transactional tests end with a flush of every table: load what the session's
    setup loaded (service points, role groups) before each one…"""
    _load_reference_data()


@pytest.fixture(scope="module", autouse=True)
def _restore_reference_data(django_db_setup, django_db_blocker):
    """…and put it back after the last one, for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        _load_reference_data()


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views are a snapshot: refresh it each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")
        return cursor.fetchone()[0]


def _race(calls, lock_model=None, lock_pk=None):
    """Run ``calls`` in threads, each on its own connection; return their outcomes."""
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            outcomes[i] = ("ok", call())
        except ValidationError as exc:
            outcomes[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    if lock_model is None:
        for thread in threads:
            thread.start()
    else:
        with transaction.atomic():
            lock_model.objects.select_for_update().get(pk=lock_pk)
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 10
            while _waiting_on_locks() < len(threads) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _waiting_on_locks() >= len(threads), "the threads never queued on the lock"
    for thread in threads:
        thread.join(timeout=30)
    assert not [o for o in outcomes if o is None or o[0] == "error"], outcomes
    return outcomes


def test_two_agents_recording_the_callback_at_once_record_it_once(report, walk, agent,
                                                                  agent2):
    fault = walk(report(), "fixed")

    outcomes = _race([
        lambda: services.fault_callback_record(user=agent, fault=fault, passed=True,
                                               satisfaction="satisfied"),
        lambda: services.fault_callback_record(user=agent2, fault=fault, passed=False,
                                               note="还是不通"),
    ], Fault, fault.pk)

    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    fault.refresh_from_db()
    assert FaultCallback.objects.filter(fault=fault).count() == 1
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    assert fault.state == winner.state
    assert fault.status_changes.filter(from_state=FaultState.FIXED).count() == 1


def test_dispatch_and_cancel_at_once_leave_one_consistent_state(report, agent, agent2,
                                                                office, installer):
    fault = report()
    outcomes = _race([
        lambda: services.fault_dispatch(user=agent, fault=fault, maintenance_office=office,
                                        repairer=installer),
        lambda: services.fault_cancel(user=agent2, fault=fault, reason="重复登记"),
    ], Fault, fault.pk)

    fault.refresh_from_db()
    states = [c.to_state for c in fault.status_changes.all()]
    assert states[0] == "new" and states[-1] == fault.state
    if fault.state == FaultState.CANCELLED:
        # cancel came second and a dispatched fault may still be cancelled: both applied
        assert states in (["new", "cancelled"], ["new", "dispatched", "cancelled"])
    else:
        assert fault.state == FaultState.DISPATCHED
        assert sorted(o[0] for o in outcomes) == ["ok", "refused"]


def test_two_agents_logging_the_same_account_at_once_log_it_once(customer, agent, agent2):
    barrier = threading.Barrier(2)

    def log(user):
        barrier.wait()
        return services.fault_report(user=user, source="customer", account=customer[1],
                                     description="上不了网")

    outcomes = _race([lambda: log(agent), lambda: log(agent2)])

    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    refused = next(o[1] for o in outcomes if o[0] == "refused")
    assert "account" in refused.message_dict
    assert Fault.objects.count() == 1


def test_merging_two_complaints_into_each_other_at_once_does_not_deadlock(complaint, agent,
                                                                         agent2, make_customer):
    a = complaint()
    b = complaint(subscriber=make_customer(room=808)[0])
    barrier = threading.Barrier(2)

    def merge(user, one, other):
        barrier.wait()
        return services.complaint_merge(user=user, complaint=one, into=other)

    outcomes = _race([lambda: merge(agent, a, b), lambda: merge(agent2, b, a)])

    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert sorted([a.state, b.state]) == sorted([ComplaintState.MERGED,
                                                 ComplaintState.RECEIVED])
    primary = a if a.state == ComplaintState.RECEIVED else b
    assert primary.complainant_count == 2
    assert Complaint.objects.filter(primary=primary).count() == 1
