"""Retention (004 4.12: 考评记录保存期限为2年): delete appraisal records older than 2 years.

    manage.py purge_appraisal            # what would go (nothing is deleted)
    manage.py purge_appraisal --delete   # delete them (the audit trail records the deletes)
"""

from __future__ import annotations

import pghistory
from django.core.management.base import BaseCommand
from django.db import transaction

from appraisal import services


class Command(BaseCommand):
    help = ("Delete scorecards, call-quality reviews, disputes, reward/penalty records and "
            "year-end reviews older than the 2-year retention period. Dry run without --delete.")

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="really delete")
        parser.add_argument("--years", type=int, default=services.RETENTION_YEARS)

    def handle(self, *args, delete=False, years=2, **options):
        with transaction.atomic(), pghistory.context(command="purge_appraisal"):
            counts = services.purge_older_than(years=years)
            if not delete:
                transaction.set_rollback(True)
        cutoff = counts.pop("cutoff")
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        verb = "deleted" if delete else "would delete (dry run, use --delete)"
        self.stdout.write(f"before {cutoff}: {verb}: {summary}")
