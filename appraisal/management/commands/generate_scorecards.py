"""Monthly scorecards: run on the 1st (cron) for the previous month. Idempotent."""

from __future__ import annotations

from datetime import date

import pghistory
from django.core.management.base import BaseCommand, CommandError

from appraisal import services


class Command(BaseCommand):
    help = ("Create a draft scorecard, filled with evidence, for every active staff member "
            "for a month (default: the previous month). Running it again creates nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the previous month)")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                y, m = (int(x) for x in month.split("-"))
                target = date(y, m, 1)
            except ValueError as exc:
                raise CommandError("--month must be YYYY-MM") from exc
        else:
            target = services.previous_month()
        with pghistory.context(command="generate_scorecards"):
            result = services.scorecard_generate_month(month=target)
        self.stdout.write(f"{target:%Y-%m}: {result.created} created, {result.existing} "
                          f"existed already, {result.without_template} staff without a "
                          f"template")
