"""Benchmark: generate a month of scorecards for the scale dataset's staff (≈200).

    DEV_DATABASE_NAME=servicedesk_bench python bench/appraisal_generate.py [--runs 3]

Runs against the bench database that ``bench/run.py`` (``make bench``) fills. Each run
deletes the latest month's scorecards and generates them again inside a transaction that
is rolled back, so it can be rerun any number of times and leaves the data as it was.
Budget: under 5 s for 200 staff (issue 7). Prints each run, the staff count and the
queries; exits 1 over budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
os.environ.setdefault("DEV_DATABASE_NAME", "servicedesk_bench")

BUDGET_S = 5.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scored-roles-only", action="store_true",
                        help="only staff whose role has a default template (clerks, agents); "
                             "by default every active staff member is scored, as for 200")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from appraisal import services
    from appraisal.models import Scorecard

    latest = Scorecard.objects.order_by("-month").values_list("month", flat=True).first()
    month = latest or services.previous_month()
    times = []
    for run in range(args.runs):
        with transaction.atomic():
            Scorecard.objects.filter(month=month).delete()
            if not args.scored_roles_only:
                _score_every_role()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                result = services.scorecard_generate_month(month=month)
                elapsed = time.perf_counter() - t0
            transaction.set_rollback(True)
        times.append(elapsed)
        print(f"run {run + 1}: {month:%Y-%m}: {result.created} scorecards in {elapsed:.2f} s, "
              f"{len(queries)} queries")
    worst = max(times)
    print(f"median {statistics.median(times):.2f} s, worst {worst:.2f} s "
          f"(budget {BUDGET_S:.0f} s for 200 staff)")
    return 0 if worst < BUDGET_S else 1


def _score_every_role() -> None:
    """Inside the rolled-back transaction: the clerk template as the default of every role
    that has none (installers, managers), so all the dataset's staff get a scorecard."""
    from django.contrib.auth.models import Group

    from appraisal import services
    from appraisal.models import ScorecardTemplate

    clerk = ScorecardTemplate.objects.get(code="clerk-handbook")
    covered = set(ScorecardTemplate.objects.filter(kind="scorecard", is_default=True)
                  .values_list("role", flat=True))
    for role in Group.objects.exclude(name__in=covered).values_list("name", flat=True):
        copy = services.template_copy(template=clerk, by=None)
        ScorecardTemplate.objects.filter(pk=copy.pk).update(role=role, is_default=True)


if __name__ == "__main__":
    sys.exit(main())
