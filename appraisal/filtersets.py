import django_filters
from django.utils.translation import gettext_lazy as _

from appraisal.models import CallReview, RewardKind, RewardPenalty, Scorecard, ScorecardState
from servicedesk.filtersets import BaseFilterSet
from servicedesk.roles import Role


class ScorecardFilterSet(BaseFilterSet):
    state = django_filters.ChoiceFilter(label=_("state"), choices=ScorecardState.choices)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta:
        model = Scorecard
        fields = ["state", "role", "service_point"]

    def search(self, queryset, name, value):
        return queryset.filter(staff__full_name__icontains=value)


class ReviewFilterSet(BaseFilterSet):
    class Meta:
        model = CallReview
        fields = ["is_calibration", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(agent__full_name__icontains=value)


class RewardPenaltyFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=RewardKind.choices)

    class Meta:
        model = RewardPenalty
        fields = ["kind"]

    def search(self, queryset, name, value):
        return (queryset.filter(number=value) | queryset.filter(person__full_name__icontains=value))


class TemplateFilterSet(BaseFilterSet):
    class Meta:
        from appraisal.models import ScorecardTemplate

        model = ScorecardTemplate
        fields = ["kind"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)
