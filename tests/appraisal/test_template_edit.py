"""Templates are data: a manager adds and removes items and categories and changes weights
of a template nothing was made with yet; a template in use keeps its structure (copy it
as a new version), and no edit ever changes a signed scorecard."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appraisal import services
from appraisal.models import Scorecard, ScorecardTemplate, TemplateCategory, TemplateItem
from tests.appraisal.conftest import MONTH, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(templates, manager):
    original = ScorecardTemplate.objects.get(code="clerk-handbook")
    return services.template_copy(template=original, by=manager)


def _posted(client, template) -> dict:
    """The edit form as the page posts it unchanged."""
    form = client.get(reverse("appraisal:template_edit", args=[template.pk])).context["form"]
    return {name: ("on" if value is True else value) for name, value in form.initial.items()
            if value is not False and value is not None}


def _edit(client, template, data):
    return client.post(reverse("appraisal:template_edit", args=[template.pk]), data)


def test_add_and_remove_items_and_a_category(client, copy, manager,
                                             django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("appraisal:template_edit", args=[copy.pk])).status_code == 200
    attendance = copy.categories.get(code="attendance")
    learning = copy.categories.get(code="learning")
    doomed = attendance.items.get(code="c")
    data = _posted(client, copy)
    data[f"item_{doomed.pk}_delete"] = "on"
    data.update({f"new_{attendance.pk}_name": "仪容仪表", f"new_{attendance.pk}_max_points": "30",
                 f"new_{attendance.pk}_mode": "award",
                 f"new_{attendance.pk}_description": "按规定着装"})
    # a new category of 10 needs 10 taken elsewhere: learning 20 → 10
    data[f"cat_{learning.pk}_weight"] = "10"
    data.update({"newcat_name": "安全生产", "newcat_weight": "10",
                 "newcat_item_name": "消防检查", "newcat_item_max_points": "100",
                 "newcat_item_mode": "award"})
    response = _edit(client, copy, data)
    assert response.status_code == 302, response.context["form"].errors
    assert not TemplateItem.objects.filter(pk=doomed.pk).exists()
    added = attendance.items.get(name="仪容仪表")
    assert (added.max_points, added.description) == (Decimal(30), "按规定着装")
    assert added.code and added.code not in {"a", "b"}
    new_category = copy.categories.get(name="安全生产")
    assert new_category.weight == 10 and new_category.items.get().name == "消防检查"
    assert sum(c.weight for c in copy.categories.all()) == 100
    # remove the new category again, weight back to learning
    data = _posted(client, copy)
    data[f"cat_{new_category.pk}_delete"] = "on"
    data[f"cat_{learning.pk}_weight"] = "20"
    assert _edit(client, copy, data).status_code == 302
    assert not TemplateCategory.objects.filter(pk=new_category.pk).exists()


def test_weights_max_points_and_empty_categories_are_checked(client, copy, manager):
    client.force_login(manager)
    attendance = copy.categories.get(code="attendance")
    item = attendance.items.first()
    cases = [
        ({f"cat_{attendance.pk}_weight": "15"}, None, "105"),
        ({f"item_{item.pk}_max_points": "0"}, f"item_{item.pk}_max_points", "0"),
        ({f"new_{attendance.pk}_name": "新项目"}, f"new_{attendance.pk}_max_points", ""),
        ({f"item_{i.pk}_delete": "on" for i in attendance.items.all()}, None,
         attendance.name),
        ({"newcat_name": "新类别", "newcat_weight": "0"}, "newcat_item_name", ""),
    ]
    for change, field, text in cases:
        data = {**_posted(client, copy), **change}
        response = _edit(client, copy, data)
        assert response.status_code == 400, change
        form = response.context["form"]
        errors = form.errors[field] if field else form.non_field_errors()
        assert errors and text in " ".join(errors), (change, form.errors)
    copy.refresh_from_db()
    assert attendance.items.count() == 3 and attendance.weight == 10  # nothing saved


def test_a_template_in_use_keeps_its_structure(client, month_of_evidence, manager, clerk):
    services.scorecard_generate_month(month=MONTH, only_staff=[clerk.pk])
    card = services.scorecard_sign(scorecard=Scorecard.objects.get(staff=clerk), by=manager)
    template = card.template
    lines_before = list(card.lines.values_list("name", "max_points", "category_weight"))
    client.force_login(manager)
    page = client.get(reverse("appraisal:template_edit", args=[template.pk]))
    html = page.content.decode()
    assert 'id="template-in-use"' in html and "cat_" not in "".join(page.context["form"].fields)
    # a form opened before the first scorecard: refused, with the reason
    category = template.categories.first()
    response = _edit(client, template, {"name": template.name, "is_default": "on",
                                        "is_active": "on", f"cat_{category.pk}_weight": "50"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        services.template_in_use_message(1)]
    assert TemplateCategory.objects.get(pk=category.pk).weight == category.weight
    # its name and flags may change
    response = _edit(client, template, {"name": "营业员考评(旧)", "is_default": "on",
                                        "is_active": "on"})
    assert response.status_code == 302
    # the service refuses too, whatever calls it
    with pytest.raises(services.ValidationError):
        services.template_update(template=template, by=manager, name=template.name,
                                 is_default=True, is_active=True,
                                 delete_items={category.items.first().pk})
    # a new version is edited freely; the signed scorecard never changes
    new = services.template_copy(template=template, by=manager)
    data = _posted(client, new)
    item = new.categories.get(code="attendance").items.get(code="a")
    data[f"item_{item.pk}_name"] = "出勤(新)"
    data[f"item_{item.pk}_max_points"] = "50"
    data[f"item_{new.categories.get(code='attendance').items.get(code='b').pk}_max_points"] = "20"
    assert _edit(client, new, data).status_code == 302
    card.refresh_from_db()
    assert list(card.lines.values_list("name", "max_points", "category_weight")) == lines_before


def test_only_managers_edit_templates(client, copy, users):
    from tests.viewtests import assert_access

    assert_access(client, reverse("appraisal:template_edit", args=[copy.pk]), users,
                  allowed={"manager"})


def test_a_rubrics_fatal_errors_are_edited_like_its_items(client, templates, manager, agent,
                                                          points, make_fault):
    """The seed's fatal-error list is data: renamed, removed, one added on a new version of
    the rubric; a rubric a review was made with keeps its list."""
    rubric = services.template_copy(
        template=ScorecardTemplate.objects.get(code="call-quality"), by=manager)
    first, second = list(rubric.fatal_errors.all())[:2]
    count = rubric.fatal_errors.count()
    client.force_login(manager)
    page = client.get(reverse("appraisal:template_edit", args=[rubric.pk]))
    assert f'name="fatal_{first.pk}_name"' in page.content.decode()
    data = _posted(client, rubric)
    data.update({f"fatal_{first.pk}_name": "辱骂客户", f"fatal_{second.pk}_delete": "on",
                 "newfatal_name": "泄露客户信息"})
    response = _edit(client, rubric, data)
    assert response.status_code == 302, response.context["form"].errors
    names = list(rubric.fatal_errors.values_list("name", flat=True))
    assert len(names) == count and names[0] == "辱骂客户" and names[-1] == "泄露客户信息"
    assert second.name not in names
    new = rubric.fatal_errors.get(name="泄露客户信息")
    assert new.code and new.code not in {first.code, second.code}
    # an empty name is refused on its field
    response = _edit(client, rubric, {**_posted(client, rubric), f"fatal_{first.pk}_name": " "})
    assert response.status_code == 400 and response.context["form"].errors[
        f"fatal_{first.pk}_name"]
    # a scorecard template has no fatal errors to edit
    form = client.get(reverse("appraisal:template_edit", args=[
        services.template_copy(template=ScorecardTemplate.objects.get(code="clerk-handbook"),
                               by=manager).pk])).context["form"]
    assert form.fatal_errors is None and "newfatal_name" not in form.fields
    # once a review scored with it, the list stays as it is
    services.review_create(rubric=rubric, agent=agent, reviewer=manager,
                           call_at=sh(2026, 10, 12, 10), points=points(100),
                           fault=make_fault(agent, sh(2026, 10, 12, 9)))
    with pytest.raises(ValidationError):
        services.template_update(template=rubric, by=manager, name=rubric.name,
                                 is_default=False, is_active=True, new_fatal_error="新的")
    assert rubric.fatal_errors.count() == count
