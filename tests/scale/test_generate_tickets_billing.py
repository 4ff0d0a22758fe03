"""The tickets and billing scale generators at a small N (in the test's transaction)."""

import pytest
from django.db import connection

from .test_generate import AS_OF, N, generate, one, rows

pytestmark = pytest.mark.django_db


def test_orders_faults_complaints_and_money_at_realistic_ratios():
    generate()
    accounts = (one("SELECT count(*) FROM accounts_broadbandaccount")
                + one("SELECT count(*) FROM accounts_landlineaccount"))
    orders = one("SELECT count(*) FROM tickets_workorder")
    assert 0.9 * accounts <= orders <= accounts  # an install order per account
    assert 0.3 * N <= one("SELECT count(*) FROM tickets_fault") <= 0.8 * N
    assert one("SELECT count(*) FROM tickets_complaint") == round(N / 50)
    assert one("SELECT count(*) FROM tickets_inquiry") == round(N / 20)
    receipts = one("SELECT count(*) FROM billing_receipt")
    assert 2 * N <= receipts <= 5 * N
    assert one("SELECT count(*) FROM billing_receiptline") == receipts
    # mostly the whole way, some still open, 90% of faults fixed within 12 hours
    states = dict(rows("SELECT state, count(*) FROM tickets_workorder GROUP BY 1"))
    assert max(states, key=states.get) == "archived"
    fixed = dict(rows("SELECT first_fixed_at <= due_at, count(*) FROM tickets_fault "
                      "WHERE first_fixed_at IS NOT NULL GROUP BY 1"))
    assert 0.85 <= fixed[True] / (fixed[True] + fixed.get(False, 0)) <= 0.95
    # receipts numbered without gaps per book; the books' next numbers follow on
    assert rows("SELECT book_id FROM billing_receipt GROUP BY book_id "
                "HAVING max(number) <> count(*) OR min(number) <> 1") == []
    assert rows("SELECT b.id FROM billing_receiptbook b JOIN billing_receipt r "
                "ON r.book_id = b.id GROUP BY b.id, b.next_number "
                "HAVING b.next_number <> max(r.number) + 1") == []
    # daily closes agree with their receipts; nothing of today is closed
    assert rows("SELECT c.id FROM billing_dailyclose c JOIN billing_receipt r "
                "ON r.issued_by_id = c.clerk_id AND r.issued_on = c.day "
                "AND r.status = 'issued' GROUP BY c.id, c.total "
                "HAVING sum(r.total) <> c.total") == []
    assert one("SELECT count(*) FROM billing_dailyclose WHERE day >= %s", [AS_OF]) == 0
    # the schema's rules hold although the load bypassed the triggers
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert one("SELECT count(*) FROM tickets_fault f WHERE f.state IN "
               "('new','dispatched','reopened','fixed','reply_owed') AND EXISTS (SELECT 1 "
               "FROM tickets_fault g WHERE g.broadband_account_id = f.broadband_account_id "
               "AND g.id <> f.id AND g.state IN ('new','dispatched','reopened','fixed',"
               "'reply_owed'))") == 0
