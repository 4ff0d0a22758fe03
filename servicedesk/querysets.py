"""Row-level scoping: who sees which service point's records."""

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can limit itself to what a user may see.

    A model names the lookup that leads to its service point in ``service_point_path``
    (``"service_point"``, ``"premises__service_point"``, ``"pk"`` for ServicePoint
    itself), or ``None`` when its rows are not tied to one service point. Staff with a
    service point see that point's rows; staff without one (managers, the call desk)
    see all. Models with further rules (an installer sees only the work dispatched to
    them) override :meth:`restrict` in their own queryset and call ``super()``.
    """

    def restrict(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.service_point_id is None:
            return self
        path = getattr(self.model, "service_point_path", None)
        if path is None:
            return self
        return self.filter(**{path: user.service_point_id})
