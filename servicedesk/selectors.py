"""Reads shared by the core's views."""

from servicedesk.models import ServicePoint, User


def staff_roster(service_point: ServicePoint):
    """Active staff working at ``service_point``, with their groups, in one query each."""
    return (
        User.objects.filter(is_active=True, service_point=service_point)
        .prefetch_related("groups")
        .order_by("staff_no", "username")
    )
