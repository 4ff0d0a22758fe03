"""Keep the monthly report's closed months and this month's closed days for the
manager's home (``appraisal/reports/rollups.py``).

Run it each night (cron, after 01:00) and after loading data with the triggers off; the
report keeps a missing or stale month itself too, on first view, and the home its days.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from appraisal.reports import figures


class Command(BaseCommand):
    help = "Count and keep the monthly report's closed months that are missing or stale."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=25,
                            help="how many months back from the last closed one (25)")
        parser.add_argument("--force", action="store_true",
                            help="count every month again, fresh or not")

    def handle(self, *args, months: int, force: bool, **options):
        month = timezone.localdate().replace(day=1)
        wanted: list[date] = []
        for _i in range(months):
            month = (month.replace(day=1) - date.resolution).replace(day=1)
            wanted.append(month)
        kept = figures.keep_months(sorted(wanted), force=force)
        self.stdout.write(f"Kept {len(kept)} month(s): "
                          + (", ".join(f"{m:%Y-%m}" for m in kept) or "none needed"))
        now = timezone.now()
        days = figures.closed_days(figures.Period.month(timezone.localdate(now)), now)
        figures.keep_days(days, now=now, force=force)
        self.stdout.write(f"This month's {len(days)} closed day(s) kept for the home.")
