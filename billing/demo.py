"""Demo landline billing: the rent runs and call records of the last two months and this
one, so balances, statements, package credit, low-balance and barred lines have history.

Idempotent: the rent run charges a month once, and each month's call file is imported
once (its calls have fixed IDs, so even a second import would charge nothing).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.choices import LandlineState
from accounts.models import LandlineAccount
from billing import cdr, ledger
from billing.models import CdrImport

MONTHS_BACK = 2
CALLS_PER_LINE = (0, 25)
CALL_TYPES = [("local", 70), ("domestic", 27), ("international", 3)]


def _month_back(day, months):
    for _i in range(months):
        day = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
    return day.replace(day=1)


def _calls_csv(lines, month, until, rng) -> bytes:
    rows = [",".join(cdr.COLUMNS)]
    days = (min(ledger.month_end(month), until) - month).days + 1
    types = [t for t, _w in CALL_TYPES]
    weights = [w for _t, w in CALL_TYPES]
    for line in lines:
        for n in range(rng.randint(*CALLS_PER_LINE)):
            day = month + timedelta(days=rng.randrange(max(days, 1)))
            start = datetime.combine(day, time(rng.randint(7, 22), rng.randrange(60),
                                               rng.randrange(60)))
            kind = rng.choices(types, weights)[0]
            called = {"local": f"8{rng.randrange(10**7):07d}",
                      "domestic": f"0{rng.choice(['10', '21', '20', '755'])}"
                                  f"{rng.randrange(10**8):08d}",
                      "international": f"00{rng.choice(['1', '44', '81'])}"
                                       f"{rng.randrange(10**9):09d}"}[kind]
            seconds = int(rng.expovariate(1 / 150))
            rows.append(f"DEMO-{line.phone_number}-{month:%Y%m}-{n:03d},{line.phone_number},"
                        f"{called},{start:%Y-%m-%d %H:%M:%S},{seconds},{kind}")
    return ("\n".join(rows) + "\n").encode()


def load(*, seed: int, stdout=None) -> str:
    rng = random.Random(seed + 8)
    now = timezone.localtime()
    today = now.date()
    lines = list(LandlineAccount.objects.filter(
        state__in=[LandlineState.ACTIVE, LandlineState.BARRED]).order_by("phone_number"))
    if not lines:
        return "skipped (no landlines)"
    rent_rows = imported = 0
    for back in range(MONTHS_BACK, -1, -1):
        month = _month_back(today, back)
        run_at = timezone.make_aware(datetime.combine(month, time(0, 30)))
        rent_rows += ledger.landline_rent_run(month=month, now=run_at).rent_rows
        name = f"demo-{month:%Y-%m}.csv"
        if CdrImport.objects.filter(file_name=name).exists():
            continue
        until = min(ledger.month_end(month), today - timedelta(days=1))
        if until < month:
            continue
        data = _calls_csv([x for x in lines if rng.random() < 0.8], month, until, rng)
        job = cdr.cdr_import_create(user=None, file_name=name, data=data,
                                    now=run_at + timedelta(days=1))
        cdr.cdr_import_run(cdr_import=job)
        imported += job.rated
    low = LandlineAccount.objects.filter(state__in=[LandlineState.ACTIVE, LandlineState.BARRED])
    low = sum(1 for x in low.only("balance", "alert_threshold") if x.balance < x.alert_threshold)
    barred = LandlineAccount.objects.filter(state=LandlineState.BARRED).count()
    return (f"{rent_rows} rent charges, {imported} calls rated; "
            f"{low} lines under their alert threshold, {barred} barred")
