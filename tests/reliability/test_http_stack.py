"""Load and crashes through gunicorn on loopback (make check-all; RUN_RELIABILITY=1).

- 20 clerks post a new install order at the same moment: every request answered in
  bounded time, every receipt accounted for, numbers consecutive without a gap.
- a gunicorn worker is SIGKILLed while such posts are in flight: no partial record (an
  order without its receipt, a receipt whose lines do not add up, a subscriber without
  an order), the app keeps serving, and re-posting the lost forms loses nothing.

gunicorn uses this test's own database (the pytest test database; the data are committed
by a transactional test), never the shared development database.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from accounts.models import BroadbandPlan, Subscriber
from billing import services as billing
from billing.models import Receipt, ReceiptLine
from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.counter.conftest import id_number
from tests.factories import UserFactory
from tests.reliability.stack import Gunicorn, Session
from tickets.models import WorkOrder

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

CLERKS = 20
BOUND_SECONDS = 60  # every request of a burst must be answered within this


@pytest.fixture
def counter(reference_data):
    call_command("loaddata", "tariffs", verbosity=0)
    point = ServicePoint.objects.get(code="dw")
    manager = UserFactory(username="rel_manager", role=Role.MANAGER)
    billing.receipt_book_open(user=manager, service_point=point, series="REL",
                              first_number=1, last_number=5000)
    clerks = [UserFactory(username=f"rel_clerk{i}", role=Role.CLERK, service_point=point)
              for i in range(CLERKS)]
    return {"point": point, "clerks": clerks, "plan": BroadbandPlan.objects.get(name="自营20M包年")}


@pytest.fixture
def stack(transactional_db):
    server = Gunicorn(database=connection.settings_dict["NAME"], workers=3)
    yield server
    server.stop()


def order_fields(plan, n: int) -> dict:
    return {"kind": "person", "name": f"并发{n}", "id_number": id_number(300 + n),
            "mobile": "13800138000", "building": "5", "unit": "1", "room": str(100 + n),
            "want_broadband": "on", "broadband_plan": str(plan.pk), "broadband_points": "1",
            "landline_points": "1", "prepaid_credit": "0", "payment_method": "cash"}


def burst(sessions, forms, plan, during=None):
    """All clerks post at once; ``during()`` runs while the posts are in flight."""
    url = reverse("tickets:install_order")
    barrier = threading.Barrier(len(sessions) + 1)
    results: list = [None] * len(sessions)

    def post(i):
        barrier.wait(timeout=30)
        started = time.monotonic()
        try:
            status, location, _, _ = sessions[i].post(url, {**forms[i], **order_fields(plan, i)},
                                                      timeout=BOUND_SECONDS)
            results[i] = (status, location, time.monotonic() - started)
        except OSError as exc:  # the connection died with its worker
            results[i] = (type(exc).__name__, "", time.monotonic() - started)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    if during:
        during()
    for thread in threads:
        thread.join(timeout=BOUND_SECONDS + 10)
    assert not any(t.is_alive() for t in threads), "a request hung past the bound"
    return results


def assert_no_partial_records():
    """Every order has its receipt, every receipt its lines adding up to its total, every
    subscriber of the burst its order, and receipt numbers run 1..n without a gap."""
    sums = dict(ReceiptLine.objects.values("receipt").annotate(s=Sum("amount"))
                .values_list("receipt", "s"))
    for receipt in Receipt.objects.all():
        assert sums.get(receipt.pk) == receipt.total, receipt
    assert not WorkOrder.objects.filter(kind="install", receipt__isnull=True).exists()
    orphans = Subscriber.objects.filter(name__startswith="并发").exclude(
        pk__in=WorkOrder.objects.values("subscriber"))
    assert not orphans.exists(), list(orphans)
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_twenty_clerks_post_orders_at_once(stack, counter, record_figures):
    sessions = [Session(stack, clerk) for clerk in counter["clerks"]]
    forms = [s.get_form(reverse("tickets:install_order")) for s in sessions]
    started = time.monotonic()
    results = burst(sessions, forms, counter["plan"])
    wall = time.monotonic() - started
    statuses = [r[0] for r in results]
    assert statuses == [302] * CLERKS, results
    assert all("/tickets/orders/" in r[1] for r in results)
    assert WorkOrder.objects.count() == CLERKS and Receipt.objects.count() == CLERKS
    assert_no_partial_records()
    record_figures(requests=CLERKS, answered=statuses.count(302), receipts=CLERKS,
                   numbers=f"1-{CLERKS} gap-free",
                   slowest_s=round(max(r[2] for r in results), 2), burst_s=round(wall, 2))


def test_a_worker_killed_mid_write_loses_nothing(stack, counter, record_figures):
    sessions = [Session(stack, clerk) for clerk in counter["clerks"]]
    forms = [s.get_form(reverse("tickets:install_order")) for s in sessions]
    killed = []

    def kill_a_busy_worker():
        time.sleep(0.3)  # the posts are being handled: numbers taken, rows written
        victim = stack.workers()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    results = burst(sessions, forms, counter["plan"], during=kill_a_busy_worker)
    cut = [i for i, r in enumerate(results) if r[0] != 302]
    assert killed
    assert_no_partial_records()  # what the killed worker was writing rolled back whole

    # the app still serves (gunicorn replaced the worker) …
    deadline = time.monotonic() + 30
    while stack.request("GET", "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "not serving after the kill"
        time.sleep(0.2)
    assert killed[0] not in stack.workers()
    # … and the clerks whose page failed post the same form again: nothing lost, nothing twice
    url = reverse("tickets:install_order")
    for i in cut:
        status, _, _, _ = sessions[i].post(url, {**forms[i], **order_fields(counter["plan"], i)})
        assert status == 302, (i, status)
    assert WorkOrder.objects.count() == CLERKS and Receipt.objects.count() == CLERKS
    assert_no_partial_records()
    record_figures(requests=CLERKS, cut_by_kill=len(cut), reposted_ok=len(cut),
                   orders=CLERKS, receipts=CLERKS, partial_records=0)
