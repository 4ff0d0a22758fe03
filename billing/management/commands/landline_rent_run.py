"""Charge every landline its monthly rent and add-ons and grant package call credit.

Run on the 1st (cron: ``0 1 1 * *``); idempotent per line and month, so running it again
(or for a missed month with ``--month``) never charges twice.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.ledger import landline_rent_run


class Command(BaseCommand):
    help = "Monthly rent run for landlines (idempotent per line and month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the current month)")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                first = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise CommandError("--month takes YYYY-MM, e.g. 2026-11") from None
        else:
            first = timezone.localdate().replace(day=1)
        result = landline_rent_run(month=first)
        self.stdout.write(
            f"{first:%Y-%m}: {result.lines} lines, {result.rent_rows} rent and "
            f"{result.add_on_rows} add-on charges (¥{result.charged}), "
            f"{result.already_charged} already charged, {result.credits} credits granted, "
            f"{result.barred} barred")
