from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Load the demo data (service points, staff, subscribers…). Refuses when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo users have a public password."
            )
        with transaction.atomic():
            for dotted in settings.DEMO_LOADERS:
                summary = import_string(dotted)(seed=seed, stdout=self.stdout)
                self.stdout.write(f"  {dotted}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
