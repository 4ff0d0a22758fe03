"""Import a call detail record CSV (the format is in billing/cdr.py) and rate it.

Idempotent by call ID: importing the same file again charges nothing twice. Rejected rows
are listed with their line numbers; the good rows are rated anyway.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing import cdr


class Command(BaseCommand):
    help = "Import and rate a call detail record CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--chunk", type=int, default=20000, help="lines per transaction")
        parser.add_argument("--show-rejected", type=int, default=20,
                            help="how many rejected rows to print")

    def handle(self, *args, path, chunk, show_rejected, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            job = cdr.cdr_import_create(user=None, file_name=file.name, data=file.read_bytes())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

        verbosity = options.get("verbosity", 1)

        def progress(job):
            if verbosity > 1:
                self.stderr.write(f"  {job.percent}% ({job.rows_read} rows)")

        job = cdr.cdr_import_run(cdr_import=job, max_lines=chunk, progress=progress)
        self.stdout.write(
            f"import #{job.pk}: {job.rows_read} rows read, {job.rated} rated, "
            f"{job.skipped} skipped (already imported), {job.flagged} flagged, "
            f"{job.rejected} rejected; charged ¥{job.total_charged} "
            f"(+¥{job.credit_used} from package credit)")
        for rejection in job.rejections.all()[:show_rejected]:
            self.stdout.write(f"  line {rejection.line}: {rejection.reason}")
