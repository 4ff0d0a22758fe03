"""Call detail records: rating, idempotency by call ID, rejections, flags, credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum

from accounts.models import LandlineAccount
from billing import cdr, ledger
from billing.models import BalanceEntry, CallRecord
from tests.billing_landline.conftest import at, check_deferred

D = Decimal
HEADER = "call_id,number,called_number,start_time,seconds,call_type\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def run(data: bytes, user=None, max_lines=5000):
    job = cdr.cdr_import_create(user=user, file_name="cdr.csv", data=data)
    return cdr.cdr_import_run(cdr_import=job, max_lines=max_lines)


@pytest.fixture
def lines(make_line):
    return {"own": make_line("68001001", plan="daweitest"),
            "unicom": make_line("68690001", carrier="unicom", plan="daweitest")}


GOOD = csv_bytes(
    "C1,68001001,88880000,2026-11-03 08:15:00,61,local",      # 2 min x 0.15
    "C2,02968001001,01012345678,2026-11-03 09:00:00,60,domestic",  # 1 min x 0.30
    "C3,68690001,0044207946,2026-11-04 10:00:00,300,international",  # flagged
    "C4,68690001,88880001,2026-11-04 11:00:00,0,市话",          # free
)


def test_an_import_rates_charges_once_and_reports(lines):
    job = run(GOOD)
    assert (job.rows_read, job.rated, job.flagged, job.skipped, job.rejected) == (4, 3, 1, 0, 0)
    assert job.total_charged == D("0.60") and job.is_done
    own = LandlineAccount.objects.get(pk=lines["own"].pk)
    assert own.balance == D("-0.60")
    assert own.state == "barred"  # below zero: barred
    entry = BalanceEntry.objects.get(landline=own, kind="calls")
    assert (entry.amount, entry.period, entry.cdr_import_id) == (D("-0.60"), date(2026, 11, 1),
                                                                 job.pk)
    assert set(CallRecord.objects.filter(cdr_import=job, landline=own, charged__gt=0)
               .values_list("call_id", flat=True)) == {"C1", "C2"}
    flagged = CallRecord.objects.get(call_id="C3")
    assert (flagged.status, flagged.charge) == ("flagged", 0)
    again = run(GOOD)  # the same file twice charges once
    assert (again.rows_read, again.skipped, again.rated, again.total_charged) == (4, 4, 0, 0)
    assert LandlineAccount.objects.get(pk=own.pk).balance == D("-0.60")
    assert CallRecord.objects.count() == 4
    check_deferred()


def test_bad_rows_are_reported_with_line_numbers_and_the_good_ones_rated(lines):
    data = csv_bytes(
        "B1,68001001,8888,2026-11-03 08:15:00,60,local",
        "B2,68001001,8888,yesterday,60,local",
        "B3,69999999,8888,2026-11-03 08:15:00,60,local",
        "B4,68001001,8888,2026-11-03 08:15:00,-5,local",
        "B5,68001001,8888,2026-11-03 08:15:00,60,satellite",
        "too,few,columns",
        ",68001001,8888,2026-11-03 08:15:00,60,local",
        "B8,68001001,8888,2026-11-03 08:17:00,60,local",
        "B1,68001001,8888,2026-11-03 08:15:00,60,local",
    )
    job = run(data, max_lines=3)  # several chunks
    assert (job.rows_read, job.rated, job.rejected, job.skipped) == (9, 2, 6, 1)
    reasons = dict(job.rejections.values_list("line", "reason"))
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "69999999" in reasons[4]
    assert job.total_charged == D("0.30")


def test_a_file_without_the_header_is_refused(db):
    with pytest.raises(ValidationError):
        cdr.cdr_import_create(user=None, file_name="x.csv", data=b"a,b,c\n1,2,3\n")


def test_package_credit_pays_first_and_does_not_roll_over(make_line, package_broadband):
    line = make_line("68001009", plan="daweitest", bundled_with=package_broadband)
    ledger.landline_rent_run(month=date(2026, 11, 1))  # bundled: no rent, 20.00 credit
    job = run(csv_bytes(
        "K1,68001009,8888,2026-11-10 08:00:00,3600,domestic",   # 60 x 0.30 = 18.00
        "K2,68001009,8888,2026-11-11 08:00:00,600,local",       # 10 x 0.15 = 1.50
        "K3,68001009,8888,2026-11-12 08:00:00,600,local",       # 1.50: 0.50 credit + 1.00
        "K4,68001009,8888,2026-12-01 08:00:00,60,local",        # December: no credit yet
    ))
    assert job.credit_used == D("20.00")
    assert job.total_charged == D("1.15")
    line = LandlineAccount.objects.get(pk=line.pk)
    assert line.balance == D("-1.15")
    k3 = CallRecord.objects.get(call_id="K3")
    assert (k3.credit_used, k3.charged) == (D("0.50"), D("1.00"))
    assert set(BalanceEntry.objects.filter(landline=line).values_list("period", "amount")) == {
        (date(2026, 11, 1), D("-1.00")), (date(2026, 12, 1), D("-0.15"))}


def test_the_command(lines, tmp_path, capsys):
    path = tmp_path / "cdr.csv"
    path.write_bytes(GOOD)
    call_command("import_cdr", str(path))
    assert "4 rows read, 3 rated" in capsys.readouterr().out
    call_command("landline_rent_run", "--month", "2026-11")
    assert "2 rent" in capsys.readouterr().out
    total = BalanceEntry.objects.aggregate(s=Sum("amount"))["s"]
    assert total == D("-0.60") - 2 * D("23.00")


def test_a_call_in_the_future_is_rejected(lines):
    job = run(csv_bytes("F1,68001001,8888,2099-01-01 08:00:00,60,local"))
    assert job.rejected == 1 and job.total_charged == 0


def test_a_chunk_step_records_its_progress(lines):
    job = cdr.cdr_import_create(user=None, file_name="x.csv", data=GOOD)
    job = cdr.cdr_import_step(cdr_import=job, max_lines=2, now=at("2026-11-20"))
    assert (job.next_line, job.rows_read, job.is_done, job.percent) == (4, 2, False, 50)
    assert BalanceEntry.objects.filter(kind="calls").count() == 0  # charged when done
    job = cdr.cdr_import_step(cdr_import=job, max_lines=2, now=at("2026-11-20"))
    assert job.is_done and job.rows_read == 4
    assert BalanceEntry.objects.filter(kind="calls").count() == 1


def test_a_crash_mid_file_leaves_no_half_chunk_and_a_rerun_finishes(lines, monkeypatch):
    data = csv_bytes(*(f"R{n},68001001,8888,2026-11-03 08:{n:02d}:00,60,local"
                       for n in range(6)))
    job = cdr.cdr_import_create(user=None, file_name="x.csv", data=data)
    job = cdr.cdr_import_step(cdr_import=job, max_lines=3)
    copy_calls = cdr._copy_calls

    def crash(rows):
        copy_calls(rows)  # the calls are written, then the process dies
        raise RuntimeError("killed")

    monkeypatch.setattr(cdr, "_copy_calls", crash)
    with pytest.raises(RuntimeError):
        cdr.cdr_import_step(cdr_import=job, max_lines=3)
    job.refresh_from_db()
    assert (job.next_line, job.rows_read, job.rated) == (5, 3, 3)
    assert CallRecord.objects.count() == 3  # the second chunk left nothing behind
    monkeypatch.setattr(cdr, "_copy_calls", copy_calls)
    job = cdr.cdr_import_run(cdr_import=job, max_lines=3)
    assert (job.rows_read, job.rated, job.is_done, job.total_charged) == (6, 6, True, D("0.90"))
    assert LandlineAccount.objects.get(pk=lines["own"].pk).balance == D("-0.90")
    check_deferred()


def test_odd_characters_in_a_call_survive_the_copy(lines):
    job = run(csv_bytes('"C\\1\tx",68001001,"88\\N",2026-11-03 08:15:00,60,local',
                        "C2,68001001,8888,2026-11-03T08:16:00+08:00,60,local",
                        "C3,68001001,8888,2026-11-03 08:17:00,６０,local"))
    assert (job.rated, job.rejected) == (2, 1)
    call = CallRecord.objects.get(call_id="C\\1\tx")
    assert call.called_number == "88\\N"
    assert CallRecord.objects.get(call_id="C2").started_at == at("2026-11-03", "08:16")
    assert "６０" in job.rejections.get().reason


def test_a_file_of_only_bad_rows_rates_nothing(lines, django_assert_max_num_queries):
    job = cdr.cdr_import_create(user=None, file_name="x.csv",
                                data=csv_bytes("a,b", "C1,69999999,8888,2026-11-03 08:15,1,local"))
    with django_assert_max_num_queries(12):
        job = cdr.cdr_import_step(cdr_import=job)
    assert (job.rows_read, job.rejected, job.rated, job.is_done) == (2, 2, 0, True)
