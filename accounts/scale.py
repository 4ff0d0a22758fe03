"""Scale data of the customer register (``manage.py generate_scale_data``).

Tariffs come from ``fixtures/tariffs.json``. Premises are laid out compound by compound
(buildings × units × floors × doors, room ``502`` = floor 5, door 2), sized by each
service point's weight. Subscriber *i* (ids in registration order, spread over the
24 months before ``as_of``) lives at a premises of its own, except that every 14th
subscriber of the second half of the history moves into the premises of someone from
half a history earlier, whose accounts are then closed: rooms change hands, and a closed
account name is used again, as in life. All the mappings are affine permutations and
arithmetic on *i*, so nothing proportional to N is held in memory.

Per subscriber: broadband for about 78% (a tenth of them switched plan or carrier and
kept the closed account), a landline for about 45%, states mostly active (some
pending, expired, suspended, barred, closed), and one state-change row per account.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings

from accounts import rules
from accounts.choices import BroadbandState, LandlineState, SubscriberKind
from accounts.models import (
    AccountStateChange,
    AddOn,
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    Fee,
    LandlineAccount,
    LandlinePlan,
    Premises,
    SerialCounter,
    Subscriber,
)
from accounts.services import term_end
from servicedesk.scale import (
    SHANGHAI,
    AffinePermutation,
    Point,
    ScaleContext,
    UniqueIdNumbers,
    business_time,
    chinese_name,
    generator,
    mobile,
    organization_name,
    weighted_picker,
)

BLOCK = 14  # every 14th subscriber (second half of the history) takes over a premises
PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
NOTES = ("老人独居，上门请提前电话", "白天无人，晚上七点后联系", "物业代收资料", "门禁需提前预约",
         "租户，合同到期请核实", "家有婴儿，勿敲门")


def _password(rng: random.Random) -> str:
    while True:
        value = "".join(PASSWORD_ALPHABET[int(rng.random() * 36)] for _ in range(8))
        if not value.isalpha() and not value.isdigit():
            return value


# --- tariffs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    id: int
    carrier_id: int
    term: str
    months: int


def _tariffs(ctx: ScaleContext) -> dict:
    """Copy fixtures/tariffs.json into the tables; return what the accounts need."""
    items = json.loads(Path(settings.BASE_DIR / "fixtures" / "tariffs.json").read_text())
    by_model = {m._meta.label_lower: m for m in (Carrier, BroadbandPlan, LandlinePlan, AddOn,
                                                 Fee)}
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(item["model"], []).append(item)
    for label, model in by_model.items():
        rows = grouped.get(label, [])
        if not rows:
            continue
        names = list(rows[0]["fields"])
        columns = ["id"] + [model._meta.get_field(n).column for n in names]
        ctx.copy(model, columns, [(r["pk"], *(r["fields"][n] for n in names)) for r in rows])
    carriers = {i["fields"]["code"]: i for i in grouped.get("accounts.carrier", [])}
    plans = [Plan(i["pk"], i["fields"]["carrier"], i["fields"]["term"], i["fields"]["months"])
             for i in grouped.get("accounts.broadbandplan", []) if i["fields"]["is_active"]]
    own = {c["pk"] for c in carriers.values() if c["fields"]["is_own"]}
    term_weight = {rules.ANNUAL: 3.0, rules.MONTHLY: 2.0, rules.PACKAGE: 1.5}
    ll_plans = grouped.get("accounts.landlineplan", [])
    ll_weight = {"system default billingplan": 4.5, "daweitest": 3.5, "yuezu": 2.0}
    return {
        "carriers": {code: (c["pk"], c["fields"]["number_prefix"]) for code, c in
                     carriers.items()},
        "own": own,
        "pick_plan": weighted_picker(
            plans, [term_weight.get(p.term, 1.0) * (2.5 if p.carrier_id in own else 1.0)
                    for p in plans]),
        "pick_ll_plan": weighted_picker(
            [p["pk"] for p in ll_plans],
            [ll_weight.get(p["fields"]["name"], 1.0) for p in ll_plans]),
        "addons": {a["fields"]["code"]: a["pk"] for a in grouped.get("accounts.addon", [])},
    }


# --- premises ------------------------------------------------------------------------


class Layout:
    """Premises ids 1..P laid out compound by compound, building by building."""

    def __init__(self, points: list[Point], total: int, rng: random.Random):
        weights = [p.weight for p in points]
        share = [total * w / sum(weights) for w in weights]
        counts = [int(s) for s in share]
        for k in sorted(range(len(points)), key=lambda k: counts[k] - share[k])[
                :total - sum(counts)]:
            counts[k] += 1  # largest remainders
        self.points, self.counts, self.starts, self.shapes = [], [], [], []
        start = 0
        for point, count in zip(points, counts, strict=True):
            if not count:
                continue
            if rng.random() < 0.6:  # high-rise: 2-4 units, 18-33 floors, 2-4 doors
                units, floors, doors = 2 + int(rng.random() * 3), 18 + int(rng.random() * 16), \
                    2 + int(rng.random() * 3)
            else:  # walk-ups: 3-6 units, 6-7 floors, 2 doors
                units, floors, doors = 3 + int(rng.random() * 4), 6 + int(rng.random() * 2), 2
            while math.ceil(count / (units * floors * doors)) > 99:
                if floors < 99:
                    floors = min(99, floors + 3)
                elif units < 9:
                    units += 1
                else:
                    doors += 1
            buildings = math.ceil(count / (units * floors * doors))
            self.points.append(point)
            self.counts.append(count)
            self.starts.append(start)
            self.shapes.append((buildings * units * floors * doors, units, floors, doors))
            start += count
        self.total = start

    def locate(self, p: int) -> tuple[Point, int, int, int]:
        """Premises index p (0-based) -> (service point, building, unit, room)."""
        k = bisect_right(self.starts, p) - 1
        capacity, units, floors, doors = self.shapes[k]
        slot = (p - self.starts[k]) * capacity // self.counts[k]
        slot, door = divmod(slot, doors)
        slot, floor = divmod(slot, floors)
        building, unit = divmod(slot, units)
        return self.points[k], building + 1, unit + 1, (floor + 1) * 100 + door + 1


class Occupancy:
    """Who lives where: subscriber index -> premises index, and who moved out."""

    def __init__(self, n: int, rng: random.Random):
        self.n = n
        self.blocks = (n + 1) // BLOCK  # blocks whose 14th subscriber exists
        self.delay = max(1, self.blocks // 2)
        self.premises_count = n - max(0, self.blocks - self.delay)
        self.perm = AffinePermutation(rng, self.premises_count)

    def _new_index(self, i: int) -> int:
        return i - max(0, i // BLOCK - self.delay)

    def replaced(self, i: int) -> int | None:
        """The earlier subscriber whose premises subscriber i takes over, if any."""
        block, r = divmod(i, BLOCK)
        if r == BLOCK - 1 and block >= self.delay:
            return BLOCK * (block - self.delay) + block % (BLOCK - 1)
        return None

    def successor(self, j: int) -> int | None:
        """The later subscriber who takes over subscriber j's premises, if any."""
        block = j // BLOCK + self.delay
        if j % BLOCK == block % (BLOCK - 1) and block < self.blocks:
            return BLOCK * block + BLOCK - 1
        return None

    def premises(self, i: int) -> int:
        j = self.replaced(i)
        return self.perm(self._new_index(i if j is None else j))


# --- the generator -------------------------------------------------------------------


class Register:
    """Subscribers and their accounts, one subscriber at a time."""

    def __init__(self, ctx: ScaleContext, rng: random.Random, layout: Layout,
                 occupancy: Occupancy, tariffs: dict):
        self.ctx, self.rng, self.layout, self.occupancy = ctx, rng, layout, occupancy
        self.tariffs = tariffs
        self.staff = ctx.data["staff"]
        self.ids = UniqueIdNumbers(rng)
        self.start = ctx.start
        self.span_minutes = ctx.days * 24 * 60
        self.as_of = ctx.as_of
        self.serials: dict[tuple[int, str, date], int] = {}
        self.bb_id = self.ll_id = 0
        self.has_ll_password = any(f.name == "password" for f in LandlineAccount._meta.fields)
        carriers = tariffs["carriers"]
        self.own_carrier = min(tariffs["own"]) if tariffs["own"] else None
        self.numbers = NumberBlocks(carriers, rng)
        other = [(code, cid) for code, (cid, _p) in carriers.items()
                 if cid != self.own_carrier]
        self.pick_ll_carrier = weighted_picker(
            [self.own_carrier] + [cid for _c, cid in other], [0.70] + [0.15] * len(other))

    # time ----------------------------------------------------------------------------
    def created(self, i: int) -> datetime:
        """Registration time of subscriber i: in id order over the history, open hours."""
        jitter = ((i * 2654435761) % 997) / 997 * 0.8
        frac = (i + 0.1 + jitter) / self.occupancy.n
        days = frac * self.ctx.days
        day = self.start.date() + timedelta(days=int(days))
        return business_time(day, days - int(days))

    def serial(self, point: Point, service: str, day: date) -> str:
        key = (point.id, service, day)
        seq = self.serials.get(key, 0) + 1
        if seq > 999:
            return ""
        self.serials[key] = seq
        return rules.registration_serial(service, point.code, day, seq)

    def clerk(self, point: Point) -> int | None:
        ids = self.staff["clerk"].get(point.id) or self.staff["manager"]
        return ids[int(self.rng.random() * len(ids))] if ids else None

    def installer(self, point: Point) -> int | None:
        ids = self.staff["installer"].get(point.id)
        return ids[int(self.rng.random() * len(ids))] if ids else None

    def at(self, day: date) -> datetime:
        return business_time(day, self.rng.random())

    # rows ----------------------------------------------------------------------------
    def subscriber(self, i: int, add) -> tuple:
        rng = self.rng
        occupancy = self.occupancy
        p = occupancy.premises(i)
        point, building, unit, room = self.layout.locate(p)
        created = self.created(i)
        clerk = self.clerk(point)
        if rng.random() < 0.02:
            kind, name, id_no = SubscriberKind.ORGANIZATION, organization_name(rng), ""
            letter = f"介绍信〔{created.year}〕{int(rng.random() * 900) + 100}号"
        else:
            kind, name, letter = SubscriberKind.PERSON, chinese_name(rng), ""
            id_no = self.ids(i, rng)
        u = rng.random()
        phone = f"029-8{int(rng.random() * 10_000_000):07d}" if u < 0.2 else ""
        note = NOTES[int(rng.random() * len(NOTES))] if rng.random() < 0.03 else ""
        add((i + 1, kind, name, id_no, letter, mobile(rng), phone, point.id, p + 1, note,
             created, clerk))
        successor = occupancy.successor(i)
        moved_out = self.created(successor).date() - timedelta(
            days=1 + int(rng.random() * 20)) if successor is not None else None
        return point, (building, unit, room), p + 1, created, clerk, moved_out

    def broadband(self, i, point, place, premises_id, created, clerk, moved_out, add, add_change):
        """Broadband accounts of subscriber i: (id, carrier, open) of the current one."""
        rng, as_of = self.rng, self.as_of
        name = rules.broadband_account_name(point.code, *place)
        accepted = created.date()
        history = []
        age = (as_of - accepted).days
        if rng.random() < 0.10 and age > 120:  # switched plan/carrier: the old one is closed
            switched = accepted + timedelta(days=60 + int(rng.random() * (age - 90)))
            history.append((accepted, switched))
            accepted = switched
        if moved_out is not None and moved_out <= accepted:
            moved_out = accepted + timedelta(days=30)
        history.append((accepted, moved_out))
        current = None
        for k, (accepted_on, closed_on) in enumerate(history):
            last = k == len(history) - 1
            plan = self.tariffs["pick_plan"](rng)
            starts = rules.activation_date(accepted_on)
            suspended_months, suspended_until = 0, None
            if not last or closed_on is not None:
                closed_on = closed_on or accepted_on
                closed_on = min(max(closed_on, starts), as_of)
                state, expires = BroadbandState.CLOSED, closed_on
                change = ("active", state, self.at(closed_on), clerk, "拆机销户")
            elif starts > as_of:
                state, expires = BroadbandState.PENDING, term_end(starts, plan.months)
                change = ("", state, created, clerk, "受理登记")
            else:
                u = rng.random()
                term_days = plan.months * 30
                lapse = 1 + int(rng.random() * 365)
                if u < 0.06:
                    closed = starts + timedelta(days=int(rng.random() * ((as_of - starts).days
                                                                          + 1)))
                    state, expires = BroadbandState.CLOSED, closed
                    change = ("active", state, self.at(closed), clerk, "拆机销户")
                elif u < 0.15 and as_of - timedelta(days=lapse) > starts + timedelta(days=27):
                    expires = as_of - timedelta(days=lapse)
                    state = BroadbandState.EXPIRED
                    change = ("active", state, datetime.combine(
                        expires + timedelta(days=1), datetime.min.time(), SHANGHAI
                    ) + timedelta(minutes=5), None, "到期停机")
                elif u < 0.17 and plan.term == rules.ANNUAL:
                    suspended_months = 3 if rng.random() < 0.6 else 6
                    suspended_until = as_of + timedelta(days=1 + int(rng.random() * 30
                                                                     * suspended_months))
                    since = max(starts, suspended_until - timedelta(days=30 * suspended_months))
                    expires = suspended_until + timedelta(days=180 + int(rng.random() * 180))
                    state = BroadbandState.SUSPENDED
                    change = ("active", state, self.at(min(since, as_of)), clerk,
                              f"暂停{suspended_months}个月")
                else:
                    expires = as_of + timedelta(days=1 + int(rng.random() * term_days))
                    state = BroadbandState.ACTIVE
                    change = ("pending", state, self.at(starts), self.installer(point),
                              "装机开通")
            self.bb_id += 1
            add((self.bb_id, i + 1, premises_id, point.id, plan.carrier_id,
                 self.serial(point, rules.BROADBAND, accepted_on), accepted_on, starts,
                 None if state == BroadbandState.PENDING else self.installer(point),
                 business_time(accepted_on, rng.random()) if k else created,
                 name, _password(rng), plan.id, state, expires, suspended_months,
                 suspended_until))
            add_change((self.bb_id, None, *change))
            current = (self.bb_id, plan.carrier_id, state != BroadbandState.CLOSED)
        return current

    def landline(self, i, point, premises_id, created, clerk, moved_out, broadband, add,
                 add_addon, add_change):
        rng, as_of = self.rng, self.as_of
        carrier = self.pick_ll_carrier(rng)
        number, carrier = self.numbers.take(carrier, self.own_carrier)
        accepted = created.date()
        starts = rules.activation_date(accepted)
        bundled = None
        if moved_out is not None:
            closed = min(max(moved_out, starts), as_of)
            state, balance = LandlineState.CLOSED, "0.00"
            change = ("active", state, self.at(closed), clerk, "拆机销户")
        elif starts > as_of:
            state, balance = LandlineState.PENDING, "100.00" if rng.random() < 0.5 else "50.00"
            change = ("", state, created, clerk, "受理登记")
        else:
            u = rng.random()
            if u < 0.06:
                closed = starts + timedelta(days=int(rng.random() * ((as_of - starts).days + 1)))
                state, balance = LandlineState.CLOSED, "0.00"
                change = ("active", state, self.at(closed), clerk, "拆机销户")
            elif u < 0.10:
                state = LandlineState.BARRED
                balance = f"-{1 + int(rng.random() * 3000)/100:.2f}"
                change = ("active", state, self.at(as_of - timedelta(
                    days=int(rng.random() * 60))), None, "欠费停机")
            elif u < 0.12:
                state, balance = LandlineState.SUSPENDED, f"{int(rng.random() * 5000)/100:.2f}"
                change = ("active", state, self.at(as_of - timedelta(
                    days=int(rng.random() * 90))), clerk, "用户申请暂停")
            else:
                state = LandlineState.ACTIVE
                balance = f"{int(rng.random() * 15000)/100:.2f}"
                change = ("pending", state, self.at(starts), self.installer(point), "装机开通")
        if (broadband and broadband[2] and state != LandlineState.CLOSED
                and carrier == self.own_carrier and broadband[1] in self.tariffs["own"]
                and rng.random() < 0.7):
            bundled = broadband[0]
        self.ll_id += 1
        row = (self.ll_id, i + 1, premises_id, point.id, carrier,
               self.serial(point, rules.LANDLINE, accepted), accepted, starts,
               None if state == LandlineState.PENDING else self.installer(point),
               created + timedelta(minutes=3), number, self.tariffs["pick_ll_plan"](rng), state,
               bundled, balance, "1.00")
        add(row + (_password(rng),) if self.has_ll_password else row)
        addons = self.tariffs["addons"]
        if "clip" in addons and rng.random() < 0.40:
            add_addon((self.ll_id, addons["clip"]))
        if "cfu" in addons and rng.random() < 0.08:
            add_addon((self.ll_id, addons["cfu"]))
        add_change((None, self.ll_id, *change))


class NumberBlocks:
    """Landline numbers: 8 digits starting with each carrier's prefix, never reused.

    The carriers' blocks are small (Unicom 6869xxxx: ten thousand numbers); when one
    runs out, the line goes to our own service, whose block is large.
    """

    def __init__(self, carriers: dict[str, tuple[int, str]], rng: random.Random):
        self.prefix = {cid: prefix for cid, prefix in carriers.values() if prefix}
        self.perm = {cid: AffinePermutation(rng, 10 ** (8 - len(prefix)))
                     for cid, prefix in self.prefix.items()}
        self.used = dict.fromkeys(self.prefix, 0)

    def take(self, carrier: int, fallback: int) -> tuple[str, int]:
        if carrier not in self.prefix or self.used[carrier] >= 0.95 * self.perm[carrier].size:
            carrier = fallback
        prefix = self.prefix[carrier]
        others = [p for c, p in self.prefix.items() if c != carrier and p.startswith(prefix)]
        while True:
            k = self.used[carrier]
            self.used[carrier] += 1
            digits = 8 - len(prefix)
            number = f"{prefix}{self.perm[carrier](k):0{digits}d}"
            if not any(number.startswith(p) for p in others):
                return number, carrier


@generator(fills=[Carrier, BroadbandPlan, LandlinePlan, AddOn, Fee, Premises, Subscriber,
                  BroadbandAccount, LandlineAccount, LandlineAccount.add_ons.through,
                  AccountStateChange, SerialCounter])
def generate(ctx: ScaleContext) -> str:
    rng = ctx.random("accounts")
    tariffs = _tariffs(ctx)
    occupancy = Occupancy(ctx.n, rng)
    layout = Layout(ctx.data["service_points"], occupancy.premises_count, rng)

    progress = ctx.progress("premises", layout.total, "premises")
    ctx.copy(Premises, ["id", "service_point_id", "building", "unit", "room"],
             ((p + 1, point.id, b, u, room)
              for p in range(layout.total)
              for point, b, u, room in [layout.locate(p)]), progress=progress)
    progress.finish()
    ctx.ids["accounts.Premises"] = range(1, layout.total + 1)

    register = Register(ctx, rng, layout, occupancy, tariffs)
    progress = ctx.progress("subscribers", ctx.n, "subscribers")
    common = ["subscriber_id", "premises_id", "service_point_id", "carrier_id",
              "registration_serial", "accepted_on", "starts_on", "installer_id", "created_at"]
    with ctx.loader() as loader:
        add_sub = loader.register(Subscriber, [
            "id", "kind", "name", "id_number", "intro_letter_ref", "mobile", "phone",
            "service_point_id", "home_id", "note", "created_at", "created_by_id"])
        add_bb = loader.register(BroadbandAccount, ["id", *common, "account_name", "password",
                                                    "plan_id", "state", "expires_on",
                                                    "suspended_months", "suspended_until"])
        add_ll = loader.register(LandlineAccount, [
            "id", *common, "phone_number", "plan_id", "state", "bundled_with_id", "balance",
            "alert_threshold", *(["password"] if register.has_ll_password else [])])
        add_addon = loader.register(LandlineAccount.add_ons.through,
                                    ["landlineaccount_id", "addon_id"])
        add_change = loader.register(AccountStateChange, [
            "broadband_id", "landline_id", "from_state", "to_state", "at", "by_id", "note"])
        done = 0
        for i in range(ctx.n):
            point, place, premises_id, created, clerk, moved_out = register.subscriber(
                i, add_sub)
            current = None
            if rng.random() < 0.78:
                current = register.broadband(i, point, place, premises_id, created, clerk,
                                             moved_out, add_bb, add_change)
            if rng.random() < 0.45:
                register.landline(i, point, premises_id, created, clerk, moved_out, current,
                                  add_ll, add_addon, add_change)
            if loader.full():
                rows = loader.flush()
                progress.advance(i + 1 - done, rows)
                done = i + 1
        progress.advance(ctx.n - done, loader.flush())
    progress.finish()
    ctx.copy(SerialCounter, ["service", "service_point_id", "day", "last_seq"],
             [(service, point_id, day, seq)
              for (point_id, service, day), seq in sorted(register.serials.items())])
    ctx.ids["accounts.Subscriber"] = range(1, ctx.n + 1)
    ctx.ids["accounts.BroadbandAccount"] = range(1, register.bb_id + 1)
    ctx.ids["accounts.LandlineAccount"] = range(1, register.ll_id + 1)
    return (f"{layout.total:,} premises, {ctx.n:,} subscribers, {register.bb_id:,} broadband "
            f"and {register.ll_id:,} landline accounts")
