"""Demo data of the register: tariffs, ~360 subscribers across the three compounds, and
broadband/landline accounts in every state.

Deterministic (``random.Random(seed)``) and idempotent: a subscriber whose ID number (or
organization letter) is already on file is not created again, so a second ``load_demo``
adds nothing. Rows go in with ``bulk_create`` (a few seconds, not a minute); the audit
triggers still fire, and each account gets the state-change rows the services would have
written, so the pages and history look as in real use.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from accounts import rules
from accounts.choices import BroadbandState, LandlineState, Service, SubscriberKind, Term
from accounts.models import (
    AccountStateChange,
    AddOn,
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    LandlineAccount,
    LandlinePlan,
    Premises,
    SerialCounter,
    Subscriber,
)
from accounts.services import _add_months, term_end
from servicedesk.models import ServicePoint, User

# Surnames with rough frequencies (per mille), the commonest first.
SURNAMES_TEXT = (
    "王71 李70 张67 刘54 陈45 杨31 赵23 黄22 周17 吴17 徐16 孙15 胡13 朱13 高12 林12 "
    "何12 郭12 马11 罗9 梁9 宋8 郑8 谢8 韩7 唐7 冯7 于6 董6 萧5 程5 曹5 袁5 邓5 许5 "
    "傅4 沈4 曾4 彭4 吕4 苏4 卢4 蒋4 蔡4 贾4 丁3 魏3 薛3 叶3 阎3 余3 潘3 杜3 戴3 夏3 "
    "钟3 汪3 田3 任3 姜3 范3 方3 石3 姚3 谭2 廖2 邹2 熊2 金2 陆2 郝2 孔2 白2 崔2 康2 "
    "毛2 邱2 秦2 江2 史2 顾2 侯2 邵2 孟2 龙2 万2 段2 雷2 钱2 汤2 尹2 黎2 易2 常2 武2 "
    "乔2 贺2 赖1 龚1 文1"
)
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林峰建国志文海亮成东博晨永"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英慧萍燕红梅琳雪婷倩欣颖佳悦瑶璐晶丹蕾洁雯月茹莉"
# Xi'an districts (6101xx): 新城 碑林 莲湖 灞桥 未央 雁塔 阎良 临潼 长安 高陵 鄠邑.
REGION_CODES = ["610102", "610103", "610104", "610111", "610112", "610113", "610114",
                "610115", "610116", "610117", "610118"]
MOBILE_PREFIXES = ["139", "138", "137", "135", "136", "150", "151", "152", "158", "159",
                   "182", "187", "130", "131", "132", "155", "156", "186", "133", "153",
                   "177", "180", "189", "199"]
ORG_WORDS = ["金辉", "曲江", "融侨", "雁塔", "长安", "秦风", "大唐", "汉唐", "华远", "鸿运",
             "恒信", "博文"]
ORG_KINDS = ["商贸有限公司", "物业服务中心", "幼儿园", "口腔诊所", "便利店", "教育培训学校",
             "餐饮管理有限公司"]

# Subscribers per service point code, and the compound's size (buildings, units).
POINTS = {"dw": (140, 18, 4), "qj": (110, 24, 3), "rq": (110, 30, 4)}
DEMO_CLERKS = {"dw": "clerk", "qj": "clerk_qj", "rq": "clerk_rq"}
DEMO_INSTALLERS = {"dw": "installer", "qj": "installer_qj", "rq": "installer"}


def _weighted_surnames():
    names, weights = [], []
    for item in SURNAMES_TEXT.split():
        names.append(item[0])
        weights.append(int(item[1:]))
    return names, weights


def person_name(rng: random.Random) -> tuple[str, bool]:
    """A plausible Chinese name and whether it is a man's."""
    names, weights = _weighted_surnames()
    surname = rng.choices(names, weights)[0]
    male = rng.random() < 0.5
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return surname + given, male


def id_number(rng: random.Random, male: bool) -> str:
    """A valid-checksum resident ID number of a Xi'an district, born 1945-2004."""
    born = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    seq = rng.randrange(0, 999)
    if (seq % 2 == 1) != male:  # 17th digit: odd for men, even for women
        seq = (seq + 1) % 1000
    body = f"{rng.choice(REGION_CODES)}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _aware(day: date, rng: random.Random) -> datetime:
    moment = time(rng.randint(9, 17), rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, moment))


class _Numbers:
    """Landline numbers not yet used."""

    def __init__(self, rng, taken):
        self.rng, self.taken = rng, set(taken)

    def new(self, carrier: Carrier) -> str:
        while True:
            if carrier.code == "telecom":
                number = f"8883{self.rng.randrange(10**4):04d}"
            elif carrier.code == "unicom":
                number = f"6869{self.rng.randrange(10**4):04d}"
            else:
                number = f"68{self.rng.choice('0235'):s}{self.rng.randrange(10**5):05d}"
            if number not in self.taken:
                self.taken.add(number)
                return number


def load(*, seed: int, stdout=None) -> str:
    call_command("loaddata", "tariffs", verbosity=0)
    rng = random.Random(seed)
    today = timezone.localdate()
    points = {p.code: p for p in ServicePoint.objects.filter(code__in=POINTS)}
    staff = {u.username: u for u in User.objects.filter(
        username__in=[*DEMO_CLERKS.values(), *DEMO_INSTALLERS.values()])}
    carriers = {c.code: c for c in Carrier.objects.all()}
    bb_plans = list(BroadbandPlan.objects.filter(is_active=True).select_related("carrier"))
    ll_plans = {p.name: p for p in LandlinePlan.objects.all()}
    add_ons = {a.code: a for a in AddOn.objects.all()}
    if len(points) < len(POINTS) or not bb_plans:
        return "skipped (service points or tariffs missing)"

    known_ids = set(Subscriber.objects.exclude(id_number="").values_list("id_number", flat=True))
    known_letters = set(Subscriber.objects.exclude(intro_letter_ref="")
                        .values_list("intro_letter_ref", flat=True))
    # The plan depends on the seed only (not on what is in the database), so a second
    # run plans the same people and finds them all on file.
    planned_premises: set[tuple] = set()
    numbers = _Numbers(random.Random(seed + 1),
                       LandlineAccount.objects.values_list("phone_number", flat=True))

    # 1. subscribers and their homes
    new_subscribers: list[tuple[Subscriber, tuple]] = []
    org_no = 0
    for code, (count, buildings, units) in POINTS.items():
        for _i in range(count):
            while True:
                floor = rng.randint(1, 32 if rng.random() < 0.3 else 18)
                spot = (code, rng.randint(1, buildings), rng.randint(1, units),
                        floor * 100 + rng.randint(1, 4))
                if spot not in planned_premises:
                    planned_premises.add(spot)
                    break
            created = today - timedelta(days=rng.randrange(3 * 365))
            if rng.random() < 0.05:
                org_no += 1
                letter = f"介字〔{created.year}〕第{org_no + seed % 100:03d}号"
                subscriber = Subscriber(
                    kind=SubscriberKind.ORGANIZATION,
                    name=f"西安{rng.choice(ORG_WORDS)}{rng.choice(ORG_KINDS)}",
                    intro_letter_ref=letter, phone=f"029-8{rng.randrange(10**7):07d}",
                    mobile=mobile(rng),
                )
                key_taken = letter in known_letters
            else:
                name, male = person_name(rng)
                subscriber = Subscriber(kind=SubscriberKind.PERSON, name=name,
                                        id_number=id_number(rng, male), mobile=mobile(rng))
                key_taken = subscriber.id_number in known_ids
            subscriber.service_point = points[code]
            subscriber.created_at = _aware(created, rng)
            subscriber.created_by = staff.get(DEMO_CLERKS[code])
            if not key_taken:
                new_subscribers.append((subscriber, spot))
    if not new_subscribers:
        return "register already loaded"

    # Premises already on file are reused; those with an open account get no new one.
    existing = {
        (p.service_point.code, p.building, p.unit, p.room): p
        for p in Premises.objects.select_related("service_point")
    }
    occupied = set(BroadbandAccount.objects.open().values_list("premises_id", flat=True)) | set(
        LandlineAccount.objects.open().values_list("premises_id", flat=True))
    Premises.objects.bulk_create([
        Premises(service_point=points[code], building=b, unit=u, room=r)
        for _s, (code, b, u, r) in new_subscribers if (code, b, u, r) not in existing
    ])
    homes = {
        (p.service_point.code, p.building, p.unit, p.room): p
        for p in Premises.objects.select_related("service_point").filter(
            service_point__in=points.values())
    }
    for subscriber, spot in new_subscribers:
        subscriber.home = homes[spot]
    subscribers = Subscriber.objects.bulk_create([s for s, _spot in new_subscribers])

    # 2. accounts, in every state, with the state rows the services would write
    broadband: list[BroadbandAccount] = []
    landline: list[LandlineAccount] = []
    histories: dict[int, list] = {}  # id(account) -> [(from, to, day, note)]
    landline_addons: dict[int, list[AddOn]] = {}
    serials: dict[tuple, int] = defaultdict(int)
    for counter in SerialCounter.objects.all():  # continue after serials already issued
        serials[(counter.service, counter.service_point_id, counter.day)] = counter.last_seq

    def serial(service, point, day):
        serials[(service, point.pk, day)] += 1
        return rules.registration_serial(service, point.code, day,
                                         serials[(service, point.pk, day)])

    own_plans = [p for p in bb_plans if p.carrier.code == "own"]
    telecom_plans = [p for p in bb_plans if p.carrier.code == "telecom"] or own_plans
    for subscriber in subscribers:
        home, point = subscriber.home, subscriber.service_point
        code = point.code
        if home.pk in occupied:
            continue
        clerk = staff.get(DEMO_CLERKS[code])
        roll = rng.random()
        if roll < 0.06 and code == "rq":
            # A Unicom-only prepaid landline (6869…), billed at full rent with caller ID.
            state = rng.choice([LandlineState.ACTIVE] * 4 + [LandlineState.BARRED])
            accepted = today - timedelta(days=rng.randint(20, 600))
            line = LandlineAccount(
                subscriber=subscriber, premises=home, service_point=point,
                carrier=carriers["unicom"], plan=ll_plans.get("daweitest", ll_plans.get(
                    "system default billingplan")),
                phone_number=numbers.new(carriers["unicom"]), state=state,
                accepted_on=accepted, starts_on=rules.activation_date(accepted),
                registration_serial=serial(Service.LANDLINE, point, accepted),
                balance=(Decimal(rng.randint(-800, 0)) if state == LandlineState.BARRED
                         else Decimal(rng.randint(150, 9000))) / 100,
                created_at=_aware(accepted, rng),
            )
            landline.append(line)
            landline_addons[id(line)] = [add_ons["clip"]] if "clip" in add_ons else []
            histories[id(line)] = [("", "pending", accepted, _("Registered"), clerk),
                                   ("pending", "active", line.starts_on, "", clerk)]
            if state == LandlineState.BARRED:
                histories[id(line)].append(("active", "barred", today - timedelta(
                    days=rng.randint(1, 20)), _("Balance below zero"), None))
            continue
        if roll > 0.92:
            continue  # registered, no service yet
        carrier_code = "telecom" if (code != "qj" and rng.random() < 0.22) else "own"
        plan = rng.choice(telecom_plans if carrier_code == "telecom" else own_plans)
        with_landline = rng.random() < 0.4
        state_roll = rng.random()
        if state_roll < 0.08:
            state = BroadbandState.PENDING
        elif state_roll < 0.18:
            state = BroadbandState.EXPIRED
        elif state_roll < 0.25:
            state = BroadbandState.CLOSED
        elif state_roll < 0.31 and plan.term == Term.ANNUAL and not with_landline:
            state = BroadbandState.SUSPENDED
        else:
            state = BroadbandState.ACTIVE
        history = []
        suspended_months, suspended_until = 0, None
        if state == BroadbandState.PENDING:
            accepted = today - timedelta(days=rng.randint(0, 6))
            starts = rules.activation_date(accepted)
            expires = term_end(starts, plan.months)
        elif state == BroadbandState.ACTIVE:
            span = max(_add_months(today, -plan.months) + timedelta(days=2), today - timedelta(
                days=plan.months * 30))
            starts = span + timedelta(days=rng.randrange(max(1, (today - span).days - 6)))
            accepted = starts - rules.ACTIVATION_DELAY
            expires = term_end(starts, plan.months)
        elif state == BroadbandState.EXPIRED:
            expires = today - timedelta(days=rng.randint(1, 75))
            starts = _add_months(expires + timedelta(days=1), -plan.months)
            accepted = starts - rules.ACTIVATION_DELAY
        elif state == BroadbandState.SUSPENDED:
            suspended_months = rng.choice(rules.SUSPENSION_BLOCKS_MONTHS)
            suspended_on = today - timedelta(days=rng.randint(0, 80))
            starts = suspended_on - timedelta(days=rng.randint(10, 150))
            accepted = starts - rules.ACTIVATION_DELAY
            expires = _add_months(term_end(starts, plan.months), suspended_months)
            suspended_until = _add_months(suspended_on, suspended_months)
            history.append(("active", "suspended", suspended_on,
                            _("Suspended for %(months)d months") % {"months": suspended_months}))
        else:  # closed long ago: a monthly term that was not renewed
            starts = today - timedelta(days=rng.randint(200, 700))
            accepted = starts - rules.ACTIVATION_DELAY
            expires = term_end(starts, plan.months)
            history.append(("active", "closed", expires + timedelta(days=rng.randint(1, 30)),
                            _("Removed at the customer's request")))
        history[:0] = [("", "pending", accepted, _("Registered"))]
        if state != BroadbandState.PENDING:
            history.insert(1, ("pending", "active", starts, ""))
        if state == BroadbandState.EXPIRED:
            history.append(("active", "expired", expires + timedelta(days=1), _("Term ended")))
        account = BroadbandAccount(
            subscriber=subscriber, premises=home, service_point=point, carrier=plan.carrier,
            plan=plan, state=state, accepted_on=accepted, starts_on=starts, expires_on=expires,
            account_name=rules.broadband_account_name(code, home.building, home.unit,
                                                      home.room),
            password=rules.new_account_password(),
            registration_serial=serial(Service.BROADBAND, point, accepted),
            suspended_months=suspended_months, suspended_until=suspended_until,
            installer=None if state == BroadbandState.PENDING else staff.get(
                DEMO_INSTALLERS[code]),
            created_at=_aware(accepted, rng),
        )
        broadband.append(account)
        histories[id(account)] = [(*row, clerk) for row in history]
        if with_landline and state != BroadbandState.SUSPENDED:
            ll_carrier = carriers["telecom"] if carrier_code == "telecom" else carriers["own"]
            ll_state = {BroadbandState.PENDING: LandlineState.PENDING,
                        BroadbandState.CLOSED: LandlineState.CLOSED}.get(
                state, LandlineState.ACTIVE)
            plan_name = rng.choice(["system default billingplan"] * 3 + ["daweitest",
                                                                          "yuezu"])
            line = LandlineAccount(
                subscriber=subscriber, premises=home, service_point=point,
                carrier=ll_carrier, plan=ll_plans.get(plan_name) or next(iter(
                    ll_plans.values())),
                phone_number=numbers.new(ll_carrier), state=ll_state,
                accepted_on=accepted, starts_on=starts,
                registration_serial=serial(Service.LANDLINE, point, accepted),
                balance=Decimal(rng.randint(0, 12000)) / 100,
                created_at=_aware(accepted, rng),
            )
            line._bundle = account
            landline.append(line)
            chosen = [a for a in add_ons.values() if rng.random() < (
                0.6 if a.code == "clip" else 0.15)]
            landline_addons[id(line)] = chosen
            rows = [("", "pending", accepted, _("Registered"), clerk)]
            if ll_state != LandlineState.PENDING:
                rows.append(("pending", "active", starts, "", clerk))
            if ll_state == LandlineState.CLOSED:
                rows.append(("active", "closed", history[-1][2], _("Removed with the broadband"),
                             clerk))
            histories[id(line)] = rows

    BroadbandAccount.objects.bulk_create(broadband)
    for line in landline:
        bundle = getattr(line, "_bundle", None)
        if bundle is not None and bundle.state != BroadbandState.CLOSED:
            line.bundled_with = bundle
    LandlineAccount.objects.bulk_create(landline)
    Through = LandlineAccount.add_ons.through
    Through.objects.bulk_create([
        Through(landlineaccount_id=line.pk, addon_id=addon.pk)
        for line in landline for addon in landline_addons.get(id(line), [])
    ])
    changes = []
    for account in [*broadband, *landline]:
        field = "broadband" if isinstance(account, BroadbandAccount) else "landline"
        for from_state, to_state, day, note, by in histories[id(account)]:
            changes.append(AccountStateChange(**{field: account}, from_state=from_state,
                                              to_state=to_state, at=_aware(day, rng),
                                              by=by, note=note))
    AccountStateChange.objects.bulk_create(changes)

    # 3. the serial counters continue after the demo's serials
    for (service, point_id, day), seq in serials.items():
        counter, _created = SerialCounter.objects.get_or_create(
            service=service, service_point_id=point_id, day=day)
        if counter.last_seq < seq:
            counter.last_seq = seq
            counter.save(update_fields=["last_seq"])
    states = defaultdict(int)
    for account in broadband:
        states[account.state] += 1
    return (f"tariffs, {len(subscribers)} subscribers, {len(broadband)} broadband "
            f"({', '.join(f'{k} {v}' for k, v in sorted(states.items()))}), "
            f"{len(landline)} landlines")
