"""The monthly report's rollup of closed months (see ``rollups.py``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportMonth(models.Model):
    """A closed month's change counter. Database triggers on the tables the monthly report
    counts (orders and their callbacks, faults, complaints with their history and
    callbacks, cases, receipts, daily closes) add one to ``version`` whenever a row of a
    closed month is written or deleted; the month's figures below are trusted only while
    they were computed at the current version (migration 0001 of this app)."""

    month = models.DateField(_("month"), primary_key=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("report month")
        verbose_name_plural = _("report months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"


class KeptFigures(models.Model):
    """What a kept period holds for one service point: the figures as the report's
    aggregations computed them (``service_point`` None: faults of a carrier desk with no
    compound on file), the version they were counted at and when they expire. Plain ids,
    not foreign keys: a rollup is derived data, never a reason to keep or cascade a
    service point."""

    service_point_id = models.BigIntegerField(_("service point"), null=True)
    version = models.PositiveIntegerField(_("version"))
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    valid_until = models.DateTimeField(
        _("valid until"), null=True,
        help_text=_("The first deadline of the month's records still to come (a fault's "
                    "12 hours, a complaint's clock, an order's install time): a figure "
                    "counted against 'now' may change then."))

    class Meta:
        abstract = True


class MonthFigures(KeptFigures):
    """One service point's figures of one closed month."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("month figures")
        verbose_name_plural = _("month figures")
        constraints = [
            models.UniqueConstraint(fields=["month", "service_point_id"],
                                    nulls_distinct=False, name="monthfigures_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.service_point_id}"


class ReportDay(models.Model):
    """A closed day's change counter, as :class:`ReportMonth` for a month: the same
    triggers add one to it when a row of a day that has ended is written or deleted
    (migration 0002). The manager's home adds up this month's closed days."""

    day = models.DateField(_("day"), primary_key=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("report day")
        verbose_name_plural = _("report days")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} v{self.version}"


class DayFigures(KeptFigures):
    """One service point's figures of one closed day (the home's "this month" is the sum
    of its closed days and the live rest), trusted as :class:`MonthFigures` are."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("day figures")
        verbose_name_plural = _("day figures")
        constraints = [
            models.UniqueConstraint(fields=["day", "service_point_id"],
                                    nulls_distinct=False, name="dayfigures_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} · {self.service_point_id}"
