from django import template
from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def history_url(obj) -> str:
    """Link to the audit trail of ``obj`` (content types are cached by Django)."""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("object_history", args=[content_type.pk, obj.pk])


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# Rendered menus by (language, URL prefix and conf, permission set). The menu shows an entry
# when the user holds its permission and nothing else about the user, so two users with the
# same permissions get the same HTML, and a user whose groups or permissions change gets
# another key: nothing to invalidate. A handful of roles and two languages make a few keys;
# the bound only guards against something unforeseen.
_MENUS: dict[tuple, str] = {}
_MENUS_MAX = 64


def _permission_key(user) -> tuple:
    if not user.is_active:
        return ("inactive",)
    if user.is_superuser:  # has_perm() is True for everything: no need to load the set
        return ("superuser",)
    return ("perms", frozenset(user.get_all_permissions()))


@register.simple_tag(takes_context=True)
def navigation(context) -> str:
    """The main menu (navigation.html) for the signed-in user.

    About 50 ``{% url %}`` and permission checks a page for a manager (~5 ms) become a
    dictionary lookup; the permission set is the one the view's permission check has
    loaded already (cached on the user). Under DEBUG the menu is rendered every time so
    that an edited template shows at once."""
    user = context["user"]
    key = (get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF,
           _permission_key(user))
    html = None if settings.DEBUG else _MENUS.get(key)
    if html is None:
        html = render_to_string("navigation.html", {"perms": PermWrapper(user)})
        if len(_MENUS) >= _MENUS_MAX:
            _MENUS.clear()
        _MENUS[key] = html
    return html
