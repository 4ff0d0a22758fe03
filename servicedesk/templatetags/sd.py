from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj) -> str:
    """Link to the audit trail of ``obj`` (content types are cached by Django)."""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("object_history", args=[content_type.pk, obj.pk])


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
