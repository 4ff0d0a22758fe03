"""Receipt numbers under real concurrency: many database connections issuing at once.

These tests commit (``transaction=True``): each thread opens its own connection, so the
row lock on the receipt book, the deferred total-equals-lines trigger and the idempotency
lock all work as in production.
"""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Sum

from billing import services as billing
from billing.models import Receipt, ReceiptBook, ReceiptLine
from servicedesk.models import ServicePoint
from servicedesk.roles import Role, sync_role_groups
from tests.counter.conftest import id_number
from tests.factories import UserFactory
from tickets.models import WorkOrder
from tickets.services import workorders as wo

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
RECEIPTS_PER_THREAD = 6


@pytest.fixture(autouse=True)
def reference_data(django_db_blocker):
    """The flush after a transactional test empties every table: put the service points and
    role groups back before and after."""
    call_command("loaddata", "service_points", verbosity=0)
    sync_role_groups()
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "service_points", verbosity=0)
        sync_role_groups()


def run_threads(target, count):
    """Start ``count`` threads on ``target(index)`` at the same moment; return their errors."""
    barrier = threading.Barrier(count)
    errors = []

    def body(index):
        try:
            barrier.wait(timeout=30)
            target(index)
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_clerks_get_consecutive_unique_numbers_without_gaps():
    point = ServicePoint.objects.get(code="dw")
    manager = UserFactory(username="c_manager", role=Role.MANAGER)
    clerks = [UserFactory(username=f"c_clerk{i}", role=Role.CLERK, service_point=point)
              for i in range(THREADS)]
    billing.receipt_book_open(user=manager, service_point=point, series="DWC",
                              first_number=1001, last_number=2000)

    def issue_many(index):
        for n in range(RECEIPTS_PER_THREAD):
            if n == 2:
                # a transaction that fails after taking its number gives it back
                try:
                    with transaction.atomic():
                        billing.receipt_issue(
                            user=clerks[index], service_point=point, payment_method="cash",
                            payer_name="回滚", purpose="other",
                            lines=[billing.Line("x", Decimal("1.00"))])
                        raise RuntimeError("rolled back")
                except RuntimeError:
                    pass
            billing.receipt_issue(
                user=clerks[index], service_point=point, payment_method="cash",
                payer_name=f"客户{index}-{n}", purpose="other",
                lines=[billing.Line("月租", Decimal("20.00")),
                       billing.Line("来电显示", Decimal(index + n), quantity=2)])

    errors = run_threads(issue_many, THREADS)
    assert not errors, errors
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    total = THREADS * RECEIPTS_PER_THREAD
    assert numbers == list(range(1001, 1001 + total))  # consecutive, unique, no gap
    assert ReceiptBook.objects.get(series="DWC").next_number == 1001 + total
    assert not Receipt.objects.filter(payer_name="回滚").exists()
    sums = dict(ReceiptLine.objects.values("receipt").annotate(s=Sum("amount"))
                .values_list("receipt", "s"))
    for receipt in Receipt.objects.all():
        assert receipt.total == sums[receipt.pk]


def test_a_double_post_from_two_connections_makes_one_order(tariffs_committed):
    point = ServicePoint.objects.get(code="dw")
    manager = UserFactory(username="c_manager2", role=Role.MANAGER)
    clerk = UserFactory(username="c_clerk_x", role=Role.CLERK, service_point=point)
    billing.receipt_book_open(user=manager, service_point=point, series="DWD",
                              first_number=1, last_number=100)
    from accounts.models import BroadbandPlan

    plan = BroadbandPlan.objects.get(name="自营20M包年")
    key = uuid.uuid4()
    results = []

    def post(_index):
        order = wo.install_order_open(
            user=clerk, service_point=point, building=1, unit=2, room=502,
            broadband_plan=plan, payment_method="cash", idempotency_key=key,
            new_subscriber={"kind": "person", "name": "张伟", "id_number": id_number(1)})
        results.append(order.pk)

    errors = run_threads(post, 4)
    assert not errors, errors
    assert len(set(results)) == 1
    assert WorkOrder.objects.count() == 1 and Receipt.objects.count() == 1
    for alias in connections:
        connections[alias].close()


@pytest.fixture
def tariffs_committed():
    call_command("loaddata", "tariffs", verbosity=0)
