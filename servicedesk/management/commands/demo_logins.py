from django.core.management.base import BaseCommand

from servicedesk.demo import DEMO_LOGINS, DEMO_PASSWORD
from servicedesk.models import User


class Command(BaseCommand):
    help = "Print the demo sign-ins (after load_demo)."

    def handle(self, *args, **options):
        users = User.objects.in_bulk([u for u, _role in DEMO_LOGINS], field_name="username")
        self.stdout.write("")
        self.stdout.write("  servicedesk is starting on http://127.0.0.1:8000/  (Ctrl-C stops it)")
        self.stdout.write(f"  Demo sign-ins (password {DEMO_PASSWORD}):")
        for username, role in DEMO_LOGINS:
            user = users.get(username)
            where = user.scope_label if user else "?"
            self.stdout.write(f"    {username:<10} {role.label} · {where}")
        self.stdout.write("")
