from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from servicedesk import scale


class Command(BaseCommand):
    help = (
        "Fill the database with realistic volumes proportional to --subscribers (service "
        "points, staff, subscribers, accounts…) for benchmarks. Empties the tables it fills; "
        "refuses when they hold other data, or with DEBUG off, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subscribers", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="The 'today' of the generated history (default: today).")
        parser.add_argument("--force", action="store_true",
                            help="Destroy data the generator did not make; run with DEBUG off.")
        parser.add_argument("--keep-indexes", action="store_true",
                            help="Load with the secondary indexes in place (slower; to compare).")
        parser.add_argument("--no-vacuum", action="store_true",
                            help="ANALYZE only; skip the VACUUM after the load.")

    def handle(self, *args, subscribers, seed, as_of, force, keep_indexes, no_vacuum,
               **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to generate scale data with DEBUG off: it empties the register and "
                "its staff share the public demo password. Use --force on a database meant "
                "for benchmarks."
            )
        try:
            summary = scale.run(subscribers=subscribers, seed=seed, as_of=as_of, force=force,
                                stdout=self.stdout, stderr=self.stderr,
                                drop_indexes=not keep_indexes, vacuum=not no_vacuum)
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        for table, count in sorted(summary["counts"].items()):
            self.stdout.write(f"  {table:<40} {count:>12,}")
        timings = " · ".join(f"{k} {v:.1f} s" for k, v in summary["timings"].items())
        self.stdout.write(f"  {timings}")
        self.stdout.write(self.style.SUCCESS(
            f"Generated {summary['rows']:,} rows for {subscribers:,} subscribers (seed {seed}, "
            f"as of {summary['as_of']}) in {summary['seconds']:.1f} s: "
            f"{summary['rows_per_second']:,.0f} rows/s, peak RSS {summary['peak_rss_mb']:.0f} MB."
        ))
