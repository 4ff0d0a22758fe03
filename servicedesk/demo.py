"""Demo data of the core: the three service points and one user per role.

Idempotent: running it again updates the same rows. Only ``load_demo`` calls it, and that
command refuses to run with DEBUG off, because the demo password is public.
"""

from django.core.management import call_command

from servicedesk.models import ServicePoint, User
from servicedesk.roles import Role, sync_role_groups

DEMO_PASSWORD = "demo-pass-2026"

# username, full name, staff number, role, service point code (None: all points)
DEMO_USERS = [
    ("clerk", "李晓梅", "D001", Role.CLERK, "dw"),
    ("clerk_qj", "王芳", "D002", Role.CLERK, "qj"),
    ("clerk_rq", "赵丽娟", "D003", Role.CLERK, "rq"),
    ("agent", "陈静", "D011", Role.AGENT, None),
    ("agent2", "刘洋", "D012", Role.AGENT, None),
    ("installer", "张建国", "D021", Role.INSTALLER, "dw"),
    ("installer_qj", "孙志强", "D022", Role.INSTALLER, "qj"),
    ("manager", "周海燕", "D100", Role.MANAGER, None),
]

# Shown by `make run` so a newcomer can sign in at once.
DEMO_LOGINS = [
    ("clerk", Role.CLERK),
    ("agent", Role.AGENT),
    ("installer", Role.INSTALLER),
    ("manager", Role.MANAGER),
]


def load(*, seed: int, stdout=None) -> str:
    call_command("loaddata", "service_points", verbosity=0)
    sync_role_groups()
    from django.contrib.auth.models import Group

    points = {p.code: p for p in ServicePoint.objects.all()}
    groups = {g.name: g for g in Group.objects.all()}
    for username, full_name, staff_no, role, code in DEMO_USERS:
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "staff_no": staff_no,
                "service_point": points.get(code) if code else None,
                "is_active": True,
                "phone": f"1390291{staff_no[1:]:0>4}",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([groups[role]])
    return f"{len(points)} service points, {len(DEMO_USERS)} staff"
