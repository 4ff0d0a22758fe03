"""Scale data of the appraisal (``manage.py generate_scale_data``): twelve months of
scorecards for every clerk and agent of the generated staff, made by the real service
(``scorecard_generate_month``: one evidence query per kind for all staff), so the month
view and the ranking are measured over realistic rows. Older months are signed and
acknowledged, the last one is left a draft."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appraisal import services
from appraisal.models import Scorecard, ScorecardEvidence, ScorecardLine, ScorecardState
from servicedesk.scale import ScaleContext, generator

MONTHS = 12  # at N >= 10,000 (the bench); one month at the test suite's small N


@generator(fills=[Scorecard, ScorecardLine, ScorecardEvidence])
def generate(ctx: ScaleContext) -> str:
    from servicedesk.models import User

    services.templates_load_defaults()  # the migration loaded them; a no-op then
    last = services.previous_month(ctx.as_of)
    months = [last]
    while len(months) < (MONTHS if ctx.n >= 10_000 else 1):
        months.append(services.previous_month(months[-1]))
    months.reverse()
    now = timezone.make_aware(datetime.combine(ctx.as_of, time(9)))
    manager = User.objects.filter(username="manager").first()
    created = 0
    only = None
    if ctx.n < 10_000:  # the suite's small datasets: a dozen people are enough
        only = list(User.objects.filter(groups__name__in=["clerk", "agent"])
                    .order_by("id").values_list("id", flat=True)[:12])
    for month in months:
        created += services.scorecard_generate_month(month=month, now=now,
                                                     only_staff=only).created
    if manager is not None:
        signed_at = timezone.make_aware(datetime.combine(last, time(10)))
        (Scorecard.objects.filter(month__lt=last)
         .update(state=ScorecardState.ACKNOWLEDGED, signed_by=manager, signed_at=signed_at,
                 acknowledged_at=signed_at + timedelta(days=1)))
    for model in (Scorecard, ScorecardLine, ScorecardEvidence):
        ctx.record(model, model.objects.count())
    return f"{created:,} scorecards over {len(months)} months"


def month_to_regenerate(as_of: date) -> date:
    return services.previous_month(as_of)
