"""The main menu is rendered once per process for each permission set
(``servicedesk.templatetags.sd.navigation``): what a user sees follows a change of their
groups or permissions at the next page, and is what a fresh rendering gives."""

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import Group, Permission
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from servicedesk.roles import Role

pytestmark = pytest.mark.django_db


def _menu(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return html.split('id="nav"', 1)[1].split('class="ms-auto d-flex', 1)[0]


def test_the_menu_follows_a_change_of_groups_or_permissions(client, clerk):
    month = f'href="{reverse("appraisal:month")}"'
    client.force_login(clerk)
    assert month not in _menu(client)
    clerk.groups.set([Group.objects.get(name=Role.MANAGER.value)])
    assert month in _menu(client)
    clerk.groups.set([Group.objects.get(name=Role.CLERK.value)])
    assert month not in _menu(client)
    clerk.user_permissions.add(Permission.objects.get(codename="sign_scorecard"))
    assert month in _menu(client)


def test_the_kept_menu_is_a_fresh_rendering(users, rf):
    tag = engines["django"].from_string("{% load sd %}{% navigation %}")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name, user in users.items():
                request = rf.get("/")
                request.user = user
                fresh = render_to_string("navigation.html", {"perms": PermWrapper(user)})
                for _twice in range(2):  # the second comes from the kept menus
                    assert tag.render({"user": user}, request) == fresh, (language, name)
    with translation.override("en"):
        english = tag.render({"user": users["manager"]})
    assert "Month scorecards" in english and "Month scorecards" not in tag.render(
        {"user": users["manager"]})
