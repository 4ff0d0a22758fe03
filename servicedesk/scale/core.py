"""The core's generator: 40 service points and 200 staff (the demo users among them)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

from servicedesk.models import ServicePoint, User
from servicedesk.scale.context import ScaleContext, generator
from servicedesk.scale.fake import chinese_name, mobile

# 37 compounds beyond the three of the demo (fixtures/service_points.json): name, code
# (lowercase: account names and serials), fault area mark (capitals: never D180/DC).
COMPOUNDS = [
    ("紫薇田园都市", "zw"), ("枫林绿洲", "fl"), ("绿地世纪城", "ld"), ("万科金色悦城", "wk"),
    ("龙湖紫都城", "lh"), ("中海紫御华府", "zh"), ("金地湖城大境", "jd"), ("华润二十四城", "hr"),
    ("曲江池畔", "qjp"), ("雅荷春天", "yh"), ("锦园新世纪", "jy"), ("白桦林居", "bhl"),
    ("枫叶新都市", "fy"), ("高科绿水东城", "gk"), ("天朗蓝湖树", "tl"), ("融创天朗御府", "rc"),
    ("保利心语花园", "bl"), ("阳光城丽景湾", "ygc"), ("招商依云曲江", "zs"), ("绿城全运村", "lc"),
    ("首创国际城", "sc"), ("鑫苑大都汇", "xy"), ("海亮新英里", "hl"), ("荣华北城", "rh"),
    ("世茂都", "smd"), ("紫郡长安", "zj"), ("金泰假日花城", "jt"), ("明德门小区", "mdm"),
    ("长安华都", "ca"), ("太白小区", "tb"), ("公园天下", "gy"), ("旺座曲江", "wz"),
    ("御锦城", "yjc"), ("莱安逸境", "la"), ("天地源曲江香都", "tdy"), ("林凯城", "lk"),
    ("大明宫万达广场", "dm"),
]
ROADS = ("雁塔南路", "长安南路", "太白南路", "朱雀大街", "含光路", "电子正街", "科技路", "高新路",
         "曲江池东路", "翠华路")
STAFF = 200


@dataclass(frozen=True)
class Point:
    id: int
    code: str
    name: str
    weight: float


def _service_points(ctx: ScaleContext, rng: random.Random) -> list[Point]:
    fixture = json.loads(Path(settings.BASE_DIR / "fixtures" / "service_points.json").read_text())
    rows, points = [], []
    for item in fixture:
        f = item["fields"]
        rows.append((item["pk"], f["name"], f["code"], f["fault_mark"], f["address"],
                     f["phone"], f["is_active"]))
        points.append(Point(item["pk"], f["code"], f["name"], 1.6))
    next_id = max(p.id for p in points) + 1
    for k, (name, code) in enumerate(COMPOUNDS):
        pk = next_id + k
        road = ROADS[int(rng.random() * len(ROADS))]
        rows.append((pk, name, code, code.upper(), f"西安市{road}{10 + int(rng.random() * 900)}号"
                     f"{name}", f"029-8686{pk:04d}", True))
        points.append(Point(pk, code, name, round(0.4 + 1.4 * rng.random(), 3)))
    ctx.copy(ServicePoint, ["id", "name", "code", "fault_mark", "address", "phone",
                            "is_active"], rows)
    ctx.ids["servicedesk.ServicePoint"] = range(1, next_id + len(COMPOUNDS))
    return points


def _roster(points: list[Point]) -> list[tuple]:
    """STAFF × (role, point code or None, username, full name, staff number, may leave).

    The demo users come first (same usernames, names and numbers: ``make run``'s logins
    work on a generated database too), then managers, agents, and at every point at
    least one clerk and one installer who stay; the rest are extra clerks and installers
    at the big points, some of whom have left (inactive).
    """
    from servicedesk.demo import DEMO_USERS

    roster = [(role.value, code, username, full_name, staff_no, False)
              for username, full_name, staff_no, role, code in DEMO_USERS]
    for role, want in (("manager", 6), ("agent", 30)):
        roster += [(role, None, None, None, None, True)] * (
            want - sum(r[0] == role for r in roster))
    taken = {(r[0], r[1]) for r in roster}
    for point in points:
        for role in ("clerk", "installer"):
            if (role, point.code) not in taken:
                roster.append((role, point.code, None, None, None, False))
    by_size = sorted(points, key=lambda p: -p.weight)
    k = 0
    while len(roster) < STAFF:  # clerks and installers (2:1) at the big points
        point = by_size[k % len(by_size)]
        roster.append(("installer" if k % 3 == 2 else "clerk", point.code, None, None, None,
                       True))
        k += 1
    return roster[:STAFF]


def _staff(ctx: ScaleContext, rng: random.Random, points: list[Point]) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from servicedesk.demo import DEMO_PASSWORD
    from servicedesk.roles import sync_role_groups

    sync_role_groups()
    groups = dict(Group.objects.values_list("name", "id"))
    password = make_password(DEMO_PASSWORD)  # hashed once, shared: hashing is slow on purpose
    point_ids = {p.code: p.id for p in points}
    serial: dict[str, int] = {}
    users, memberships = [], []
    staff: dict[str, Any] = {"clerk": {}, "installer": {}, "agent": [], "manager": []}
    for pk, (role, code, username, full_name, staff_no, may_leave) in enumerate(
            _roster(points), start=1):
        if username is None:
            serial[f"{role}{code}"] = serial.get(f"{role}{code}", 0) + 1
            number = serial[f"{role}{code}"]
            username = f"{role}_{code}{number}" if code else f"{role}{number:02d}"
        active = not may_leave or rng.random() > 0.08
        joined = ctx.start - timedelta(days=int(rng.random() * 1500))
        users.append((
            pk, password, None, False, username, "", "", "", False, active, joined,
            full_name or chinese_name(rng), staff_no or f"S{pk:04d}",
            mobile(rng), point_ids.get(code),
        ))
        memberships.append((pk, groups[role]))
        if active:
            if code:
                staff[role].setdefault(point_ids[code], []).append(pk)
            else:
                staff[role].append(pk)
    ctx.copy(User, ["id", "password", "last_login", "is_superuser", "username", "first_name",
                    "last_name", "email", "is_staff", "is_active", "date_joined", "full_name",
                    "staff_no", "phone", "service_point_id"], users)
    ctx.copy(User.groups.through, ["user_id", "group_id"], memberships)
    ctx.ids["servicedesk.User"] = range(1, len(users) + 1)
    ctx.data["staff"] = staff


@generator(fills=[ServicePoint, User, User.groups.through])
def generate(ctx: ScaleContext) -> str:
    rng = ctx.random("servicedesk")
    points = _service_points(ctx, rng)
    ctx.data["service_points"] = points
    _staff(ctx, rng, points)
    return f"{len(points)} service points, {len(ctx.ids['servicedesk.User'])} staff"
