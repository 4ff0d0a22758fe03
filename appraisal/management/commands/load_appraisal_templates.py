from django.core.management.base import BaseCommand

from appraisal import services


class Command(BaseCommand):
    help = ("Create or update (from appraisal/fixtures/appraisal_templates.json) the seed "
            "scorecard templates and the call-quality rubric. A template scorecards or "
            "reviews were made with is not changed: the file's version is added as "
            "<code>-vN when it differs.")

    def handle(self, *args, **options):
        n = services.templates_load_defaults(force=True)
        self.stdout.write(f"{n} templates loaded")
