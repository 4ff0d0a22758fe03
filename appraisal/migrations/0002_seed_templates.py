"""Load the seed templates (appraisal/fixtures/appraisal_templates.json): the handbook's
clerk and agent scorecards (defaults), 004's 德勤能绩, 003's 200-point scheme and the
call-quality rubric of 000. Later changes to the file are applied with
``manage.py load_appraisal_templates``."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "appraisal_templates.json"


def load(apps, schema_editor):
    Template = apps.get_model("appraisal", "ScorecardTemplate")
    Category = apps.get_model("appraisal", "TemplateCategory")
    Item = apps.get_model("appraisal", "TemplateItem")
    Fatal = apps.get_model("appraisal", "FatalError")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for t in data["templates"]:
        if Template.objects.filter(code=t["code"]).exists():
            continue
        template = Template.objects.create(
            code=t["code"], name=t["name"], kind=t["kind"], scheme=t["scheme"],
            role=t.get("role", ""), is_default=t.get("is_default", False),
            demotion_below=t.get("demotion_below"), source=t.get("source", ""),
            description=t.get("description", ""))
        for ci, c in enumerate(t["categories"]):
            category = Category.objects.create(template=template, code=c["code"],
                                               name=c["name"], weight=Decimal(c["weight"]),
                                               order=ci)
            Item.objects.bulk_create([Item(
                category=category, code=i["code"], name=i["name"],
                description=i.get("description", ""), mode=i.get("mode", "award"),
                max_points=Decimal(i["max_points"]), evidence=i.get("evidence", ""),
                points_per_unit=Decimal(i.get("points_per_unit", "0")),
                reconstructed=i.get("reconstructed", False), order=ii)
                for ii, i in enumerate(c["items"])])
        Fatal.objects.bulk_create([Fatal(template=template, code=f["code"], name=f["name"],
                                         order=fi)
                                   for fi, f in enumerate(t.get("fatal_errors", []))])


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
