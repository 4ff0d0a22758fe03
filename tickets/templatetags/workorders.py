"""Display helpers of the work order pages."""

from django import template

from tickets.models.workorders import WorkOrderState

register = template.Library()


@register.filter
def wo_state(value: str) -> str:
    """The label of a work order state value (status-change rows store the value)."""
    return WorkOrderState(value).label if value in WorkOrderState.values else value
