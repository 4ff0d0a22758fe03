"""Tables of the appraisal pages (the month ranking exports to Excel)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from appraisal.models import CallReview, RewardPenalty, Scorecard, ScorecardTemplate
from servicedesk.tables import BaseTable, DateTimeColumn


class ScorecardTable(BaseTable):
    month = tables.DateColumn(format="Y-m", linkify=True)
    staff = tables.Column(verbose_name=_("staff member"), accessor="staff__full_name",
                          order_by=("staff__username",))
    total = tables.Column()

    class Meta(BaseTable.Meta):
        model = Scorecard
        orderable = False
        fields = ["month", "staff", "role", "service_point", "template_name", "total",
                  "max_total", "complaints", "pay_deduction", "state"]


class RankingTable(BaseTable):
    rank = tables.Column(verbose_name=_("rank"), accessor="rank", orderable=False)
    staff = tables.Column(verbose_name=_("staff member"), accessor="staff__full_name",
                          linkify=lambda record: record.get_absolute_url(), orderable=False)
    staff_no = tables.Column(verbose_name=_("staff number"), accessor="staff__staff_no",
                             orderable=False)
    total = tables.Column(orderable=False)
    proposed_total = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = Scorecard
        orderable = False
        fields = ["rank", "staff", "staff_no", "role", "service_point", "template_name",
                  "proposed_total", "total", "max_total", "complaints",
                  "median_transaction_seconds", "call_quality_average", "performance_pay",
                  "pay_deduction", "state"]
        sequence = fields
        row_attrs = {"class": lambda record: "table-danger" if record.is_demoted else ""}

    def render_role(self, value):
        from servicedesk.roles import Role

        return Role(value).label if value in Role.values else value


class ReviewTable(BaseTable):
    call_at = DateTimeColumn(format="Y-m-d H:i", linkify=True)
    final_score = tables.Column()

    class Meta(BaseTable.Meta):
        model = CallReview
        orderable = False
        fields = ["call_at", "agent", "reviewer", "raw_score", "final_score", "is_calibration",
                  "state"]


class RewardPenaltyTable(BaseTable):
    number = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = RewardPenalty
        orderable = False
        fields = ["number", "on", "kind", "person", "reason", "handling", "amount", "points",
                  "recorder"]


class TemplateTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ScorecardTemplate
        orderable = False
        fields = ["name", "kind", "scheme", "role", "is_default", "demotion_below", "source"]
