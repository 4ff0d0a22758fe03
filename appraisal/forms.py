"""Forms of the appraisal pages: input and types only; the rules are in ``services``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appraisal.models import DisputeDecision, RewardKind, TemplateKind
from servicedesk.models import User
from tickets.forms.calldesk import Form

WIDE = {"col": "col-12"}


def _month_choices(count: int = 24):
    today = timezone.localdate().replace(day=1)
    months = []
    y, m = today.year, today.month
    for _i in range(count):
        months.append((f"{y:04d}-{m:02d}", f"{y}年{m}月"))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months


class GenerateForm(Form):
    month = forms.ChoiceField(label=_("Month"), choices=_month_choices)


class ScorecardScoreForm(Form):
    """One score and remark field per line of the scorecard, plus the pay fields."""

    performance_pay = forms.DecimalField(label=_("performance pay"), min_value=0,
                                         max_digits=12, decimal_places=2)
    quarreled = forms.BooleanField(label=_("quarrel with a customer"), required=False)
    remarks = forms.CharField(label=_("manager's remarks"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3, **WIDE}))

    def __init__(self, *args, scorecard, lines, **kwargs):
        kwargs.setdefault("initial", {
            "performance_pay": scorecard.performance_pay, "quarreled": scorecard.quarreled,
            "remarks": scorecard.remarks,
            **{f"score_{line.pk}": line.score for line in lines},
            **{f"remark_{line.pk}": line.remark for line in lines},
        })
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"score_{line.pk}"] = forms.DecimalField(
                label=line.name, min_value=0, max_value=line.max_points, max_digits=6,
                decimal_places=2, widget=forms.NumberInput(attrs={
                    "step": "0.5", "class": "form-control form-control-sm sd-score"}))
            self.fields[f"remark_{line.pk}"] = forms.CharField(
                label=_("remark"), required=False, max_length=200,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def rows(self):
        for line in self.lines:
            yield line, self[f"score_{line.pk}"], self[f"remark_{line.pk}"]

    def scores(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[f"score_{line.pk}"] for line in self.lines}

    def remarks_by_line(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data[f"remark_{line.pk}"] for line in self.lines}


class AcknowledgeForm(Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500,
                              widget=forms.TextInput(attrs=WIDE))


class DisputeForm(Form):
    comment = forms.CharField(label=_("What do you disagree with?"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3, **WIDE}))


class DecideForm(Form):
    decision = forms.ChoiceField(label=_("decision"), choices=DisputeDecision.choices,
                                 widget=forms.RadioSelect)
    response = forms.CharField(label=_("Answer to the staff member"), max_length=500,
                               widget=forms.Textarea(attrs={"rows": 2, **WIDE}))


class _RubricFields:
    """One points field per rubric item (``item_<code>``) and the fatal errors."""

    def add_rubric_fields(self, rubric) -> None:
        self.rubric = rubric
        self.categories = list(rubric.categories.prefetch_related("items"))
        self.fields["fatal_errors"].choices = [(f.code, f.name)
                                               for f in rubric.fatal_errors.all()]
        for category in self.categories:
            for item in category.items.all():
                self.fields[f"item_{item.code}"] = forms.DecimalField(
                    label=item.name, min_value=0, max_value=item.max_points, max_digits=6,
                    decimal_places=2, initial=item.max_points,
                    widget=forms.NumberInput(attrs={"step": "0.5",
                                                    "class": "form-control form-control-sm "
                                                             "sd-score"}))

    def grouped(self):
        for category in self.categories:
            yield category, [(item, self[f"item_{item.code}"]) for item in category.items.all()]

    def points(self) -> dict[str, Decimal]:
        return {name[5:]: value for name, value in self.cleaned_data.items()
                if name.startswith("item_")}


def _fatal_errors_field():
    return forms.MultipleChoiceField(label=_("fatal errors (the call scores 0)"),
                                     required=False, widget=forms.CheckboxSelectMultiple)


class ReviewForm(_RubricFields, Form):
    """The rubric: one points field per item, the fatal errors as checkboxes."""

    agent = forms.ModelChoiceField(label=_("agent"), queryset=User.objects.none())
    call_at = forms.DateTimeField(label=_("call time"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    call_ref = forms.CharField(
        label=_("the call's fault, complaint or case"), max_length=20,
        help_text=_("Its number, e.g. X-00012, TS-00003, ZX-00007."))
    remarks = forms.CharField(label=_("remarks"), required=False, max_length=500,
                              widget=forms.TextInput(attrs=WIDE))
    fatal_errors = _fatal_errors_field()

    def __init__(self, *args, rubric, agents, calibrating=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents
        if calibrating is not None:
            for name in ("agent", "call_at", "call_ref"):
                del self.fields[name]
        self.add_rubric_fields(rubric)


class ReviewRescoreForm(_RubricFields, Form):
    """A disputed review scored again: its item points and fatal errors, as they stand."""

    fatal_errors = _fatal_errors_field()

    def __init__(self, *args, review, **kwargs):
        kwargs.setdefault("initial", {
            "fatal_errors": review.fatal_errors,
            **{f"item_{code}": value for code, value in review.points.items()}})
        super().__init__(*args, **kwargs)
        self.add_rubric_fields(review.rubric)


class RewardPenaltyForm(Form):
    kind = forms.ChoiceField(label=_("kind"), choices=RewardKind.choices)
    person = forms.ModelChoiceField(label=_("person"), queryset=User.objects.none())
    on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), max_length=300,
                             widget=forms.TextInput(attrs=WIDE))
    handling = forms.CharField(label=_("handling"), max_length=300,
                               widget=forms.TextInput(attrs=WIDE))
    amount = forms.DecimalField(label=_("amount"), min_value=0, max_digits=12, decimal_places=2,
                                initial=Decimal("0.00"))
    points = forms.DecimalField(label=_("scorecard points"), min_value=0, max_digits=6,
                                decimal_places=2, initial=Decimal("0"))
    quarrel = forms.BooleanField(label=_("quarrel with a customer"), required=False,
                                 help_text=_("Forfeits the month's performance pay."))
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class YearEndForm(Form):
    year_end_score = forms.DecimalField(label=_("year-end appraisal (50%)"), min_value=0,
                                        max_value=100, max_digits=6, decimal_places=2)
    checks_score = forms.DecimalField(
        label=_("checks (20%)"), min_value=0, max_value=100, max_digits=6, decimal_places=2,
        required=False, help_text=_("Empty: the year's call-quality average."))
    remarks = forms.CharField(label=_("remarks"), required=False, max_length=500,
                              widget=forms.TextInput(attrs=WIDE))


ITEM_FIELDS = ("name", "description", "max_points", "mode", "evidence", "points_per_unit")


class TemplateEditForm(Form):
    """A template's name and flags; with ``structure`` (no scorecard made with it yet) also
    its categories (name, weight, remove), items (fields, remove), a new item per category
    and a new category with its first item; for a call-quality rubric its fatal errors
    (name, remove) and a new one."""

    name = forms.CharField(label=_("name"), max_length=80)
    is_default = forms.BooleanField(label=_("default for the role"), required=False)
    is_active = forms.BooleanField(label=_("active"), required=False)

    def __init__(self, *args, template, structure=True, **kwargs):
        self.structure = structure
        self.categories = list(template.categories.prefetch_related("items"))
        self.fatal_errors = (list(template.fatal_errors.all())
                             if structure and template.kind == TemplateKind.CALL_QUALITY
                             else None)
        initial = {"name": template.name, "is_default": template.is_default,
                   "is_active": template.is_active}
        for f in self.fatal_errors or []:
            initial[f"fatal_{f.pk}_name"] = f.name
        if structure:
            for c in self.categories:
                initial[f"cat_{c.pk}_name"], initial[f"cat_{c.pk}_weight"] = c.name, c.weight
                for i in c.items.all():
                    for f in ITEM_FIELDS:
                        initial[f"item_{i.pk}_{f}"] = getattr(i, f)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if not structure:
            return
        for c in self.categories:
            self.fields[f"cat_{c.pk}_name"] = forms.CharField(
                label=_("category"), max_length=60, widget=forms.TextInput(attrs=SMALL))
            self.fields[f"cat_{c.pk}_weight"] = _weight_field()
            self.fields[f"cat_{c.pk}_delete"] = _delete_field(_("remove the category"))
            for i in c.items.all():
                self._item_fields(f"item_{i.pk}_", required=True)
                self.fields[f"item_{i.pk}_delete"] = _delete_field(_("remove"))
            self._item_fields(f"new_{c.pk}_", required=False)
        self.fields["newcat_name"] = forms.CharField(
            label=_("new category"), max_length=60, required=False,
            widget=forms.TextInput(attrs=SMALL))
        self.fields["newcat_weight"] = _weight_field(required=False)
        self._item_fields("newcat_item_", required=False)
        if self.fatal_errors is None:
            return
        for f in self.fatal_errors:
            self.fields[f"fatal_{f.pk}_name"] = forms.CharField(
                label=_("fatal error"), max_length=120, widget=forms.TextInput(attrs=SMALL))
            self.fields[f"fatal_{f.pk}_delete"] = _delete_field(_("remove"))
        self.fields["newfatal_name"] = forms.CharField(
            label=_("new fatal error"), max_length=120, required=False,
            widget=forms.TextInput(attrs=SMALL))

    def _item_fields(self, prefix: str, *, required: bool) -> None:
        from appraisal.models import EvidenceKind, ItemMode

        select = {"class": "form-select form-select-sm"}
        self.fields[prefix + "name"] = forms.CharField(
            label=_("item"), max_length=120, required=required,
            widget=forms.TextInput(attrs=SMALL))
        self.fields[prefix + "description"] = forms.CharField(
            label=_("description"), max_length=500, required=False,
            widget=forms.TextInput(attrs={**SMALL, "placeholder": _("description")}))
        self.fields[prefix + "max_points"] = forms.DecimalField(
            label=_("max points"), required=required, max_digits=6, decimal_places=2,
            widget=forms.NumberInput(attrs=SMALL))
        self.fields[prefix + "mode"] = forms.ChoiceField(
            label=_("mode"), choices=ItemMode.choices, initial=ItemMode.AWARD,
            required=required, widget=forms.Select(attrs=select))
        self.fields[prefix + "evidence"] = forms.ChoiceField(
            label=_("evidence"), choices=EvidenceKind.choices, required=False,
            widget=forms.Select(attrs=select))
        self.fields[prefix + "points_per_unit"] = forms.DecimalField(
            label=_("points per evidence unit"), min_value=0, max_digits=6, decimal_places=2,
            required=required, widget=forms.NumberInput(attrs=SMALL))

    def clean(self):
        data = super().clean()
        if not self.structure:
            return data
        # a new item is its name: the other fields of an empty row are ignored
        for prefix in [f"new_{c.pk}_" for c in self.categories] + ["newcat_item_"]:
            if data.get(prefix + "name") and data.get(prefix + "max_points") is None:
                self.add_error(prefix + "max_points", _("Enter the new item's max points."))
        if data.get("newcat_name"):
            if data.get("newcat_weight") is None:
                self.add_error("newcat_weight", _("Enter the new category's weight."))
            if not data.get("newcat_item_name"):
                self.add_error("newcat_item_name", _("A new category starts with an item."))
        return data

    def grouped(self):
        for c in self.categories:
            yield {"category": c, "name": self[f"cat_{c.pk}_name"],
                   "weight": self[f"cat_{c.pk}_weight"], "delete": self[f"cat_{c.pk}_delete"],
                   "items": [(i, self._row(f"item_{i.pk}_"), self[f"item_{i.pk}_delete"])
                             for i in c.items.all()],
                   "new": self._row(f"new_{c.pk}_")}

    def new_category_row(self):
        return self._row("newcat_item_")

    def fatal_rows(self):
        for f in self.fatal_errors or []:
            yield self[f"fatal_{f.pk}_name"], self[f"fatal_{f.pk}_delete"]

    def _row(self, prefix: str) -> dict:
        row = {f: self[prefix + f] for f in ITEM_FIELDS}
        row["cells"] = [row[f] for f in ("max_points", "mode", "evidence", "points_per_unit")]
        return row

    def _values(self, prefix: str) -> dict:
        return {f: self.cleaned_data[prefix + f] for f in ITEM_FIELDS}

    def changes(self) -> dict:
        """The structural changes, as ``services.template_update`` takes them."""
        if not self.structure:
            return {}
        data = self.cleaned_data
        kept = [c for c in self.categories if not data[f"cat_{c.pk}_delete"]]
        result = {
            "categories": {c.pk: {"name": data[f"cat_{c.pk}_name"],
                                  "weight": data[f"cat_{c.pk}_weight"]} for c in kept},
            "items": {i.pk: self._values(f"item_{i.pk}_") for c in kept for i in c.items.all()
                      if not data[f"item_{i.pk}_delete"]},
            "delete_categories": {c.pk for c in self.categories if data[f"cat_{c.pk}_delete"]},
            "delete_items": {i.pk for c in kept for i in c.items.all()
                             if data[f"item_{i.pk}_delete"]},
            "new_items": {c.pk: [self._values(f"new_{c.pk}_")] for c in kept
                          if data[f"new_{c.pk}_name"]},
        }
        if data["newcat_name"]:
            result["new_category"] = {"name": data["newcat_name"],
                                      "weight": data["newcat_weight"],
                                      "item": self._values("newcat_item_")}
        if self.fatal_errors is not None:
            result["fatal_errors"] = {f.pk: data[f"fatal_{f.pk}_name"]
                                      for f in self.fatal_errors
                                      if not data[f"fatal_{f.pk}_delete"]}
            result["delete_fatal_errors"] = {f.pk for f in self.fatal_errors
                                             if data[f"fatal_{f.pk}_delete"]}
            result["new_fatal_error"] = data["newfatal_name"]
        return result


SMALL = {"class": "form-control form-control-sm"}


def _weight_field(required: bool = True):
    return forms.DecimalField(label=_("weight %"), min_value=0, max_value=200, max_digits=6,
                              decimal_places=2, required=required,
                              widget=forms.NumberInput(attrs=SMALL))


def _delete_field(label):
    return forms.BooleanField(label=label, required=False,
                              widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
