"""Property: whatever happens to a set of lines, in whatever order, each balance is the sum
of its ledger, and a line is barred exactly when its money says so."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import LandlineAccount
from billing import cdr, ledger
from billing import services as billing
from billing.models import BalanceEntry, Receipt
from tests.billing_landline.conftest import at, check_deferred

NUMBERS = ["68002001", "68002002", "68692003"]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("80"), places=2)
calls = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1800),
                           st.sampled_from(["local", "domestic", "international"])),
                 min_size=1, max_size=6)
operations = st.lists(st.one_of(
    st.tuples(st.just("top_up"), st.integers(0, 2), amounts),
    st.tuples(st.just("rent"), st.integers(0, 2)),
    st.tuples(st.just("import"), calls),
    st.tuples(st.just("adjust"), st.integers(0, 2), amounts, st.booleans()),
    st.tuples(st.just("void")),
), min_size=1, max_size=8)
call_ids = itertools.count()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_ledger_sum_is_the_balance_after_any_sequence(ops, make_line, clerk, manager, books):
    with transaction.atomic():
        lines = [make_line(NUMBERS[0], plan="daweitest"),
                 make_line(NUMBERS[1], plan="yuezu"),
                 make_line(NUMBERS[2], carrier="unicom", plan="daweitest")]
        for op in ops:
            if op[0] == "top_up":
                billing.landline_top_up(user=clerk, account=lines[op[1]], amount=op[2],
                                        payment_method="cash", now=at("2026-11-20"))
            elif op[0] == "rent":
                ledger.landline_rent_run(month=date(2026, 9 + op[1], 1))
            elif op[0] == "import":
                rows = [f"H{next(call_ids)},{NUMBERS[i]},88880000,2026-11-10 09:00:00,{s},{t}"
                        for i, s, t in op[1]]
                data = ("call_id,number,called_number,start_time,seconds,call_type\n"
                        + "\n".join(rows)).encode()
                job = cdr.cdr_import_create(user=manager, file_name="h.csv", data=data)
                cdr.cdr_import_run(cdr_import=job)
            elif op[0] == "adjust":
                ledger.landline_balance_adjust(user=manager, account=lines[op[1]],
                                               amount=op[2] if op[3] else -op[2], reason="调账")
            else:
                receipt = Receipt.objects.filter(purpose="top_up", status="issued").first()
                if receipt is not None:
                    billing.receipt_void(user=manager, receipt=receipt, reason="作废",
                                         now=at("2026-11-21"))
            for line in LandlineAccount.objects.filter(pk__in=[x.pk for x in lines]):
                total = BalanceEntry.objects.filter(landline=line).aggregate(
                    s=Sum("amount"))["s"] or 0
                assert line.balance == total
                assert not (line.state == "active" and line.balance < 0)
                assert not (line.state == "barred" and line.balance > 0)
        check_deferred()
        transaction.set_rollback(True)
