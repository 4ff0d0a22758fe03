"""Every write of the appraisal app: one transaction each, validated, audited (the models
are ``@audited``: pghistory triggers record who changed what from which request).

Scorecard workflow (``SCORECARD_TRANSITIONS``)::

    draft ──sign──► signed ──acknowledge──► acknowledged
                      │ ▲
               dispute│ │decide (accept / partly: rescored; reject)
                      ▼ │
                    disputed
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal import evidence as ev
from appraisal.models import (
    CallReview,
    Dispute,
    DisputeDecision,
    EvidenceKind,
    FatalError,
    ItemMode,
    ReviewState,
    RewardKind,
    RewardPenalty,
    RewardPenaltyCounter,
    Scheme,
    Scorecard,
    ScorecardEvidence,
    ScorecardLine,
    ScorecardState,
    ScorecardTemplate,
    TemplateCategory,
    TemplateItem,
    TemplateKind,
    YearEndReview,
)
from appraisal.rules import call_quality_score, performance_pay_deduction, weighted_total
from servicedesk.idempotency import replayed

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "appraisal_templates.json"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
RETENTION_YEARS = 2  # 考评记录保存期限为2年 (004 4.12)
YEAR_END_WEIGHTS = {"checks": Decimal(20), "monthly": Decimal(30), "year_end": Decimal(50)}

SCORECARD_TRANSITIONS = {
    ScorecardState.DRAFT: {ScorecardState.SIGNED},
    ScorecardState.SIGNED: {ScorecardState.ACKNOWLEDGED, ScorecardState.DISPUTED},
    ScorecardState.DISPUTED: {ScorecardState.SIGNED},
    ScorecardState.ACKNOWLEDGED: set(),
}


class AppraisalError(Exception):
    """A move the workflow does not allow; the view shows the message."""


def default_performance_pay() -> Decimal:
    return Decimal(str(getattr(settings, "APPRAISAL_PERFORMANCE_PAY", "500.00")))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1
            else first.replace(month=first.month - 1))


def _move(card: Scorecard, to: str) -> None:
    if to not in SCORECARD_TRANSITIONS[ScorecardState(card.state)]:
        raise AppraisalError(_("This scorecard is %(state)s: that cannot be done now.")
                             % {"state": card.get_state_display()})
    card.state = to


# --- templates ---------------------------------------------------------------------------


@transaction.atomic
def templates_load_defaults(*, path: Path = FIXTURE, force: bool = False) -> int:
    """Create the seed templates, or with ``force`` update them from the file (by code).
    Idempotent. Without ``force``, templates already present (perhaps edited by a manager)
    are left as they are. A seed template something was made with is never changed (the
    rule of ``template_update``): when the file says something else, the file's version
    is added as a new version (``<code>-v<n>``, the default in its place if the file says
    so), unless one of its versions already says what the file says."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not ScorecardTemplate.objects.exists():
        return _templates_create(data)
    codes = {t["code"] for t in data["templates"]}
    if not force and ScorecardTemplate.objects.filter(code__in=codes).count() == len(codes):
        return 0
    for t in data["templates"]:
        existing = ScorecardTemplate.objects.filter(code=t["code"]).first()
        if existing is not None and template_usage(existing):
            _template_seed_version(t)
            continue
        template, _created = ScorecardTemplate.objects.update_or_create(
            code=t["code"],
            defaults={
                "name": t["name"], "kind": t["kind"], "scheme": t["scheme"],
                "role": t.get("role", ""), "is_default": t.get("is_default", False),
                "demotion_below": t.get("demotion_below"), "source": t.get("source", ""),
                "description": t.get("description", ""),
            },
        )
        for ci, c in enumerate(t["categories"]):
            category, _created = TemplateCategory.objects.update_or_create(
                template=template, code=c["code"],
                defaults={"name": c["name"], "weight": Decimal(c["weight"]), "order": ci})
            for ii, i in enumerate(c["items"]):
                TemplateItem.objects.update_or_create(
                    category=category, code=i["code"],
                    defaults={
                        "name": i["name"], "description": i.get("description", ""),
                        "mode": i.get("mode", ItemMode.AWARD),
                        "max_points": Decimal(i["max_points"]),
                        "evidence": i.get("evidence", ""),
                        "points_per_unit": Decimal(i.get("points_per_unit", "0")),
                        "reconstructed": i.get("reconstructed", False), "order": ii,
                    })
        for fi, f in enumerate(t.get("fatal_errors", [])):
            FatalError.objects.update_or_create(template=template, code=f["code"],
                                                defaults={"name": f["name"], "order": fi})
        template_check(template)
    return len(data["templates"])


def _seed_shape(t: dict) -> tuple:
    """What a seed template says, comparable with ``_stored_shape``."""
    def dec(value) -> Decimal:
        return Decimal(str(value)).quantize(CENT)

    return (
        (t["kind"], t["scheme"], t.get("role", ""),
         None if t.get("demotion_below") is None else dec(t["demotion_below"]),
         t.get("source", ""), t.get("description", "")),
        tuple((c["code"], c["name"], dec(c["weight"]), tuple(
            (i["code"], i["name"], i.get("description", ""), i.get("mode", ItemMode.AWARD),
             dec(i["max_points"]), i.get("evidence", ""), dec(i.get("points_per_unit", "0")),
             i.get("reconstructed", False)) for i in c["items"]))
            for c in t["categories"]),
        tuple((f["code"], f["name"]) for f in t.get("fatal_errors", [])),
    )


def _stored_shape(template: ScorecardTemplate) -> tuple:
    def dec(value) -> Decimal | None:
        return None if value is None else value.quantize(CENT)

    categories = template.categories.prefetch_related("items")
    return (
        (template.kind, template.scheme, template.role,
         dec(template.demotion_below), template.source, template.description),
        tuple((c.code, c.name, dec(c.weight), tuple(
            (i.code, i.name, i.description, i.mode, dec(i.max_points), i.evidence,
             dec(i.points_per_unit), i.reconstructed) for i in c.items.all()))
            for c in categories),
        tuple(template.fatal_errors.values_list("code", "name")),
    )


def _versions(code: str):
    return ScorecardTemplate.objects.filter(code__regex=rf"^{re.escape(code)}(-v[0-9]+)?$")


def _next_version(code: str) -> int:
    n = 2
    while ScorecardTemplate.objects.filter(code=f"{code}-v{n}"[:40]).exists():
        n += 1
    return n


def _template_seed_version(t: dict) -> ScorecardTemplate | None:
    """The seed ``t`` as a new version of its template, which is in use; nothing when a
    version (the template or one of its copies) already says what the seed says, names
    aside (a scorecard is made with the categories and items, not the name)."""
    shape = _seed_shape(t)
    if any(_stored_shape(version) == shape for version in _versions(t["code"])):
        return None
    n = _next_version(t["code"])
    if t.get("is_default"):
        ScorecardTemplate.objects.filter(kind=t["kind"], role=t.get("role", ""),
                                         is_default=True).update(is_default=False)
    _templates_create({"templates": [
        {**t, "code": f"{t['code']}-v{n}"[:40], "name": f"{t['name']} v{n}"[:80]}]})
    return ScorecardTemplate.objects.get(code=f"{t['code']}-v{n}"[:40])


def _templates_create(data: dict) -> int:
    """First load into empty tables: a handful of bulk inserts instead of ~150 upserts."""
    templates = ScorecardTemplate.objects.bulk_create([
        ScorecardTemplate(
            code=t["code"], name=t["name"], kind=t["kind"], scheme=t["scheme"],
            role=t.get("role", ""), is_default=t.get("is_default", False),
            demotion_below=t.get("demotion_below"), source=t.get("source", ""),
            description=t.get("description", ""))
        for t in data["templates"]])
    categories, fatal = [], []
    for template, t in zip(templates, data["templates"], strict=True):
        for ci, c in enumerate(t["categories"]):
            categories.append(TemplateCategory(template=template, code=c["code"],
                                               name=c["name"], weight=Decimal(c["weight"]),
                                               order=ci))
        fatal += [FatalError(template=template, code=f["code"], name=f["name"], order=fi)
                  for fi, f in enumerate(t.get("fatal_errors", []))]
    TemplateCategory.objects.bulk_create(categories)
    FatalError.objects.bulk_create(fatal)
    items = []
    source = [c for t in data["templates"] for c in t["categories"]]
    for category, c in zip(categories, source, strict=True):
        items += [TemplateItem(
            category=category, code=i["code"], name=i["name"],
            description=i.get("description", ""), mode=i.get("mode", ItemMode.AWARD),
            max_points=Decimal(i["max_points"]), evidence=i.get("evidence", ""),
            points_per_unit=Decimal(i.get("points_per_unit", "0")),
            reconstructed=i.get("reconstructed", False), order=ii)
            for ii, i in enumerate(c["items"])]
    TemplateItem.objects.bulk_create(items)
    for template in templates:
        template_check(template)
    return len(templates)


ITEM_FIELDS = ("name", "description", "max_points", "mode", "evidence", "points_per_unit")


def template_usage(template: ScorecardTemplate) -> int:
    """How many scorecards (or, for a rubric, call reviews) were made with the template."""
    if template.kind == TemplateKind.CALL_QUALITY:
        return CallReview.objects.filter(rubric=template).count()
    return Scorecard.objects.filter(template=template).count()


def template_in_use_message(count: int) -> str:
    return _("%(n)d scorecards or reviews were made with this template, so its categories "
             "and items stay as they are: copy it as a new version and edit the copy.") % {
        "n": count}


@transaction.atomic
def template_update(*, template: ScorecardTemplate, by, name: str, is_default: bool,
                    is_active: bool, categories: dict | None = None, items: dict | None = None,
                    delete_items=(), delete_categories=(), new_items: dict | None = None,
                    new_category: dict | None = None, fatal_errors: dict | None = None,
                    delete_fatal_errors=(), new_fatal_error: str = "") -> ScorecardTemplate:
    """A manager edits a template: name, default and active flags, and while no scorecard
    (or review) was made with it, its structure: category names and weights, item fields,
    items and categories added (``new_items``: category id → list of item fields;
    ``new_category``: name, weight and its first ``item``) or removed, and a rubric's fatal
    errors (``fatal_errors``: id → name, ``delete_fatal_errors``, ``new_fatal_error``: a
    name). A template in use
    keeps its structure (a new version is a copy: ``template_copy``), so a scorecard's
    template always says what the scorecard was made with; scorecards keep their own
    snapshot anyway. Checked before anything stays saved: weights sum to 100 (a rubric's
    items to 100 points), max points above 0, every category has an item."""
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    template.name, template.is_active = name, is_active
    if is_default and not template.is_default:
        ScorecardTemplate.objects.filter(kind=template.kind, role=template.role,
                                         is_default=True).update(is_default=False)
    template.is_default = is_default
    template.full_clean()
    template.save()
    if any([categories, items, delete_items, delete_categories, new_items, new_category,
            fatal_errors, delete_fatal_errors, new_fatal_error]):
        used = template_usage(template)
        if used:
            raise ValidationError(template_in_use_message(used))
        _template_restructure(template, categories or {}, items or {}, set(delete_items),
                              set(delete_categories), new_items or {}, new_category)
        _fatal_errors_update(template, fatal_errors or {}, set(delete_fatal_errors),
                             (new_fatal_error or "").strip())
    template_check(template)  # raises: the transaction rolls everything back
    return template


def _item_errors(prefix: str, values: dict) -> dict:
    if values.get("max_points") is None or values["max_points"] <= 0:
        return {f"{prefix}max_points": [_("Max points must be more than 0.")]}
    return {}


def _next_code(taken: set[str], stem: str) -> str:
    n = len(taken) + 1
    while f"{stem}-{n}" in taken:
        n += 1
    taken.add(f"{stem}-{n}")
    return f"{stem}-{n}"


def _template_restructure(template, categories: dict, items: dict, delete_items: set,
                          delete_categories: set, new_items: dict,
                          new_category: dict | None) -> None:
    cats = {c.pk: c for c in template.categories.prefetch_related("items")}
    all_items = {i.pk: i for c in cats.values() for i in c.items.all()}
    if not delete_items <= set(all_items) or not delete_categories <= set(cats):
        raise ValidationError(_("An item or category of another template was posted."))
    errors: dict = {}
    for pk, values in categories.items():
        if pk in cats and pk not in delete_categories:
            category = cats[pk]
            category.name, category.weight = values["name"], values["weight"]
            category.save()
    for pk, values in items.items():
        item = all_items.get(pk)
        if item is None or pk in delete_items or item.category_id in delete_categories:
            continue
        item_errors = _item_errors(f"item_{pk}_", values)
        if item_errors:  # reported below with the others; saving would break the check
            errors.update(item_errors)
            continue
        for field, value in values.items():
            setattr(item, field, (value or "") if field in ("evidence", "description")
                    else value)
        item.save()
    TemplateItem.objects.filter(pk__in=delete_items).delete()
    TemplateCategory.objects.filter(pk__in=delete_categories).delete()
    created = []
    for cat_pk, rows in new_items.items():
        category = cats.get(cat_pk)
        if category is None or cat_pk in delete_categories:
            continue
        taken = {i.code for i in category.items.all()}
        for row in rows:
            errors.update(_item_errors(f"new_{cat_pk}_", row))
            created.append(_new_item(category, row, _next_code(taken, "item"),
                                     order=len(taken)))
    if new_category:
        errors.update(_item_errors("newcat_item_", new_category["item"]))
        category = TemplateCategory.objects.create(
            template=template, name=new_category["name"], weight=new_category["weight"],
            code=_next_code({c.code for c in cats.values()}, "category"),
            order=max((c.order for c in cats.values()), default=0) + 1)
        created.append(_new_item(category, new_category["item"], "item-1", order=0))
    if errors:
        raise ValidationError(errors)
    for item in created:
        item.full_clean()
    TemplateItem.objects.bulk_create(created)
    empty = list(template.categories.filter(items__isnull=True).values_list("name", flat=True))
    if empty:
        raise ValidationError(_("A category needs at least one item (remove the category "
                                "instead): %(names)s.") % {"names": "、".join(empty)})


def _fatal_errors_update(template, names: dict, delete: set, new: str) -> None:
    """A rubric's fatal errors renamed, removed, one added (reviews keep the codes they
    were scored with; this runs only while no review was made with the rubric)."""
    if not (names or delete or new):
        return
    if template.kind != TemplateKind.CALL_QUALITY:
        raise ValidationError(_("Only a call-quality rubric has fatal errors."))
    existing = {f.pk: f for f in template.fatal_errors.all()}
    if not (delete | set(names)) <= set(existing):
        raise ValidationError(_("A fatal error of another template was posted."))
    changed = []
    for pk, name in names.items():
        name = (name or "").strip()
        if pk in delete or not name or existing[pk].name == name:
            continue
        existing[pk].name = name
        changed.append(existing[pk])
    FatalError.objects.bulk_update(changed, ["name"])
    FatalError.objects.filter(pk__in=delete).delete()
    if new:
        FatalError.objects.create(
            template=template, name=new[:120],
            code=_next_code({f.code for f in existing.values()}, "fatal"),
            order=max((f.order for f in existing.values()), default=0) + 1)


def _new_item(category, values: dict, code: str, *, order: int) -> TemplateItem:
    return TemplateItem(category=category, code=code, order=order, name=values["name"],
                        description=values.get("description") or "",
                        max_points=values["max_points"],
                        mode=values.get("mode") or ItemMode.AWARD,
                        evidence=values.get("evidence") or "",
                        points_per_unit=values.get("points_per_unit") or Decimal(0))


@transaction.atomic
def template_copy(*, template: ScorecardTemplate, by) -> ScorecardTemplate:
    """A new version to edit, not the default, with the same categories and items."""
    n = _next_version(template.code)
    categories = list(template.categories.prefetch_related("items"))
    fatal = list(template.fatal_errors.all())
    copy = ScorecardTemplate.objects.create(
        code=f"{template.code}-v{n}"[:40], name=f"{template.name} v{n}"[:80],
        kind=template.kind, scheme=template.scheme, role=template.role, is_default=False,
        demotion_below=template.demotion_below, source=template.source,
        description=template.description)
    for c in categories:
        items = list(c.items.all())
        c.pk, c.template = None, copy
        c.save()
        for i in items:
            i.pk, i.category = None, c
        TemplateItem.objects.bulk_create(items)
    for f in fatal:
        f.pk, f.template = None, copy
    FatalError.objects.bulk_create(fatal)
    return copy


def template_check(template: ScorecardTemplate) -> None:
    """Weights of a weighted scorecard sum to 100; a rubric's items to 100 points."""
    categories = list(template.categories.prefetch_related("items"))
    if template.kind == TemplateKind.CALL_QUALITY:
        total = sum((i.max_points for c in categories for i in c.items.all()), Decimal(0))
        if total != HUNDRED:
            raise ValidationError(_("The rubric's items must total 100 points, not %(n)s.")
                                  % {"n": total})
    elif template.scheme == Scheme.WEIGHTED:
        total = sum((c.weight for c in categories), Decimal(0))
        if total != HUNDRED:
            raise ValidationError(_("Category weights must sum to 100, not %(n)s.")
                                  % {"n": total})


# --- scoring ---------------------------------------------------------------------------------


def propose(line, counts: dict, points: dict, call_quality_average: Decimal | None) -> Decimal:
    """The score the evidence suggests for one item (the manager adjusts it)."""
    mx = line.max_points
    award = line.mode == ItemMode.AWARD
    kind = line.evidence
    if not kind or kind == EvidenceKind.CALLBACKS_DONE:
        value = mx if award else Decimal(0)
    elif kind == EvidenceKind.CALL_QUALITY:
        if call_quality_average is None:
            value = mx if award else Decimal(0)
        else:
            share = mx * call_quality_average / HUNDRED
            value = share if award else mx - share
    elif kind == EvidenceKind.REWARDS:
        value = min(mx, points.get(kind, Decimal(0))) if award else Decimal(0)
    else:
        if kind == EvidenceKind.PENALTIES:
            deduction = points.get(kind, Decimal(0))
        else:
            deduction = line.points_per_unit * counts.get(kind, 0)
        value = max(Decimal(0), mx - deduction) if award else min(mx, deduction)
    return max(Decimal(0), min(mx, value)).quantize(CENT)


def category_scores(lines, scheme: str) -> dict[str, Decimal]:
    """Each category's score: 0-100 for weighted templates, raw points otherwise."""
    by_cat: dict[str, list] = defaultdict(list)
    for line in lines:
        by_cat[line.category_code].append(line)
    result = {}
    for code, items in by_cat.items():
        awards = [i for i in items if i.mode == ItemMode.AWARD]
        deducts = [i for i in items if i.mode == ItemMode.DEDUCT]
        if awards:
            cap = sum((i.max_points for i in awards), Decimal(0))
            raw = sum((i.score for i in awards), Decimal(0))
        else:
            cap = items[0].category_weight if scheme == Scheme.POINTS else HUNDRED
            raw = cap
        raw -= sum((i.score for i in deducts), Decimal(0))
        raw = max(Decimal(0), min(cap, raw))
        if scheme == Scheme.WEIGHTED:
            result[code] = (raw * HUNDRED / cap).quantize(CENT) if cap else Decimal(0)
        else:
            result[code] = raw.quantize(CENT)
    return result


def compute_total(lines, scheme: str, *, attr: str = "score") -> Decimal:
    class _View:
        __slots__ = ("category_code", "category_weight", "mode", "max_points", "score")

    views = []
    for line in lines:
        v = _View()
        v.category_code, v.category_weight = line.category_code, line.category_weight
        v.mode, v.max_points, v.score = line.mode, line.max_points, getattr(line, attr)
        views.append(v)
    scores = category_scores(views, scheme)
    if scheme == Scheme.WEIGHTED:
        weights = {v.category_code: v.category_weight for v in views}
        return weighted_total(scores, weights)
    return sum(scores.values(), Decimal(0)).quantize(CENT)


def _refresh_money(card: Scorecard) -> None:
    card.pay_deduction = performance_pay_deduction(card.complaints, card.quarreled,
                                                   card.performance_pay)


# --- generating a month -----------------------------------------------------------------------


@dataclass
class GenerateResult:
    month: date
    created: int
    existing: int
    without_template: int


def _default_templates() -> dict[str, ScorecardTemplate]:
    templates = (ScorecardTemplate.objects
                 .filter(kind=TemplateKind.SCORECARD, is_default=True, is_active=True)
                 .prefetch_related("categories__items"))
    return {t.role: t for t in templates if t.role}


@transaction.atomic
def scorecard_generate_month(*, month: date, by=None, now: datetime | None = None,
                             only_staff: list[int] | None = None) -> GenerateResult:
    """A draft scorecard for every active staff member whose role has a default template.

    Idempotent: people who already have the month's scorecard are left alone (a second
    click, the 1st-of-month command run twice, two managers at once: an advisory lock
    serialises them).
    """
    from servicedesk.models import User

    month = first_of_month(month)
    today = timezone.localdate()
    if month > today.replace(day=1):
        raise ValidationError({"month": _("A month that has not started cannot be scored.")})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       [7007, month.year * 100 + month.month])
    templates = _default_templates()
    if not templates:
        templates_load_defaults()
        templates = _default_templates()
    existing = set(Scorecard.objects.filter(month=month).values_list("staff_id", flat=True))
    staff_rows = (User.objects.filter(is_active=True, groups__name__in=list(templates))
                  .values_list("id", "service_point_id", "groups__name").order_by("id"))
    if only_staff is not None:  # the scale data of the test suite: a few people
        staff_rows = staff_rows.filter(id__in=only_staff)
    people: dict[int, tuple] = {}
    for uid, sp, role in staff_rows:
        people.setdefault(uid, (sp, role))
    todo = {uid: v for uid, v in people.items() if uid not in existing}
    without = (User.objects.filter(is_active=True).exclude(groups__name__in=list(templates))
               .exclude(groups__name="manager").count())
    if not todo:
        return GenerateResult(month, 0, len(existing), without)
    facts = ev.collect(month, list(todo), now=now)
    pay = default_performance_pay()
    stamp = now or timezone.now()
    cards, plans = [], []
    for uid, (sp, role) in todo.items():
        template = templates[role]
        person = facts[uid]
        lines = []
        for order, (cat, item) in enumerate(
                (c, i) for c in template.categories.all() for i in c.items.all()):
            line = ScorecardLine(
                category_code=cat.code, category_name=cat.name, category_weight=cat.weight,
                code=item.code, name=item.name, description=item.description, mode=item.mode,
                max_points=item.max_points, evidence=item.evidence, order=order,
                evidence_count=(person.counts.get(item.evidence, 0) if item.evidence else 0))
            line.points_per_unit = item.points_per_unit
            line.proposed = line.score = propose(line, person.counts, person.points,
                                                 person.call_quality_average)
            lines.append(line)
        total = compute_total(lines, template.scheme)
        card = Scorecard(
            staff_id=uid, month=month, service_point_id=sp, role=role, template=template,
            template_name=template.name, scheme=template.scheme,
            max_total=(HUNDRED if template.scheme == Scheme.WEIGHTED else sum(
                (c.weight for c in template.categories.all()), Decimal(0))),
            demotion_below=template.demotion_below, proposed_total=total, total=total,
            performance_pay=pay, complaints=person.counts.get(EvidenceKind.COMPLAINTS, 0),
            quarreled=person.quarreled,
            median_transaction_seconds=person.median_transaction_seconds,
            call_quality_average=person.call_quality_average, generated_at=stamp)
        _refresh_money(card)
        cards.append(card)
        plans.append((lines, person.facts))
    Scorecard.objects.bulk_create(cards)
    all_lines, all_facts = [], []
    for card, (lines, facts_) in zip(cards, plans, strict=True):
        for line in lines:
            line.scorecard_id = card.pk
            all_lines.append(line)
        for f in facts_:
            all_facts.append(ScorecardEvidence(scorecard_id=card.pk, kind=f.kind,
                                               label=f.label[:120], detail=f.detail[:200],
                                               url=f.url, at=f.at))
    # COPY: ~3,000 lines for 120 people; the ORM's bulk INSERT spends more time building
    # the statement than the database spends on it (the audit triggers still fire per row)
    _copy(ScorecardLine, ["scorecard_id", "category_code", "category_name", "category_weight",
                          "code", "name", "description", "mode", "max_points", "evidence",
                          "evidence_count", "proposed", "score", "remark", "order"], all_lines)
    _copy(ScorecardEvidence, ["scorecard_id", "kind", "label", "detail", "url", "at"],
          all_facts)
    return GenerateResult(month, len(cards), len(existing), without)


def _copy(model, fields: list[str], objects: list) -> None:
    if not objects:
        return
    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    attnames = [meta.get_field(f).attname for f in fields]
    sql = (f"COPY {connection.ops.quote_name(meta.db_table)} "
           f"({', '.join(connection.ops.quote_name(c) for c in columns)}) FROM STDIN")
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([getattr(obj, a) for a in attnames])


@transaction.atomic
def scorecard_refresh_evidence(*, scorecard: Scorecard, by) -> Scorecard:
    """Collect the evidence of a draft again (records flagged since it was generated);
    proposals are renewed, the manager's scores are kept where they differ."""
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if card.state != ScorecardState.DRAFT:
        raise AppraisalError(_("Only a draft's evidence can be collected again."))
    person = ev.collect(card.month, [card.staff_id])[card.staff_id]
    items = {(i.category.code, i.code): i for i in
             TemplateItem.objects.filter(category__template=card.template_id)
             .select_related("category")}
    lines = list(card.lines.all())
    for line in lines:
        item = items.get((line.category_code, line.code))
        line.points_per_unit = item.points_per_unit if item else Decimal(0)
        untouched = line.score == line.proposed
        line.evidence_count = person.counts.get(line.evidence, 0) if line.evidence else 0
        line.proposed = propose(line, person.counts, person.points, person.call_quality_average)
        if untouched:
            line.score = line.proposed
    ScorecardLine.objects.bulk_update(lines, ["evidence_count", "proposed", "score"])
    card.evidence.all().delete()
    ScorecardEvidence.objects.bulk_create([
        ScorecardEvidence(scorecard=card, kind=f.kind, label=f.label[:120],
                          detail=f.detail[:200], url=f.url, at=f.at) for f in person.facts])
    card.complaints = person.counts.get(EvidenceKind.COMPLAINTS, 0)
    card.quarreled = card.quarreled or person.quarreled
    card.median_transaction_seconds = person.median_transaction_seconds
    card.call_quality_average = person.call_quality_average
    card.proposed_total = compute_total(lines, card.scheme, attr="proposed")
    card.total = compute_total(lines, card.scheme)
    _refresh_money(card)
    card.save()
    return card


def _decimal(value, field: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not result.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return result


def _apply_scores(card: Scorecard, scores: dict, remarks: dict) -> list[ScorecardLine]:
    lines = list(card.lines.all())
    errors = {}
    for line in lines:
        key = f"score_{line.pk}"
        if line.pk in scores:
            try:
                value = _decimal(scores[line.pk], key)
            except ValidationError as exc:
                errors[key] = exc.message_dict[key]
                continue
            if value < 0 or value > line.max_points or value != value.quantize(CENT):
                errors[key] = [_("Between 0 and %(max)s.") % {"max": line.max_points}]
                continue
            line.score = value
        if line.pk in remarks:
            line.remark = (remarks[line.pk] or "")[:200]
    if errors:
        raise ValidationError(errors)
    ScorecardLine.objects.bulk_update(lines, ["score", "remark"])
    card.total = compute_total(lines, card.scheme)
    return lines


@transaction.atomic
def scorecard_score(*, scorecard: Scorecard, by, scores: dict[int, Decimal],
                    remarks: dict[int, str] | None = None, card_remarks: str | None = None,
                    performance_pay: Decimal | None = None, quarreled: bool | None = None
                    ) -> Scorecard:
    """The manager adjusts a draft's item scores (keys: line ids), remarks and pay."""
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if card.state != ScorecardState.DRAFT:
        raise AppraisalError(_("A signed scorecard changes only through an accepted dispute."))
    if performance_pay is not None:
        if performance_pay < 0:
            raise ValidationError({"performance_pay": _("Enter an amount of 0 or more.")})
        card.performance_pay = performance_pay
    if quarreled is not None:
        card.quarreled = quarreled
    if card_remarks is not None:
        card.remarks = card_remarks
    _apply_scores(card, scores, remarks or {})
    _refresh_money(card)
    card.save()
    return card


@transaction.atomic
def scorecard_sign(*, scorecard: Scorecard, by) -> Scorecard:
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if card.state == ScorecardState.SIGNED and card.signed_by_id == by.pk:
        return card  # a double click
    _move(card, ScorecardState.SIGNED)
    card.signed_at, card.signed_by = timezone.now(), by
    card.save()
    return card


def _own(card: Scorecard, by) -> None:
    if card.staff_id != by.pk:
        raise AppraisalError(_("Only the person scored can do that."))


@transaction.atomic
def scorecard_acknowledge(*, scorecard: Scorecard, by, comment: str = "") -> Scorecard:
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    _own(card, by)
    if card.state == ScorecardState.ACKNOWLEDGED:
        return card
    _move(card, ScorecardState.ACKNOWLEDGED)
    card.acknowledged_at = timezone.now()
    card.staff_comment = comment[:500]
    card.save()
    return card


@transaction.atomic
def scorecard_dispute(*, scorecard: Scorecard, by, comment: str) -> Dispute:
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    _own(card, by)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what you disagree with.")})
    if card.state == ScorecardState.DISPUTED:
        return card.disputes.get(decision="")
    _move(card, ScorecardState.DISPUTED)
    card.staff_comment = comment[:500]
    card.save()
    return Dispute.objects.create(scorecard=card, raised_by=by, comment=comment[:500],
                                  total_before=card.total)


@transaction.atomic
def dispute_decide(*, dispute: Dispute, by, decision: str, response: str,
                   scores: dict[int, Decimal] | None = None,
                   remarks: dict[int, str] | None = None,
                   points: dict[str, Decimal] | None = None,
                   fatal_errors: list[str] | None = None,
                   quarreled: bool | None = None) -> Dispute:
    """The manager's answer: accept (rescoring), partly accept (rescoring allowed) or
    reject, always with an answer. A scorecard is rescored through ``scores``/``remarks``
    (keys: line ids) and its quarrel flag ``quarreled`` (which decides whether the month's
    performance pay is forfeited), a call review through ``points``/``fatal_errors``.
    Recorded on the dispute: who, when, the decision, the answer, the score before and
    after and each item changed (the lines and the review are audited as well); the
    scorecard goes back to the staff member signed, the review to the agent submitted."""
    d = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if d.decision:
        raise AppraisalError(_("This dispute has been decided already."))
    if decision not in DisputeDecision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if not response.strip():
        raise ValidationError({"response": _("Give the staff member an answer.")})
    rescoring = decision in (DisputeDecision.ACCEPTED, DisputeDecision.PARTLY)
    changes: list[dict] = []
    if d.scorecard_id:
        card = Scorecard.objects.select_for_update().get(pk=d.scorecard_id)
        before = card.total
        if rescoring and (scores or remarks or quarreled is not None):
            changes = _rescore_card(card, scores or {}, remarks or {}, quarreled)
        _move(card, ScorecardState.SIGNED)
        card.signed_at, card.signed_by = timezone.now(), by
        card.save()
        after = card.total
    else:
        review = CallReview.objects.select_for_update().get(pk=d.review_id)
        before = review.final_score
        if rescoring and (points is not None or fatal_errors is not None):
            changes = _rescore_review(
                review, points if points is not None else review.points,
                fatal_errors if fatal_errors is not None else review.fatal_errors)
        review.state = ReviewState.SUBMITTED
        review.save()
        after = review.final_score
    if decision == DisputeDecision.ACCEPTED and not changes:
        raise ValidationError({"decision": _(
            "Accepting a dispute rescores: change a score (or a remark), or choose partly "
            "accepted or rejected.")})
    d.decision, d.response, d.changes = decision, response[:500], changes
    d.decided_by, d.decided_at = by, timezone.now()
    d.total_before, d.total_after = before, after
    d.save()
    return d


def _points_text(value) -> str:
    return f"{Decimal(str(value)).quantize(CENT):f}"


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _rescore_card(card: Scorecard, scores: dict, remarks: dict,
                  quarreled: bool | None = None) -> list[dict]:
    """Apply a dispute's new scores, remarks and quarrel flag to a signed scorecard (total
    and pay recomputed); return what changed."""
    before = {pk: (score, remark) for pk, score, remark in
              card.lines.values_list("pk", "score", "remark")}
    lines = _apply_scores(card, scores, remarks)
    changes = []
    if quarreled is not None and quarreled != card.quarreled:
        deduction_before = card.pay_deduction
        changes.append({"item": _("quarrel with a customer"), "field": "quarreled",
                        "before": _yes_no(card.quarreled), "after": _yes_no(quarreled)})
        card.quarreled = quarreled
        _refresh_money(card)
        if card.pay_deduction != deduction_before:
            changes.append({"item": _("performance pay deducted"), "field": "pay_deduction",
                            "before": _points_text(deduction_before),
                            "after": _points_text(card.pay_deduction)})
    _refresh_money(card)
    for line in lines:
        old_score, old_remark = before[line.pk]
        label = f"{line.category_name} · {line.name}"
        if line.score != old_score:
            changes.append({"item": label, "field": "score",
                            "before": _points_text(old_score), "after": _points_text(line.score)})
        if line.remark != old_remark:
            changes.append({"item": label, "field": "remark", "before": old_remark,
                            "after": line.remark})
    return changes


def _rescore_review(review: CallReview, points: dict, fatal_errors: list) -> list[dict]:
    """Score a disputed review again (raw and final via ``call_quality_score``); return
    what changed."""
    old_points, old_fatal = dict(review.points), list(review.fatal_errors)
    items = _score_review(review, points, fatal_errors)
    changes = []
    for code, item in items.items():
        old = Decimal(str(old_points.get(code, 0)))
        new = Decimal(str(review.points.get(code, 0)))
        if old != new:
            changes.append({"item": f"{item.category.name} · {item.name}", "field": "points",
                            "before": _points_text(old), "after": _points_text(new)})
    if sorted(old_fatal) != review.fatal_errors:
        names = dict(review.rubric.fatal_errors.values_list("code", "name"))
        changes.append({"item": _("fatal errors"), "field": "fatal_errors",
                        "before": "、".join(names.get(c, c) for c in old_fatal) or "—",
                        "after": "、".join(names.get(c, c) for c in review.fatal_errors) or "—"})
    return changes


# --- call-quality reviews ------------------------------------------------------------------


def rubric_default() -> ScorecardTemplate:
    rubric = (ScorecardTemplate.objects.filter(kind=TemplateKind.CALL_QUALITY, is_active=True)
              .order_by("-is_default", "pk").first())
    if rubric is None:
        templates_load_defaults()
        return rubric_default()
    return rubric


def _score_review(review: CallReview, points: dict, fatal_errors: list) -> dict:
    items = {i.code: i for i in TemplateItem.objects.filter(category__template=review.rubric_id)
             .select_related("category")}
    fatal_codes = set(review.rubric.fatal_errors.values_list("code", flat=True))
    clean, errors = {}, {}
    for code, item in items.items():
        key = f"item_{code}"
        raw = points.get(code, 0)
        try:
            value = _decimal(raw, key)
        except ValidationError as exc:
            errors[key] = exc.message_dict[key]
            continue
        if value < 0 or value > item.max_points:
            errors[key] = [_("Between 0 and %(max)s.") % {"max": item.max_points}]
            continue
        clean[code] = value
    unknown = set(points) - set(items)
    if unknown:
        errors["points"] = [_("Unknown rubric items: %(items)s") % {"items": ", ".join(unknown)}]
    bad_fatal = set(fatal_errors) - fatal_codes
    if bad_fatal:
        errors["fatal_errors"] = [_("Unknown fatal errors.")]
    if errors:
        raise ValidationError(errors)
    review.points = {k: str(v) for k, v in clean.items()}
    review.fatal_errors = sorted(set(fatal_errors))
    review.raw_score = call_quality_score(clean, False)
    review.final_score = call_quality_score(clean, bool(review.fatal_errors))
    return items


@transaction.atomic
def review_create(*, reviewer, agent, call_at: datetime, points: dict,
                  fatal_errors: list[str] | None = None, fault=None, complaint=None,
                  inquiry=None, remarks: str = "", rubric: ScorecardTemplate | None = None,
                  calibrates: CallReview | None = None) -> CallReview:
    """Score one call. A second reviewer scoring a reviewed call makes a calibration review:
    shown beside the first, never counted toward the agent's average."""
    if calibrates is not None:
        calibrates = CallReview.objects.select_for_update().get(pk=calibrates.pk)
        if calibrates.is_calibration:
            calibrates = calibrates.calibrates
        if calibrates.reviewer_id == reviewer.pk:
            raise ValidationError({"calibrates": _(
                "A calibration review is written by a second reviewer.")})
        existing = calibrates.calibrations.filter(reviewer=reviewer).first()
        if existing:
            return existing
        agent, call_at = calibrates.agent, calibrates.call_at
        fault, complaint, inquiry = calibrates.fault, calibrates.complaint, calibrates.inquiry
        rubric = calibrates.rubric
    if agent.pk == reviewer.pk:
        raise ValidationError({"agent": _("Nobody reviews their own calls.")})
    if call_at > timezone.now():
        raise ValidationError({"call_at": _("The call cannot be in the future.")})
    review = CallReview(rubric=rubric or rubric_default(), agent=agent, reviewer=reviewer,
                        call_at=call_at, fault=fault, complaint=complaint, inquiry=inquiry,
                        remarks=remarks[:500], is_calibration=calibrates is not None,
                        calibrates=calibrates)
    _score_review(review, points, fatal_errors or [])
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_dispute(*, review: CallReview, by, comment: str) -> Dispute:
    r = CallReview.objects.select_for_update().get(pk=review.pk)
    if r.agent_id != by.pk or r.is_calibration:
        raise AppraisalError(_("Only the agent reviewed can dispute a review."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what you disagree with.")})
    if r.state == ReviewState.DISPUTED:
        return r.disputes.get(decision="")
    r.state = ReviewState.DISPUTED
    r.save()
    return Dispute.objects.create(review=r, raised_by=by, comment=comment[:500],
                                  total_before=r.final_score)


# --- rewards and penalties -----------------------------------------------------------------


@transaction.atomic
def reward_penalty_record(*, recorder, person, kind: str, reason: str, handling: str,
                          amount: Decimal, points: Decimal = Decimal(0), on: date,
                          quarrel: bool = False, idempotency_key=None) -> RewardPenalty:
    """Record a reward or penalty with the next number of its month (201203001 …)."""
    done = replayed(RewardPenalty, idempotency_key)
    if done is not None:
        return done
    if kind not in RewardKind.values:
        raise ValidationError({"kind": _("Choose reward or penalty.")})
    if quarrel and kind != RewardKind.PENALTY:
        raise ValidationError({"quarrel": _("A quarrel is recorded as a penalty.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    key = f"{on:%Y%m}"
    RewardPenaltyCounter.objects.get_or_create(month=key)
    counter = RewardPenaltyCounter.objects.select_for_update().get(month=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    record = RewardPenalty(number=f"{key}{counter.last:03d}", kind=kind, person=person,
                           service_point_id=person.service_point_id, reason=reason,
                           handling=handling, amount=amount, points=points, on=on,
                           quarrel=quarrel, recorder=recorder, idempotency_key=idempotency_key)
    record.full_clean()
    record.save()
    return record


# --- year end -------------------------------------------------------------------------------


def year_figures(staff, year: int) -> dict:
    """The year's monthly average (signed scorecards, out of 100) and checks average
    (call-quality reviews), the inputs of 004's year-end weighting."""
    cards = list(Scorecard.objects.filter(staff=staff, month__year=year)
                 .exclude(state=ScorecardState.DRAFT).values_list("total", "max_total"))
    monthly = (sum((t * HUNDRED / m for t, m in cards), Decimal(0)) / len(cards)
               ).quantize(CENT) if cards else None
    checks = (CallReview.objects.filter(agent=staff, call_at__year=year, is_calibration=False)
              .aggregate(a=Avg("final_score"))["a"])
    return {"monthly": monthly, "checks": checks.quantize(CENT) if checks is not None else None,
            "months": len(cards)}


@transaction.atomic
def year_end_record(*, by, staff, year: int, year_end_score: Decimal,
                    checks_score: Decimal | None = None, remarks: str = "") -> YearEndReview:
    figures = year_figures(staff, year)
    if figures["monthly"] is None:
        raise ValidationError({"year": _("No signed scorecard in %(year)s.") % {"year": year}})
    checks = checks_score if checks_score is not None else figures["checks"]
    if checks is None:
        raise ValidationError({"checks_score": _("No call-quality checks this year: enter "
                                                 "the checks score.")})
    for name, value in (("checks_score", checks), ("year_end_score", year_end_score)):
        if value < 0 or value > HUNDRED:
            raise ValidationError({name: _("Between 0 and %(max)s.") % {"max": 100}})
    total = weighted_total({"checks": checks, "monthly": figures["monthly"],
                            "year_end": year_end_score}, YEAR_END_WEIGHTS)
    review, _created = YearEndReview.objects.update_or_create(
        staff=staff, year=year,
        defaults={"checks_score": checks, "monthly_score": figures["monthly"],
                  "year_end_score": year_end_score, "total": total, "remarks": remarks[:500],
                  "recorded_by": by, "recorded_at": timezone.now()})
    return review


# --- retention --------------------------------------------------------------------------------


@transaction.atomic
def purge_older_than(*, today: date | None = None, years: int = RETENTION_YEARS) -> dict:
    """Delete appraisal records older than the retention period (2 years)."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years, day=1)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=1, month=today.month)
    counts = {}
    counts["disputes"] = Dispute.objects.filter(raised_at__date__lt=cutoff).delete()[0]
    counts["scorecards"] = Scorecard.objects.filter(month__lt=cutoff).delete()[0]
    calibrations = CallReview.objects.filter(call_at__date__lt=cutoff, is_calibration=True)
    counts["reviews"] = calibrations.delete()[0]
    counts["reviews"] += CallReview.objects.filter(call_at__date__lt=cutoff).delete()[0]
    counts["rewards_penalties"] = RewardPenalty.objects.filter(on__lt=cutoff).delete()[0]
    counts["year_end"] = YearEndReview.objects.filter(year__lt=cutoff.year).delete()[0]
    return {"cutoff": cutoff, **counts}
