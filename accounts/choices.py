from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import rules


class Service(models.TextChoices):
    BROADBAND = rules.BROADBAND, _("Broadband")
    LANDLINE = rules.LANDLINE, _("Landline")


class Term(models.TextChoices):
    MONTHLY = rules.MONTHLY, _("Monthly")
    ANNUAL = rules.ANNUAL, _("Annual")
    PACKAGE = rules.PACKAGE, _("Package")


class SubscriberKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class BroadbandState(models.TextChoices):
    PENDING = "pending", _("Pending install")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    CLOSED = "closed", _("Closed")


class LandlineState(models.TextChoices):
    PENDING = "pending", _("Pending install")
    ACTIVE = "active", _("Active")
    BARRED = "barred", _("Barred (arrears)")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


# States in which an account still occupies its premises / number.
OPEN_BROADBAND_STATES = [
    BroadbandState.PENDING, BroadbandState.ACTIVE, BroadbandState.SUSPENDED,
    BroadbandState.EXPIRED,
]
OPEN_LANDLINE_STATES = [
    LandlineState.PENDING, LandlineState.ACTIVE, LandlineState.BARRED, LandlineState.SUSPENDED,
]
