"""The shared core: service points, staff users, login throttling."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from servicedesk.audit import audited
from servicedesk.querysets import RestrictedQuerySet
from servicedesk.roles import Role


@audited()
class ServicePoint(models.Model):
    """A compound served by the center (营业点): its account code and fault area mark."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    code = models.CharField(
        _("account code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^[a-z]{1,4}$", _("Use 1 to 4 lowercase letters."))],
        help_text=_("Lowercase letters that start account names and serials, e.g. dw."),
    )
    fault_mark = models.CharField(
        _("fault area mark"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{1,4}$", _("Use 1 to 4 capital letters."))],
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    service_point_path = "pk"

    class Meta:
        ordering = ["code"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("servicepoint_detail", args=[self.pk])


class StaffQuerySet(RestrictedQuerySet):
    pass


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    pass


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    """A member of staff. The role is the user's group; no service point means all."""

    full_name = models.CharField(_("full name"), max_length=40)
    staff_no = models.CharField(_("staff number"), max_length=16, unique=True, null=True,
                                blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Empty for staff who work for every service point."),
    )

    objects = StaffManager()
    service_point_path = "service_point"

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        permissions = [("view_history", _("Can read the change history of records"))]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role(self) -> Role | None:
        """The user's role: the first role group the user belongs to."""
        names = {g.name for g in self.groups.all()}
        return next((role for role in Role if role.value in names), None)

    @property
    def scope_label(self) -> str:
        return self.service_point.name if self.service_point_id else str(_("All service points"))


class LoginFailure(models.Model):
    """One failed login, kept for throttling (see ``servicedesk.auth``)."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"
