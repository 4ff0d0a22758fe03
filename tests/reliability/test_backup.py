"""Backups: pg_dump the test database, restore it into a scratch database, wipe that one,
restore again, and compare row counts and a checksum of every receipt (number, total,
lines) with the original. Runs in ``make test`` (a few seconds)."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from accounts import services as accounts
from billing import services as billing
from servicedesk import backup
from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.counter.conftest import id_number
from tests.factories import UserFactory

TABLES = ["accounts_subscriber", "billing_receipt", "billing_receiptline", "billing_receiptbook",
          "servicedesk_user", "servicedesk_servicepoint"]
RECEIPT_CHECKSUM = """
    SELECT md5(string_agg(r.book_id || '-' || r.number || ':' || r.total || ':' || r.payer_name
                          || ':'
                          || l.description || '=' || l.amount, ',' ORDER BY r.id, l.id))
    FROM billing_receipt r JOIN billing_receiptline l ON l.receipt_id = r.id
"""


def _fingerprint(conn) -> tuple[dict, str]:
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    checksum = conn.execute(RECEIPT_CHECKSUM).fetchone()[0]
    return counts, checksum


def _connect(name: str, **kwargs):
    db = settings.DATABASES["default"]
    return psycopg.connect(dbname=name, user=db.get("USER") or None,
                           password=db.get("PASSWORD") or None, host=db.get("HOST") or None,
                           port=db.get("PORT") or None, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_every_row_and_receipt(tmp_path, reference_data):
    point = ServicePoint.objects.get(code="dw")
    manager = UserFactory(username="bk_manager", role=Role.MANAGER)
    clerk = UserFactory(username="bk_clerk", role=Role.CLERK, service_point=point)
    billing.receipt_book_open(user=manager, service_point=point, series="BK",
                              first_number=1, last_number=500)
    for n in range(12):
        subscriber = accounts.subscriber_create(
            user=clerk, kind="person", name=f"备份{n}", service_point=point,
            building=1, unit=1, room=100 + n, id_number=id_number(n))
        billing.receipt_issue(
            user=clerk, service_point=point, payment_method="cash", payer_name=subscriber.name,
            purpose="other", subscriber=subscriber,
            lines=[billing.Line("月租", Decimal("20.00")),
                   billing.Line("来电显示", Decimal(n) + Decimal("0.50"))])

    source = connection.settings_dict["NAME"]
    scratch = f"{source}_restore"[:63]
    with _connect(source) as conn:
        before = _fingerprint(conn)
    assert before[0]["billing_receipt"] == 12 and before[1]

    dump = backup.backup(tmp_path / "sd.dump", database=source)
    assert dump.stat().st_size > 1000
    with _connect("postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        backup.restore(dump, database=scratch)
        with _connect(scratch) as conn:
            assert _fingerprint(conn) == before
            # wipe: lose every receipt and subscriber, then restore over the damaged database
            conn.execute("TRUNCATE billing_receipt, accounts_subscriber CASCADE")
            conn.commit()
            assert conn.execute("SELECT count(*) FROM billing_receipt").fetchone()[0] == 0
        backup.restore(dump, database=scratch)
        with _connect(scratch) as conn:
            assert _fingerprint(conn) == before
    finally:
        with _connect("postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_restore_of_a_missing_file_is_refused(tmp_path):
    with pytest.raises(backup.BackupError):
        backup.restore(tmp_path / "nope.dump")
