from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The manager's reports. An app of its own only for the rollup of closed months
    (``models.py``): the figures themselves come from each app's ``reports.py``."""

    name = "appraisal.reports"
    label = "reports"
    verbose_name = _("Manager reports")
