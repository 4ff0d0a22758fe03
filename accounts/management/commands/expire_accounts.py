import pghistory
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.services import broadband_expire_due, broadband_resume_due


class Command(BaseCommand):
    help = (
        "Daily account housekeeping: resume broadband suspensions whose months are over, "
        "then cut off active broadband accounts past their expiry date (到期停机). "
        "Idempotent: running it twice a day changes nothing the second time. "
        "Run it from cron shortly after midnight, e.g. "
        "'5 0 * * * cd /srv/servicedesk && .venv/bin/python manage.py expire_accounts'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="today", default=None,
            help="Act as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args, today=None, **options):
        day = timezone.localdate()
        if today:
            from datetime import date

            day = date.fromisoformat(today)
        with pghistory.context(command="expire_accounts"):
            resumed = broadband_resume_due(today=day)
            expired = broadband_expire_due(today=day)
        self.stdout.write(f"{day}: {resumed} suspension(s) ended, {expired} account(s) expired")
