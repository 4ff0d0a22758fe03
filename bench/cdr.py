"""Call rating benchmark: import and rate a call detail record file (budget: 100,000 rows
in under 30 s), then check every balance is the sum of its ledger.

    python bench/cdr.py                      # 100,000 calls of one month, 2,000 lines
    python bench/cdr.py --rows 20000 --lines 500

Runs in its own database (``DEV_DATABASE_NAME``, default ``servicedesk_bench_cdr``): it
migrates it, empties the landline and billing tables it fills (refusing any other
database name unless ``--force``), makes the lines, writes the CSV, and times
``import_cdr`` the way the command runs it (20,000-line chunks, each one transaction,
then one posting to the ledger). Rerunnable; writes ``bench/results/<date>-cdr.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
os.environ.setdefault("DEV_DATABASE_NAME", "servicedesk_bench_cdr")

BUDGET_SECONDS = 30.0
# Each line starts with this much (an opening-balance ledger row); a month of calls then
# takes some lines below zero (barred), as a real month does.
OPENING_BALANCE = Decimal("30.00")
TABLES = ["billing_callrecord", "billing_cdrrejection", "billing_cdrimport",
          "billing_callcredit", "billing_balanceentry", "accounts_accountstatechange",
          "accounts_landlineaccount_add_ons", "accounts_landlineaccount",
          "accounts_broadbandaccount", "accounts_subscriber", "accounts_premises"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=2_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--no-save", action="store_true")
    return parser.parse_args(argv)


def prepare(lines: int) -> list[str]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Carrier, LandlineAccount, LandlinePlan, Premises, Subscriber
    from servicedesk.models import ServicePoint

    call_command("migrate", verbosity=0)
    call_command("loaddata", "service_points", "tariffs", verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE")
        point = ServicePoint.objects.get(code="dw")
        own = Carrier.objects.get(code="own")
        unicom = Carrier.objects.get(code="unicom")
        plans = list(LandlinePlan.objects.all())
        subscribers = Subscriber.objects.bulk_create([
            Subscriber(kind="organization", name=f"压测{n}", intro_letter_ref=f"B{n}",
                       service_point=point) for n in range(lines)])
        premises = Premises.objects.bulk_create([
            Premises(service_point=point, building=1 + n // 9000, unit=1 + n % 9,
                     room=1 + n // 9 % 1000) for n in range(lines)])
        numbers = []
        accounts = []
        for n, (subscriber, room) in enumerate(zip(subscribers, premises, strict=True)):
            carrier = unicom if n % 5 == 0 else own
            number = (f"6869{n:04d}" if carrier is unicom else f"6{n + 1000000:07d}")
            numbers.append(number)
            accounts.append(LandlineAccount(
                subscriber=subscriber, premises=room, service_point=point, carrier=carrier,
                plan=plans[n % len(plans)], phone_number=number, state="active",
                starts_on=date(2026, 1, 1), balance=OPENING_BALANCE))
        LandlineAccount.objects.bulk_create(accounts, batch_size=2000)
    return numbers


def write_csv(path: Path, numbers: list[str], rows: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 10, 1)  # one month's file, as the switch delivers it
    kinds = ["local"] * 7 + ["domestic"] * 3 + ["international"]
    with path.open("w") as out:
        out.write("call_id,number,called_number,start_time,seconds,call_type\n")
        for n in range(rows):
            moment = start + timedelta(seconds=rng.randrange(31 * 86400))
            out.write(f"B{seed}-{n:07d},{rng.choice(numbers)},8{rng.randrange(10**7):07d},"
                      f"{moment:%Y-%m-%d %H:%M:%S},{int(rng.expovariate(1 / 150))},"
                      f"{rng.choice(kinds)}\n")


def cpu_seconds() -> float:
    """CPU time used so far by this process and its PostgreSQL backend (user + system).
    Unlike the wall time it hardly grows when other jobs share the cores, so two runs at
    different load averages compare. The server runs on this machine (embedded)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:  # /proc/<pid>/stat: utime and stime are its 14th and 15th fields
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        backend = 0.0
    return time.process_time() + backend


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import F, Sum

    from accounts.models import LandlineAccount
    from billing import cdr
    from billing.models import BalanceEntry

    name = settings.DATABASES["default"]["NAME"]
    if not name.endswith("bench_cdr") and not args.force:
        print(f"Refusing to empty {name!r}: set DEV_DATABASE_NAME=…bench_cdr or --force")
        return 2
    print(f"Database {name}: {args.lines:,} lines, {args.rows:,} calls")
    numbers = prepare(args.lines)
    path = Path("/tmp") / f"bench-cdr-{args.rows}.csv"
    write_csv(path, numbers, args.rows, args.seed)

    cpu_started = cpu_seconds()
    started = time.perf_counter()
    job = cdr.cdr_import_create(user=None, file_name=path.name, data=path.read_bytes())
    stored = time.perf_counter()
    job = cdr.cdr_import_run(cdr_import=job, max_lines=args.chunk)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    again_started = time.perf_counter()
    again = cdr.cdr_import_run(cdr_import=cdr.cdr_import_create(
        user=None, file_name=path.name, data=path.read_bytes()), max_lines=args.chunk)
    again_seconds = time.perf_counter() - again_started

    sums = dict(BalanceEntry.objects.values("landline").annotate(s=Sum("amount"))
                .values_list("landline", "s"))
    wrong = [a.pk for a in LandlineAccount.objects.only("balance")
             if a.balance != sums.get(a.pk, 0)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_balanceentry WHERE kind = 'calls'")
        ledger_rows = cursor.fetchone()[0]
    barred = LandlineAccount.objects.filter(state="barred").count()
    negative = LandlineAccount.objects.filter(balance__lt=F("alert_threshold")).count()
    result = {
        "date": f"{date.today():%Y-%m-%d}", "rows": args.rows, "lines": args.lines,
        "chunk": args.chunk, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "store_seconds": round(stored - started, 2),
        "rows_per_second": round(args.rows / seconds),
        "rated": job.rated, "flagged": job.flagged, "rejected": job.rejected,
        "total_charged": str(job.total_charged), "ledger_rows": ledger_rows,
        "barred": barred, "under_threshold": negative,
        "reimport_seconds": round(again_seconds, 2), "reimport_skipped": again.skipped,
        "reimport_charged": str(again.total_charged), "balances_not_ledger_sum": len(wrong),
        "load_average": os.getloadavg(), "budget_seconds": BUDGET_SECONDS,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    ok = seconds < BUDGET_SECONDS and not wrong and again.total_charged == 0
    print(("OK" if ok else "MISS") + f": {args.rows:,} rows rated in {seconds:.1f} s "
          f"(budget {BUDGET_SECONDS:.0f} s; CPU {cpu:.1f} s, load {os.getloadavg()[0]:.1f}); "
          f"re-import charged ¥{again.total_charged}")
    if not args.no_save:
        out = ROOT / "bench" / "results" / f"{date.today():%Y-%m-%d}-cdr-{args.rows}.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
