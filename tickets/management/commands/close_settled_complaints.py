import pghistory
from django.core.management.base import BaseCommand

from tickets.services.calldesk import close_settled_complaints


class Command(BaseCommand):
    help = (
        "Close complaints answered a week ago or more with no repeat complaint since "
        "(complaint handling 002: 处理完毕后一周内无再次投诉作为投诉关闭的判断依据). "
        "A repeat complaint or a dissatisfied callback reopens a complaint, so only "
        "complaints still answered a week later close. Idempotent and safe to run "
        "concurrently (rows in use are skipped and picked up next time): run it every "
        "few minutes from cron, e.g. "
        "'*/10 * * * * cd /srv/servicedesk && .venv/bin/python manage.py "
        "close_settled_complaints --quiet'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true",
                            help="Print nothing when no complaint was closed.")

    def handle(self, *args, quiet=False, **options):
        with pghistory.context(command="close_settled_complaints"):
            closed = close_settled_complaints()
        if closed or not quiet:
            self.stdout.write(f"close_settled_complaints: {closed} complaint(s) closed")
